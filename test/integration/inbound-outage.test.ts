// Issue 12, consumers that never lose news: PostgreSQL stops for about 5 s while CRM and ticket
// messages arrive. The consumers wait it out (no offset committed, nothing dead-lettered) and apply
// every message exactly once when the database is back. Against the real broker, database and Temporal.
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { ServiceError, WorkflowIdConflictPolicy } from '@temporalio/client';
import { createLogger } from '../../platform/logger';
import { InboundConsumer } from '../../events/consumer';
import { crmAccountOwnerHandler } from '../../events/inbound/crm-account-owners';
import {
  dispatchWaitingTickets,
  intakeTicket,
  supportTicketHandler,
  TicketKinds,
} from '../../events/inbound/support-tickets';
import { InboundTypes } from '../../domain/events';
import { stackService, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { createUser } from '../support/world';
import { createTestTopic, deleteTopics, produce, testKafka, waitUntil } from '../support/kafka';

const logger = createLogger('test-inbound-outage', (process.env.TEST_LOG as any) ?? 'silent');
let api: TestApi;
let kafka: Kafka;
const topics: string[] = [];
const consumers: InboundConsumer[] = [];
const workflowIds: string[] = [];
const probeQueue = `outage-probe-${uniqueSuffix()}`;

/** A ticket kind that starts a real workflow (no worker polls its queue, so it stays running). */
function probeKinds(): TicketKinds {
  return new TicketKinds().register({
    kind: 'probe-request',
    summary: 'Test kind',
    payload: z.strictObject({ note: z.string().min(1) }),
    async dispatch({ ticketId }) {
      const workflowId = `outage-probe-${ticketId}`;
      workflowIds.push(workflowId);
      await api.temporal.workflow.start('stackProbe', {
        taskQueue: probeQueue,
        workflowId,
        args: ['nobody@example.test'],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      return { workflowId };
    },
  });
}

beforeAll(async () => {
  api = await startTestApi(probeKinds());
  kafka = testKafka();
});
afterAll(async () => {
  await stackService('start', 'postgres');
  await Promise.all(consumers.map((c) => c.stop()));
  for (const id of new Set(workflowIds)) {
    await api.temporal.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  }
  await deleteTopics(kafka, topics);
  await api.close();
});

async function topicSize(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

const title =
  'issue 12: PostgreSQL stops for ~5 s while CRM and ticket messages arrive; afterwards ' +
  'each is applied exactly once ' +
  'and the dead-letter topic stays empty';
it(
  title,
  async () => {
    const [crmTopic, ticketTopic, dlq] = await Promise.all([
      createTestTopic(kafka, 'crm-outage', 3),
      createTestTopic(kafka, 'tickets-outage', 3),
      createTestTopic(kafka, 'outage-dlq', 1),
    ]);
    topics.push(crmTopic, ticketTopic, dlq);
    const consumerOf = (name: string, topic: string, handlers: any[]) =>
      new InboundConsumer({
        name: `test-${name}-${uniqueSuffix()}`,
        topic,
        handlers,
        deadLetterTopic: dlq,
        kafka: testKafka(),
        db: api.db,
        logger,
        retryBaseMs: 100,
        retryMaxMs: 1000,
      });
    const crm = consumerOf('crm-outage', crmTopic, [crmAccountOwnerHandler()]);
    const tickets = consumerOf('tickets-outage', ticketTopic, [supportTicketHandler(probeKinds(), api.db)]);
    consumers.push(crm, tickets);
    await Promise.all([crm.start(), tickets.start()]);

    const partner = await createUser(api.db, { firmName: 'Northwind' });
    const orgs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        api.db.organization.create({ data: { name: `Outage Org ${i}`, externalId: `OUT-${i}-${uniqueSuffix()}` } }),
      ),
    );
    const crmNews = (org: { externalId: string | null }) => ({
      type: InboundTypes.crmAccountOwnerStatus,
      key: org.externalId!,
      data: {
        organizationExternalId: org.externalId!,
        partnerEmail: partner.email,
        partnerFirmName: 'Northwind',
        isAccountOwner: true,
        asOf: '2026-11-01T00:00:00Z',
      },
    });
    // Before the outage: one message, applied as usual (the consumers are up and assigned).
    await produce(kafka, crmTopic, [crmNews(orgs[0])]);
    await waitUntil('the message before the outage applied', () => crm.outcomes.applied === 1, 60000);

    const ticketIds = Array.from({ length: 3 }, () => `OUT-T-${uniqueSuffix()}`);
    const stoppedAt = Date.now();
    await stackService('stop', 'postgres');
    try {
      await produce(kafka, crmTopic, orgs.slice(1).map(crmNews));
      await produce(
        kafka,
        ticketTopic,
        ticketIds.map((ticketId) => ({
          type: InboundTypes.supportTicketSubmitted,
          key: ticketId,
          data: { ticketId, kind: 'probe-request', payload: { note: 'during the outage' } },
        })),
      );
      // Down 3 s more once every message is on its topic: twice the old five attempts' backoff
      // (0.1 + 0.2 + 0.4 + 0.8 s), after which the old code dead-lettered; no longer than that needs.
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      await stackService('start', 'postgres');
    }

    // Handled means applied or dead-lettered: a lost message fails the outcome check below at once, not by a timeout.
    const handled = (c: InboundConsumer) => c.outcomes.applied + c.outcomes['dead-lettered'];
    const allHandled = () => handled(crm) === 6 && handled(tickets) === 3;
    await waitUntil('every CRM message and ticket handled', allHandled, 90000, 250);
    expect(crm.outcomes).toEqual({ applied: 6, duplicate: 0, 'dead-lettered': 0 });
    expect(tickets.outcomes).toEqual({ applied: 3, duplicate: 0, 'dead-lettered': 0 });
    const statuses = await api.db.crmAccountOwnerStatus.findMany({ where: { partnerEmail: partner.email } });
    expect(statuses.map((s) => s.organizationExternalId).sort()).toEqual(orgs.map((o) => o.externalId).sort());
    const stored = await api.db.supportTicket.findMany({ where: { ticketId: { in: ticketIds } } });
    const expected = ticketIds.map((id) => [id, 'DISPATCHED', `outage-probe-${id}`]);
    expect(stored.map((t) => [t.ticketId, t.status, t.workflowId]).sort()).toEqual(expected.sort());
    for (const id of ticketIds) {
      expect((await api.temporal.workflow.getHandle(`outage-probe-${id}`).describe()).status.name).toBe('RUNNING');
    }

    // The messages produced during the outage were held, not skipped: applied once the database was back.
    const names = [crm['opts'].name, tickets['opts'].name];
    const processed = await api.db.processedEvent.findMany({ where: { consumer: { in: names } } });
    expect(processed).toHaveLength(9);
    // The database was down from stoppedAt until the restart: what committed after stoppedAt committed after it.
    expect(processed.filter((p) => p.processedAt.getTime() > stoppedAt).length).toBe(8);

    // Exactly once in effect: one change event per organization, nothing dead-lettered.
    const type = 'partneraccess.crm.account-owner-status-changed.v1';
    const aggregateId = { in: orgs.map((o) => o.externalId!) };
    const changes = await api.db.outboxEvent.count({ where: { aggregateId, type } });
    expect(changes).toBe(6);
    expect(await topicSize(dlq)).toBe(0);
  },
  180000,
);

const title2 =
  'issue 12: a ticket is committed as received before Temporal is called, outside the transaction; ' +
  'while Temporal fails it is retried, then dispatched once';
it(title2, async () => {
  const topic = await createTestTopic(kafka, 'tickets-temporal', 1);
  const dlq = await createTestTopic(kafka, 'temporal-dlq', 1);
  topics.push(topic, dlq);
  // What each dispatch saw of its own ticket from outside: committed (RECEIVED) or not there yet.
  const seenFromOutside: Array<string | null> = [];
  const kinds = new TicketKinds().register({
    kind: 'flaky-request',
    summary: 'Test kind: Temporal is unavailable for its first two dispatches',
    payload: z.strictObject({ note: z.string().min(1) }),
    async dispatch({ ticketId }) {
      const row = await api.db.supportTicket.findUnique({ where: { ticketId } });
      seenFromOutside.push(row?.status ?? null);
      if (seenFromOutside.length <= 2) throw new ServiceError('Failed to start workflow: 14 UNAVAILABLE');
      return probeKinds()
        .get('probe-request')!
        .dispatch({ ticketId, payload: { note: 'x' } });
    },
  });
  const consumer = new InboundConsumer({
    name: `test-tickets-temporal-${uniqueSuffix()}`,
    topic,
    handlers: [supportTicketHandler(kinds, api.db)],
    deadLetterTopic: dlq,
    kafka: testKafka(),
    db: api.db,
    logger,
    retryBaseMs: 100,
  });
  consumers.push(consumer);
  await consumer.start();
  const ticketId = `TMP-T-${uniqueSuffix()}`;
  const data = { ticketId, kind: 'flaky-request', payload: { note: 'while Temporal is away' } };
  await produce(kafka, topic, [{ type: InboundTypes.supportTicketSubmitted, key: ticketId, data }]);

  const handled = () => consumer.outcomes.applied + consumer.outcomes['dead-lettered'] === 1;
  await waitUntil('the ticket handled', handled, 60000, 100);
  expect(consumer.outcomes).toEqual({ applied: 1, duplicate: 0, 'dead-lettered': 0 });
  expect(seenFromOutside).toEqual(['RECEIVED', 'RECEIVED', 'RECEIVED']);
  const stored = await api.db.supportTicket.findUniqueOrThrow({ where: { ticketId } });
  expect(stored).toMatchObject({ status: 'DISPATCHED', workflowId: `outage-probe-${ticketId}` });
  const events = await api.db.outboxEvent.findMany({
    where: { aggregateId: ticketId },
    orderBy: { sequence: 'asc' },
  });
  expect(events.map((e) => e.type)).toEqual([
    'partneraccess.support.ticket-received.v1',
    'partneraccess.support.ticket-dispatched.v1',
  ]);
  expect(await topicSize(dlq)).toBe(0);
});

it(
  'INT-1 issue 12: a ticket the HTTP intake committed but could not dispatch is dispatched ' + 'by the sweep, once',
  async () => {
    const kinds = probeKinds();
    // What POST /support/tickets leaves when Temporal fails after the commit: the ticket RECEIVED, a 503.
    const ticketId = `TMP-H-${uniqueSuffix()}`;
    const ticket = { ticketId, kind: 'probe-request', payload: { note: 'Temporal was away' } };
    await api.db.$transaction((tx) => intakeTicket(tx, kinds, ticket, 'http'));
    const newer = `TMP-N-${uniqueSuffix()}`;
    await api.db.$transaction((tx) => intakeTicket(tx, kinds, { ...ticket, ticketId: newer }, 'http'));
    await api.db.supportTicket.update({ where: { ticketId }, data: { receivedAt: new Date(Date.now() - 120_000) } });

    const first = await dispatchWaitingTickets(api.db, kinds, { settleMs: 60_000 });
    // The older ticket is dispatched; the one received just now is left to the intake still dispatching it.
    expect(first.dispatched).toContain(ticketId);
    expect(first.dispatched).not.toContain(newer);
    expect(first.failed).toEqual([]);
    const stored = await api.db.supportTicket.findUniqueOrThrow({ where: { ticketId } });
    expect(stored).toMatchObject({ status: 'DISPATCHED', workflowId: `outage-probe-${ticketId}` });
    expect((await api.temporal.workflow.getHandle(`outage-probe-${ticketId}`).describe()).status.name).toBe(
      'RUNNING',
    );

    const again = await dispatchWaitingTickets(api.db, kinds, { settleMs: 60_000 });
    expect(again.dispatched).not.toContain(ticketId);
    const events = await api.db.outboxEvent.findMany({
      where: { aggregateId: ticketId },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((e) => e.type)).toEqual([
      'partneraccess.support.ticket-received.v1',
      'partneraccess.support.ticket-dispatched.v1',
    ]);
    await api.db.supportTicket.delete({ where: { ticketId: newer } });
  },
);
