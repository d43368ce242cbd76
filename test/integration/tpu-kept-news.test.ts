// Issue 12, consumers that never lose news (TPU-5), on the real stack: the third-party workflow
// carries the news it has buffered across continue-as-new.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { ThirdPartyAccessInput } from '../../workflows/third-party-access/messages';
import { setAccessUpdate } from '../../workflows/third-party-access/messages';
import { config } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createOrganization, createUser } from '../support/world';
import { waitUntil } from '../support/kafka';
import { historiesDir } from '../support/histories';

/**
 * An SMTP gate in front of the tests' mail sink, for this file's worker only: shut, every email fails
 * (and is retried) without stopping a server other tests use; open, it passes through.
 */
class SmtpGate {
  open = true;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((client) => {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    if (!this.open) return client.destroy();
    const upstream = connect(config.SMTP_PORT, config.SMTP_HOST);
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let api: TestApi;
let worker: TestWorker;
const gate = new SmtpGate();

beforeAll(async () => {
  const smtpPort = await gate.listen();
  worker = await startTestWorker(undefined, { smtp: { host: '127.0.0.1', port: smtpPort } });
  api = await startTestApi({ taskQueue: worker.taskQueue });
});
afterAll(async () => {
  await api.close();
  await worker.stop();
  await gate.close();
});

const relationship = (organizationId: string, email: string) =>
  api.db.thirdPartyRelationship.findUnique({
    where: {
      organizationId_relationshipId: {
        organizationId,
        relationshipId: api.thirdPartyAccess.workflowIdFor(organizationId, email).relationshipId,
      },
    },
  });

const eventTypes = async (workflowId: string) =>
  (await api.db.outboxEvent.findMany({ where: { aggregateId: workflowId }, orderBy: { sequence: 'asc' } })).map((e) =>
    e.type.replace('partneraccess.tpu.', ''),
  );

/** Saves one run of a workflow as a replay fixture (SAVE_HISTORIES=1; an existing one is the contract). */
async function saveRun(name: string, workflowId: string, runId: string): Promise<void> {
  const file = join(historiesDir, `${name}.json`);
  if (!process.env.SAVE_HISTORIES || existsSync(file)) return;
  const history = await api.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
  writeFileSync(file, JSON.stringify(JSON.parse(historyToJSON(history)), null, 2));
}

it('TPU-5 CRM news that lands while the relationship hands over to a new run is applied, not lost', async () => {
  const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1 });
  const partner = await createUser(api.db, { firmName: 'Northwind Advisory' });
  const { relationshipId, workflowId } = api.thirdPartyAccess.workflowIdFor(org.id, partner.email);
  const thirdParty = { name: 'Nora Owner', firmName: 'Northwind Advisory', email: partner.email };
  // The emails of the run wait behind the shut gate, so the run, once past its history limit, waits
  // for them before it continues as new: the hand-over is held open while the news arrives.
  gate.open = false;
  const input: ThirdPartyAccessInput = {
    organizationId: org.id,
    relationshipId,
    thirdParty,
    origin: 'CRM',
    requestedByUserId: null,
    ticketId: null,
    continueAsNewAfterEvents: 20,
  };
  const taskQueue = worker.taskQueue;
  const first = await api.temporal.workflow.start('thirdPartyAccess', { taskQueue, workflowId, args: [input] });
  const firstRunId = first.firstExecutionRunId;
  const handle = api.temporal.workflow.getHandle(workflowId);
  await waitUntil('listed', async () => (await relationship(org.id, partner.email))?.state === 'LISTED', 30000);
  const events = async () => (await handle.fetchHistory()).events ?? [];
  const actor = { userId: members.ORG_ADMIN[0].id };
  while ((await events()).length <= input.continueAsNewAfterEvents!) {
    await handle.executeUpdate(setAccessUpdate, { args: [{ actor, access: 'on' }] });
    await handle.executeUpdate(setAccessUpdate, { args: [{ actor, access: 'off' }] });
  }
  const retryingEmail = async () =>
    ((await handle.describe()).raw.pendingActivities ?? []).some(
      (a) => a.activityType?.name === 'sendEmail' && (a.attempt ?? 0) > 1,
    );
  await waitUntil('its emails are retried behind the gate', retryingEmail, 30000);

  // The CRM takes its word back right then: the run takes the signal in, but holds it until its emails are out.
  const signalled = (await events()).length;
  const request = { organizationId: org.id, thirdParty, requestedByUserId: null, ticketId: null };
  await api.thirdPartyAccess.crmAccountOwner({ ...request, origin: 'CRM' }, false);
  await waitUntil('the run took the news in', async () => {
    const later = (await events()).slice(signalled);
    const at = later.findIndex((e) => e.workflowExecutionSignaledEventAttributes);
    return at >= 0 && later.slice(at).some((e) => e.workflowTaskCompletedEventAttributes);
  }, 20000);
  expect((await handle.describe()).runId).toBe(firstRunId);
  expect((await relationship(org.id, partner.email))?.state).toBe('LISTED');

  gate.open = true;
  await waitUntil('continued as new', async () => (await handle.describe()).runId !== firstRunId, 60000);
  // Before the fix the new run started without the news and stayed LISTED for ever.
  await waitUntil('removed', async () => (await relationship(org.id, partner.email))?.state === 'REMOVED', 30000);
  expect((await relationship(org.id, partner.email))!.reason).toMatch(/no longer lists them as the Account Owner/);
  const types = await eventTypes(workflowId);
  expect(types[0]).toBe('listed.v1');
  expect(types.at(-1)).toBe('removed.v1');
  expect(types.filter((t) => t === 'removed.v1')).toHaveLength(1);
  const last = await handle.describe();
  expect(last.status.name).toBe('COMPLETED');
  // Replay fixtures: the run that handed the news over (its patch marker, its continue-as-new input)
  // and the run that applied it.
  await saveRun('third-party-access-news-handed-over', workflowId, firstRunId);
  await saveRun('third-party-access-news-carried', workflowId, last.runId);
});
