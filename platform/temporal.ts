import { Client, Connection } from '@temporalio/client';

export async function connectTemporal(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address, connectTimeout: 5000 });
  return new Client({ connection, namespace });
}

/** A readiness probe: one cheap call with a deadline. */
export async function pingTemporal(client: Client, timeoutMs = 2500): Promise<void> {
  await client.connection.withDeadline(Date.now() + timeoutMs, () =>
    client.workflowService.getSystemInfo({}),
  );
}
