// Issue 13, metrics: the API's GET /metrics and the worker's listener, on the real stack. Labels are
// route templates and codes; no id or email address a request carried appears in a scrape.
import type { Kafka } from 'kafkajs';
import { createLogger } from '../../platform/logger';
import { createMailer } from '../../platform/mail';
import { startWorkerMetrics, type WorkerMetrics } from '../../platform/metrics';
import { OutboxRelay } from '../../events/relay';
import { InboundConsumer } from '../../events/consumer';
import { recordEvent } from '../../events/outbox';
import { config, uniqueSuffix } from '../support/services';
import { apiWithWorker } from '../support/api';
import { createOrganization, createUser } from '../support/world';
import { createTestTopic, deleteTopics, produce, testKafka, waitUntil } from '../support/kafka';

const logger = createLogger('test-metrics', 'silent');
const running = apiWithWorker();
let kafka: Kafka;
const topics: string[] = [];
const stoppers: Array<() => Promise<void>> = [];

beforeAll(() => {
  kafka = testKafka();
});
afterAll(async () => {
  for (const stop of stoppers.reverse()) await stop();
  await deleteTopics(kafka, topics);
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The value of one sample, its labels given in the order the registry prints them; undefined if absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}="${escape(v)}"`)
    .join(',');
  const line = new RegExp(`^${escape(name)}${inner ? `\\{${inner}\\}` : ''} (\\S+)$`, 'm').exec(text);
  return line ? Number(line[1]) : undefined;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
  return res.text();
}

const apiTitle =
  'issue 13 metrics: the API times requests by route template and status, and commands by route and outcome';
it(apiTitle, async () => {
  const { api } = running;
  const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1, MEMBER: 1 });
  const [admin, member] = await Promise.all([members.ORG_ADMIN[0], members.MEMBER[0]].map((m) => api.token(m.id)));
  expect((await api.call('GET', '/healthz')).status).toBe(200);
  expect((await api.call('GET', '/me', { token: member })).status).toBe(200);
  expect((await api.call('GET', `/organizations/${org.id}/third-party-users`, { token: member })).status).toBe(403);
  const email = `third-${uniqueSuffix()}@elsewhere-${uniqueSuffix()}.example`;
  const body = { thirdPartyName: 'Tess Party', firmName: 'Elsewhere', email };
  const requested = await api.call('POST', `/organizations/${org.id}/third-party-users`, { token: admin, body });
  expect(requested.status).toBe(202);
  expect((await api.call('GET', `/no-such-route/${org.id}`)).status).toBe(404);

  const text = await scrape(`${api.url}/metrics`);
  const count = (method: string, route: string, status: string) =>
    sample(text, 'http_request_duration_seconds_count', { method, route, status });
  expect(count('GET', '/healthz', '200')).toBeGreaterThanOrEqual(1);
  expect(count('GET', '/me', '200')).toBeGreaterThanOrEqual(1);
  expect(count('GET', '/organizations/:organizationId/third-party-users', '403')).toBeGreaterThanOrEqual(1);
  expect(count('POST', '/organizations/:organizationId/third-party-users', '202')).toBeGreaterThanOrEqual(1);
  expect(count('GET', 'unmatched', '404')).toBeGreaterThanOrEqual(1);
  // A histogram: buckets up to +Inf, and a sum of seconds.
  const le = { le: '+Inf', method: 'GET', route: '/me', status: '200' };
  expect(sample(text, 'http_request_duration_seconds_bucket', le)).toBe(count('GET', '/me', '200'));
  const me = { method: 'GET', route: '/me', status: '200' };
  expect(sample(text, 'http_request_duration_seconds_sum', me)).toBeGreaterThan(0);
  const command = { command: 'POST /organizations/:organizationId/third-party-users', outcome: 'ok' };
  expect(sample(text, 'workflow_command_duration_seconds_count', command)).toBeGreaterThanOrEqual(1);
  // Ids and addresses from the requests stay out of the labels.
  expect(text).not.toContain(org.id);
  expect(text).not.toContain(email);
  expect(text).not.toContain('/no-such-route');
});

const workerTitle =
  'issue 13 metrics: the worker listener shows the outbox age and the relay count move, ' +
  'dead letters by reason, and email sends';
it(workerTitle, async () => {
  const { db } = running.api;
  const topic = await createTestTopic(kafka, 'metrics-relay', 1);
  const inbound = await createTestTopic(kafka, 'metrics-inbound', 1);
  const dlq = await createTestTopic(kafka, 'metrics-dlq', 1);
  topics.push(topic, inbound, dlq);
  const consumer = new InboundConsumer({
    name: `test-metrics-${uniqueSuffix()}`,
    topic: inbound,
    deadLetterTopic: dlq,
    kafka: testKafka(),
    db,
    logger,
    handlers: [],
  });
  stoppers.push(() => consumer.stop());
  await consumer.start();
  // Started as workers/main.ts starts it; port 0 takes a free one.
  const metrics: WorkerMetrics = await startWorkerMetrics(
    { db, consumers: [consumer] },
    { host: '127.0.0.1', port: 0 },
  );
  stoppers.push(() => metrics.close());
  expect((await fetch(metrics.url.replace(/\/metrics$/, '/other'))).status).toBe(404);

  // An event waits in the outbox: its age shows, and grows, until the relay publishes it.
  const user = await createUser(db);
  await db.$transaction((tx) =>
    recordEvent(tx, 'partneraccess.identity.user-profile-updated.v1', {
      aggregateId: user.id,
      data: { userId: user.id, changedFields: ['displayName'] },
    }),
  );
  await new Promise((r) => setTimeout(r, 1100));
  const before = await scrape(metrics.url);
  expect(sample(before, 'outbox_oldest_unpublished_age_seconds')).toBeGreaterThanOrEqual(1);
  const publishedBefore = sample(before, 'outbox_relay_published_events_total') ?? 0;

  const relay = new OutboxRelay({
    databaseUrl: config.DATABASE_URL,
    kafka: testKafka(),
    logger,
    topic,
    pollIntervalMs: 250,
  });
  stoppers.push(() => relay.stop());
  await relay.start();
  const age = async () => sample(await scrape(metrics.url), 'outbox_oldest_unpublished_age_seconds');
  await waitUntil('the outbox drained', async () => (await age()) === 0);
  const after = await scrape(metrics.url);
  expect(sample(after, 'outbox_relay_published_events_total')).toBeGreaterThanOrEqual(publishedBefore + 1);
  expect(sample(after, 'outbox_relay_published_events_total')).toBe(publishedBefore + relay.published);

  // A message of a type this consumer does not handle: dead-lettered, counted by its reason code.
  await produce(kafka, inbound, [{ type: 'test.nobody-handles-this.v1', key: 'k', data: { x: 1 } }]);
  await waitUntil('dead-lettered', () => consumer.outcomes['dead-lettered'] === 1);
  const lettered = await scrape(metrics.url);
  const reason = { consumer: consumer.group, reason: 'unknown-type' };
  expect(sample(lettered, 'inbound_dead_letters_total', reason)).toBe(1);
  // The group committed past the dead letter: no lag.
  const lag = async () =>
    sample(await scrape(metrics.url), 'inbound_consumer_lag_messages', { group: consumer.group });
  await waitUntil('lag 0', async () => (await lag()) === 0);

  // Email: one accepted by the tests' mail sink, one to a port nothing listens on (a transient failure).
  const sent = sample(lettered, 'emails_sent_total') ?? 0;
  const failed = sample(lettered, 'email_send_failures_total', { kind: 'transient' }) ?? 0;
  const mailer = createMailer({ host: config.SMTP_HOST, port: config.SMTP_PORT, from: config.MAIL_FROM });
  const nowhere = createMailer({ host: '127.0.0.1', port: 9, from: config.MAIL_FROM });
  try {
    await mailer.send({ to: `metrics-${uniqueSuffix()}@example.com`, subject: 'metrics', text: 'counted' });
    await expect(nowhere.send({ to: 'x@example.com', subject: 'metrics', text: 'refused' })).rejects.toThrow();
  } finally {
    mailer.close();
    nowhere.close();
  }
  const mailed = await scrape(metrics.url);
  expect(sample(mailed, 'emails_sent_total')).toBe(sent + 1);
  expect(sample(mailed, 'email_send_failures_total', { kind: 'transient' })).toBe(failed + 1);
  expect(mailed).not.toContain(user.id);
});
