// Issue 12, consumers that never lose news (TPU-5, INT-2), on the real stack: the CRM's word is kept
// until it can apply (an account or an organization that appears late, whatever the time since), and
// the third-party workflow carries the news it has buffered across continue-as-new.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Kafka } from 'kafkajs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { createLogger } from '../../platform/logger';
import { InboundConsumer } from '../../events/consumer';
import { crmAccountOwnerHandler } from '../../events/inbound/crm-account-owners';
import { accountOwnerToThirdPartyAccess } from '../../events/inbound/account-owner-to-tpu';
import { InboundTypes } from '../../domain/events';
import { applyKeptCrmNews, keptNews, organizationAppeared, sweepKeptCrmNews } from '../../domain/kept-crm-news';
import type { ThirdPartyAccessInput } from '../../workflows/third-party-access/messages';
import { setAccessUpdate } from '../../workflows/third-party-access/messages';
import { config, mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createOrganization, createUser } from '../support/world';
import { createTestTopic, deleteTopics, produce, testKafka, waitUntil } from '../support/kafka';
import { fixturePayloadKeys, historiesDir } from '../support/histories';

/** A relationship waits this long for an account here, instead of 14 days. */
const ACCOUNT_WAIT_SECONDS = 2;

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
let kafka: Kafka;
const gate = new SmtpGate();
const topics: string[] = [];
const consumers: InboundConsumer[] = [];

beforeAll(async () => {
  const smtpPort = await gate.listen();
  worker = await startTestWorker(undefined, { smtp: { host: '127.0.0.1', port: smtpPort } });
  api = await startTestApi({ taskQueue: worker.taskQueue, accountWaitSeconds: ACCOUNT_WAIT_SECONDS });
  kafka = testKafka();
});
afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await deleteTopics(kafka, topics);
  await api.close();
  await worker.stop();
  await gate.close();
});

/** The engine's CRM consumer with TPU-5's hook, on a topic of the test's own. */
async function crmConsumer() {
  const topic = await createTestTopic(kafka, 'crm-kept');
  topics.push(topic);
  const consumer = new InboundConsumer({
    name: `test-crm-kept-${uniqueSuffix()}`,
    topic,
    handlers: [crmAccountOwnerHandler([accountOwnerToThirdPartyAccess(api.thirdPartyAccess)])],
    kafka: testKafka(),
    db: api.db,
    logger: createLogger('test', 'silent'),
  });
  consumers.push(consumer);
  await consumer.start();
  const say = async (news: { organizationExternalId: string; partnerEmail: string; isAccountOwner: boolean }) => {
    const data = { ...news, partnerFirmName: 'Northwind Advisory', asOf: new Date().toISOString() };
    const before = consumer.outcomes.applied;
    await produce(kafka, topic, [
      { type: InboundTypes.crmAccountOwnerStatus, key: news.organizationExternalId, data },
    ]);
    await waitUntil('the CRM news received', () => consumer.outcomes.applied > before, 30000);
  };
  return { say };
}

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

async function crmOrganization() {
  const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1 });
  const externalId = `CRM-${uniqueSuffix()}`;
  await api.db.organization.update({ where: { id: org.id }, data: { externalId } });
  return { org, members, externalId };
}

it('TPU-5 a CRM Account Owner whose account appears after their request expired is listed then', async () => {
  const { say } = await crmConsumer();
  const { org, members, externalId } = await crmOrganization();
  const email = `late-owner-${uniqueSuffix()}@northwind.example`;
  await say({ organizationExternalId: externalId, partnerEmail: email, isAccountOwner: true });
  // No account: the relationship waits for one (here 2 s instead of 14 days), then ends.
  await waitUntil('expired', async () => (await relationship(org.id, email))?.state === 'EXPIRED', 30000);
  const { workflowId } = api.thirdPartyAccess.workflowIdFor(org.id, email);
  expect(await eventTypes(workflowId)).toEqual(['awaiting-account.v1', 'expired.v1']);
  // Nothing waits that could apply yet: the account does not exist.
  expect(await keptNews(api.db, { partnerEmail: email })).toEqual([]);
  expect(await applyKeptCrmNews(api.db, api.thirdPartyAccess, { partnerEmail: email })).toBe(0);

  // The account appears (made by any path: registration, an accepted invitation). The worker's sweep
  // finds the CRM's word kept for it and starts the relationship again.
  const partner = await api.db.user.create({
    data: { email, displayName: 'Nora Late', firmName: 'Northwind Advisory' },
  });
  expect(await keptNews(api.db, { partnerEmail: email })).toEqual([
    expect.objectContaining({ organizationId: org.id, partnerEmail: email, displayName: 'Nora Late' }),
  ]);
  const sweep = sweepKeptCrmNews({ db: api.db, tpu: api.thirdPartyAccess, logger: createLogger('test', 'silent') });
  try {
    await waitUntil('listed', async () => (await relationship(org.id, email))?.state === 'LISTED', 30000);
  } finally {
    await sweep.stop();
  }
  expect(await relationship(org.id, email)).toMatchObject({
    origin: 'CRM',
    thirdPartyUserId: partner.id,
    thirdPartyName: 'Nora Late',
  });
  const listedEmail = /Nora Late \(Northwind Advisory\) was added as a third-party user/;
  await mailSink.waitFor(members.ORG_ADMIN[0].email, listedEmail);
  expect(await eventTypes(workflowId)).toEqual(['awaiting-account.v1', 'expired.v1', 'listed.v1']);
  // Applied once: the news no longer waits, and a second pass changes nothing.
  expect(await keptNews(api.db, { partnerEmail: email })).toEqual([]);
  expect(await applyKeptCrmNews(api.db, api.thirdPartyAccess, { partnerEmail: email })).toBe(0);
});

/** The verification link in the email registration sends: its id and token. */
function verificationLinkIn(text: string): { id: string; token: string } {
  const m = text.match(/\/verify-email\/([0-9a-f-]{36})\?token=([A-Za-z0-9_-]{43})/);
  if (!m) throw new Error(`no verification link in email:\n${text}`);
  return { id: m[1], token: m[2] };
}

it('TPU-5 a CRM Account Owner who registers after their request expired is listed once verified', async () => {
  const { say } = await crmConsumer();
  const { org, members, externalId } = await crmOrganization();
  const email = `registers-late-${uniqueSuffix()}@northwind.example`;
  await say({ organizationExternalId: externalId, partnerEmail: email, isAccountOwner: true });
  await waitUntil('expired', async () => (await relationship(org.id, email))?.state === 'EXPIRED', 30000);

  const body = { email, displayName: 'Rita Registers', firmName: 'Northwind Advisory' };
  expect((await api.call('POST', '/accounts', { body })).status).toBe(202);
  const link = verificationLinkIn((await mailSink.waitFor(email, /Confirm your email/)).text);
  // An unverified registration moves nothing.
  await new Promise((r) => setTimeout(r, 1000));
  expect((await relationship(org.id, email))?.state).toBe('EXPIRED');
  const verified = await api.call('POST', `/account-verifications/${link.id}`, { body: { token: link.token } });
  expect(verified.status).toBe(200);
  // Before: the expired request stayed EXPIRED; nothing started it again.
  await waitUntil('listed', async () => (await relationship(org.id, email))?.state === 'LISTED', 30000);
  const user = await api.db.user.findUniqueOrThrow({ where: { email } });
  expect(await relationship(org.id, email)).toMatchObject({ origin: 'CRM', thirdPartyUserId: user.id });
  const listedEmail = /Rita Registers \(Northwind Advisory\) was added as a third-party user/;
  await mailSink.waitFor(members.ORG_ADMIN[0].email, listedEmail);
});

it('TPU-5 INT-2 CRM news about an organization not yet known applies when the organization appears', async () => {
  const { say } = await crmConsumer();
  const partner = await createUser(api.db, { firmName: 'Northwind Advisory' });
  const externalId = `CRM-LATER-${uniqueSuffix()}`;
  await say({ organizationExternalId: externalId, partnerEmail: partner.email, isAccountOwner: true });
  // Received and kept, though nothing can apply it: no organization has that CRM id.
  expect(
    await api.db.crmAccountOwnerStatus.findUnique({
      where: {
        organizationExternalId_partnerEmail: { organizationExternalId: externalId, partnerEmail: partner.email },
      },
    }),
  ).toMatchObject({ isAccountOwner: true });

  const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1 });
  expect(await relationship(org.id, partner.email)).toBeNull();
  await api.db.organization.update({ where: { id: org.id }, data: { externalId } });
  expect(await organizationAppeared(api.db, api.thirdPartyAccess, org.id)).toBe(1);
  await waitUntil('listed', async () => (await relationship(org.id, partner.email))?.state === 'LISTED', 30000);
  expect(await relationship(org.id, partner.email)).toMatchObject({ origin: 'CRM', thirdPartyUserId: partner.id });
  await mailSink.waitFor(members.ORG_ADMIN[0].email, /was added as a third-party user/);
  expect(await organizationAppeared(api.db, api.thirdPartyAccess, org.id)).toBe(0);

  // Kept news the CRM took back never applies.
  const other = await crmOrganization();
  const former = await createUser(api.db, { firmName: 'Northwind Advisory' });
  const laterId = `CRM-LATER-${uniqueSuffix()}`;
  await say({ organizationExternalId: laterId, partnerEmail: former.email, isAccountOwner: true });
  await say({ organizationExternalId: laterId, partnerEmail: former.email, isAccountOwner: false });
  await api.db.organization.update({ where: { id: other.org.id }, data: { externalId: laterId } });
  expect(await organizationAppeared(api.db, api.thirdPartyAccess, other.org.id)).toBe(0);
});

/** Saves one run of a workflow as a replay fixture (SAVE_HISTORIES=1; an existing one is the contract). */
async function saveRun(name: string, workflowId: string, runId: string): Promise<void> {
  const file = join(historiesDir, `${name}.json`);
  if (!process.env.SAVE_HISTORIES || existsSync(file)) return;
  // As saveHistory: only a history encrypted with the fixture key replays anywhere else.
  const current = config.PAYLOAD_CODEC_KEYS[0];
  if (!fixturePayloadKeys.some((k) => k.id === current.id && k.key.equals(current.key))) {
    throw new Error(`saving history ${name}: the tests encrypt with key "${current.id}", not the fixture key`);
  }
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
  await waitUntil(
    'the run took the news in',
    async () => {
      const later = (await events()).slice(signalled);
      const at = later.findIndex((e) => e.workflowExecutionSignaledEventAttributes);
      return at >= 0 && later.slice(at).some((e) => e.workflowTaskCompletedEventAttributes);
    },
    20000,
  );
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
  // The new run ends there: REMOVED is final.
  expect(await handle.result()).toMatchObject({ state: 'REMOVED' });
  const last = await handle.describe();
  expect(last.status.name).toBe('COMPLETED');
  // Replay fixtures: the run that handed the news over (its patch marker, its continue-as-new input)
  // and the run that applied it.
  await saveRun('third-party-access-news-handed-over', workflowId, firstRunId);
  await saveRun('third-party-access-news-carried', workflowId, last.runId);
});
