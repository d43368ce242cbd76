// Issue 13, traces, on the real stack: one support ticket's trace, as Zipkin's API returns it, runs from
// the help desk's HTTP request through the workflow start, the run, its activities, the outbox row, the
// relay's Kafka record (ce_traceparent) to the consumer that handles it, every span the child of the one
// before; and the consumer's log line carries the trace's id. A ticket from the Kafka topic continues the
// help desk's own trace. Zipkin is the stack's (stack/stack.sh service zipkin, ZIPKIN_PORT).
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { createLogger } from '../../platform/logger';
import { startTracing, type Tracing } from '../../platform/tracing';
import { OutboxRelay } from '../../events/relay';
import { InboundConsumer } from '../../events/consumer';
import { supportTicketHandler, TicketKinds } from '../../events/inbound/support-tickets';
import type { CloudEvent } from '../../events/cloudevents';
import { InboundTypes } from '../../domain/events';
import { topicConfigs, Topics } from '../../domain/topics';
import { ensureTopics } from '../../platform/kafka';
import { config, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createUser } from '../support/world';
import { createTestTopic, deleteTopics, produce, testKafka, waitUntil } from '../support/kafka';

const ZIPKIN = `http://127.0.0.1:${process.env.ZIPKIN_PORT ?? 9411}`;
const COMPLETED = 'partneraccess.support.ticket-completed.v1';

/** What Zipkin's v2 API says of a span (names lowercased). */
interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

/** Every JSON line the consumer logs, to find the ones about our event. */
const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
const logger = createLogger('test-traces', 'debug', sink);

let tracing: Tracing;
let worker: TestWorker;
let api: TestApi;
let kafka: Kafka;
const topics: string[] = [];
const running: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  const health = await fetch(`${ZIPKIN}/health`).catch(() => null);
  if (!health?.ok) throw new Error(`Zipkin is not up at ${ZIPKIN}: npm run stack -- start zipkin`);
  // This process plays the API and the worker at once, so its spans have one service name.
  tracing = startTracing('partner-access-test', { OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${ZIPKIN}/api/v2/spans` });
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue, ticketKinds: 'engine' });
  kafka = testKafka();
  // The worker creates the engine's topics at start; no worker process runs here.
  await ensureTopics(kafka, topicConfigs(config), logger);
});
afterAll(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  await deleteTopics(kafka, topics);
  await api?.close();
  await worker?.stop();
  await tracing?.flush();
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** The trace as Zipkin has it, once `ready` holds (spans arrive in batches, the workflow's when it ends). */
async function zipkinTrace(traceId: string, ready: (spans: ZipkinSpan[]) => boolean): Promise<ZipkinSpan[]> {
  let spans: ZipkinSpan[] = [];
  await waitUntil(
    `trace ${traceId} complete in Zipkin`,
    async () => {
      await tracing.flush();
      const res = await fetch(`${ZIPKIN}/api/v2/trace/${traceId}`);
      spans = res.ok ? ((await res.json()) as ZipkinSpan[]) : [];
      return ready(spans);
    },
    30000,
  ).catch((err: Error) => {
    const seen = spans.map((s) => `${s.name} ${s.id} <- ${s.parentId ?? 'root'}`).join('\n  ');
    throw new Error(`${err.message}; Zipkin has:\n  ${seen}`);
  });
  return spans;
}

const onePath =
  'INT-1 OPS issue 13 traces: one ticket from the HTTP request to the consumer of its outbox event is one trace';
it(
  onePath,
  async () => {
    // The domain events' own topic, not one of the test's: the database's one relay publishes there, whichever
    // process's relay holds the lock (another test's worker process may). The consumer, a group of its own,
    // reads from the end and dead-letters every other event (other tests', other types) to the test's topic.
    const topic = Topics.domainEvents;
    const dlq = await createTestTopic(kafka, 'traces-dlq', 1);
    topics.push(dlq);
    const ticketId = `HD-${uniqueSuffix()}`;
    const handled: CloudEvent[] = [];
    const consumer = new InboundConsumer({
      name: `test-traces-${uniqueSuffix()}`,
      topic,
      deadLetterTopic: dlq,
      fromBeginning: false,
      kafka: testKafka(),
      db: api.db,
      logger,
      handlers: [
        {
          type: COMPLETED,
          data: z.looseObject({ ticketId: z.string() }),
          handle: async (e: CloudEvent<{ ticketId: string }>) => {
            if (e.data.ticketId === ticketId) handled.push(e);
          },
        },
      ],
    });
    const relay = new OutboxRelay({
      databaseUrl: config.DATABASE_URL,
      kafka: testKafka(),
      logger,
      pollIntervalMs: 250,
    });
    running.push(consumer, relay);
    await consumer.start();
    await relay.start();
    // Our relay, whose producer spans go to Zipkin: another process's (a test's worker) may hold the lock a while.
    await waitUntil('this relay publishes', () => relay.leader, 150000);

    // A portal partner whose email support frees by ticket (PP-2): the run ends on its own, within seconds.
    const portalAdmin = await createUser(api.db);
    await api.db.portalAdmin.create({ data: { userId: portalAdmin.id, role: 'ADMIN' } });
    const email = `hello-${uniqueSuffix()}@partner.example`;
    const partner = await api.call('POST', '/portal/partners', {
      token: await api.token(portalAdmin.id),
      body: { name: `Traced ${uniqueSuffix()}`, email },
    });
    expect(partner.status).toBe(201);
    const agent = await createUser(api.db);
    await api.db.supportAgent.create({ data: { userId: agent.id } });

    // The help desk calls with a trace of its own: ours continues it.
    const traceId = hex(16);
    const helpDeskSpan = hex(8);
    const res = await fetch(`${api.url}/support/tickets`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await api.token(agent.id)}`,
        traceparent: `00-${traceId}-${helpDeskSpan}-01`,
      },
      body: JSON.stringify({ ticketId, kind: 'duplicate-email-fix', payload: { email, reason: 'wrong partner' } }),
    });
    expect(res.status).toBe(202);
    await api.duplicateEmailFixes.handle(ticketId).result();
    await waitUntil('the ticket-completed event consumed', () => handled.length > 0, 30000);
    expect(handled[0].traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const named = (spans: ZipkinSpan[], name: string) => spans.filter((s) => s.name === name.toLowerCase());
    const path = [
      'POST /support/tickets',
      'StartWorkflow:duplicateEmailFix',
      'RunWorkflow:duplicateEmailFix',
      'StartActivity:recordTicketOutcome',
      'RunActivity:recordTicketOutcome',
      `outbox record ${COMPLETED}`,
      `outbox relay publish ${COMPLETED}`,
      `consume ${COMPLETED}`,
    ];
    const spans = await zipkinTrace(traceId, (s) => path.every((name) => named(s, name).length > 0));
    // Each step is the child of the one before it; the first, of the help desk's span.
    let parent = helpDeskSpan;
    for (const name of path) {
      const [span] = named(spans, name);
      expect({ name, parentId: span.parentId }).toEqual({ name, parentId: parent });
      parent = span.id;
    }
    const kinds = Object.fromEntries(path.map((name) => [name, named(spans, name)[0].kind]));
    expect(kinds).toMatchObject({
      'POST /support/tickets': 'SERVER',
      [`outbox relay publish ${COMPLETED}`]: 'PRODUCER',
      [`consume ${COMPLETED}`]: 'CONSUMER',
    });
    expect(named(spans, 'POST /support/tickets')[0].tags).toMatchObject({
      'http.route': '/support/tickets',
      'http.response.status_code': '202',
    });
    // The other step of the run, and the intake's own outbox rows, are in the same trace.
    for (const name of [
      'RunActivity:freePortalEmailForTicket',
      'outbox record partneraccess.support.ticket-received.v1',
      'outbox record partneraccess.support.ticket-dispatched.v1',
    ]) {
      expect(named(spans, name)).toHaveLength(1);
    }
    // No one ticket's span is left out of its trace, and no span of it names the email.
    expect(JSON.stringify(spans)).not.toContain(email);

    // The consumer's log line about the event carries the trace's id (and its own span's).
    const consumed = named(spans, `consume ${COMPLETED}`)[0];
    const line = lines.find((l) => l.eventId === handled[0].id && l.msg === 'inbound event');
    expect(line).toMatchObject({ trace_id: traceId, span_id: consumed.id, outcome: 'applied' });
  },
  240000,
);

const fromKafka =
  'INT-1 OPS issue 13 traces: a ticket from the Kafka topic continues the trace the help desk put in ce_traceparent';
it(fromKafka, async () => {
  const topic = await createTestTopic(kafka, 'traced-tickets', 1);
  topics.push(topic);
  // A kind of the test's own, whose dispatch starts nothing: what counts here is the intake's outbox row.
  const kinds = new TicketKinds().register({
    kind: 'traced',
    summary: 'a ticket that only shows its trace',
    payload: z.strictObject({}),
    dispatch: async ({ ticketId }) => ({ workflowId: `traced-${ticketId}` }),
  });
  const consumer = new InboundConsumer({
    name: `test-traced-tickets-${uniqueSuffix()}`,
    topic,
    kafka: testKafka(),
    db: api.db,
    logger,
    handlers: [supportTicketHandler(kinds, api.db)],
  });
  running.push(consumer);
  await consumer.start();
  const traceId = hex(16);
  const ticketId = `HD-${uniqueSuffix()}`;
  const eventId = `evt-${uniqueSuffix()}`;
  await produce(kafka, topic, [
    {
      raw: {
        key: ticketId,
        value: JSON.stringify({ ticketId, kind: 'traced', payload: {} }),
        headers: {
          ce_specversion: '1.0',
          ce_id: eventId,
          ce_source: '/help-desk',
          ce_type: InboundTypes.supportTicketSubmitted,
          ce_time: new Date().toISOString(),
          ce_traceparent: `00-${traceId}-${hex(8)}-01`,
          'content-type': 'application/json',
        },
      },
    },
  ]);
  await waitUntil('the ticket applied', () => consumer.outcomes.applied > 0, 30000);
  const rows = await api.db.outboxEvent.findMany({
    where: { aggregateId: ticketId },
    orderBy: { sequence: 'asc' },
    select: { type: true, traceparent: true },
  });
  expect(rows.map((r) => r.type)).toEqual([
    'partneraccess.support.ticket-received.v1',
    'partneraccess.support.ticket-dispatched.v1',
  ]);
  for (const row of rows) expect(row.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  const line = lines.find((l) => l.eventId === eventId && l.msg === 'inbound event');
  expect(line).toMatchObject({ trace_id: traceId, outcome: 'applied' });
});
