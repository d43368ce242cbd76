import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import {
  explainTemporalConnectError,
  temporalConnectionOptions,
  type TemporalConnectionSettings,
} from './temporal-connection';
import { temporalDataConverter, type PayloadCodecSettings } from './payload-codec';

export type TemporalSettings = TemporalConnectionSettings &
  PayloadCodecSettings & { TEMPORAL_ADDRESS: string; TEMPORAL_NAMESPACE: string };

/** A client of the configured cluster and namespace, converting payloads as the workers do. */
export async function connectTemporal(settings: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect({
    address: settings.TEMPORAL_ADDRESS,
    connectTimeout: 5000,
    ...temporalConnectionOptions(settings),
  }).catch(async (err: unknown) => {
    throw await explainTemporalConnectError(settings, err);
  });
  return new Client({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    dataConverter: temporalDataConverter(settings),
    // Issue 13: a span per start, signal, update and query, carried to the workflow in its headers.
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
}

/** A readiness probe: one cheap call with a deadline. */
export async function pingTemporal(client: Client, timeoutMs = 2500): Promise<void> {
  await client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
}

/** How long a command waits for its workflow's answer before the caller is told (503, may still complete). */
export const COMMAND_TIMEOUT_MS = 15000;

/** Runs a command with a deadline: without a worker, an Update would otherwise wait for ever. */
export function withCommandDeadline<T>(
  client: Client,
  fn: () => Promise<T>,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<T> {
  return client.connection.withDeadline(Date.now() + timeoutMs, fn);
}
