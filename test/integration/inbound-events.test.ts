// INT-1 and INT-2: the support-ticket and CRM topics, through the consumer framework, against the
// real broker, database and Temporal server.
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { createLogger } from '../../platform/logger';
import { InboundConsumer } from '../../events/consumer';
import { crmAccountOwnerHandler } from '../../events/inbound/crm-account-owners';
import { supportTicketHandler, TicketKinds } from '../../events/inbound/support-tickets';
import { InboundTypes } from '../../domain/events';
import { uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { createUser } from '../support/world';
import { collect, createTestTopic, deleteTopics, produce, testKafka, waitUntil } from '../support/kafka';

const logger = createLogger('test-inbound', 'silent');
let api: TestApi;
let kafka: Kafka;
const topics: string[] = [];
const consumers: InboundConsumer[] = [];
const workflowIds: string[] = [];
const probeQueue = `ticket-probe-${uniqueSuffix()}`;

/** A ticket kind for these tests: starts a real workflow (no worker polls its queue, so it stays running). */
function probeKinds(): TicketKinds {
  return new TicketKinds().register({
    kind: 'probe-request',
    summary: 'Test kind',
    payload: z.strictObject({ note: z.string().min(1) }),
    async dispatch({ ticketId }) {
      const workflowId = `ticket-probe-${ticketId}`;
      await api.temporal.workflow.start('stackProbe', {
        taskQueue: probeQueue,
        workflowId,
        args: ['nobody@example.test'],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      workflowIds.push(workflowId);
      return { workflowId };
    },
  });
}

beforeAll(async () => {
  api = await startTestApi(probeKinds());
  kafka = testKafka();
});
afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  for (const id of new Set(workflowIds))
    await api.temporal.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await deleteTopics(kafka, topics);
  await api.close();
});

async function startConsumer(name: string, handlers: any[], extra: { deadLetterTopic: string }) {
  const topic = await createTestTopic(kafka, name);
  topics.push(topic);
  const consumer = new InboundConsumer({
    name: `test-${name}-${uniqueSuffix()}`,
    topic,
    handlers,
    kafka: testKafka(),
    db: api.db,
    logger,
    retryBaseMs: 50,
    ...extra,
  });
  consumers.push(consumer);
  await consumer.start();
  return { topic, consumer };
}

describe('support tickets (INT-1)', () => {
  it(
    'INT-1 a malformed message and an unknown ticket kind land on the dead-letter topic with ' +
      'a reason; the next good ticket is still dispatched',
    async () => {
      const dlq = await createTestTopic(kafka, 'dlq', 1);
      topics.push(dlq);
      const { topic, consumer } = await startConsumer('tickets', [supportTicketHandler(probeKinds(), api.db)], {
        deadLetterTopic: dlq,
      });
      const good = `T-${uniqueSuffix()}`;
      await produce(kafka, topic, [
        { raw: { key: 'x', value: '{"ticketId": broken', headers: { ce_specversion: '1.0' } } },
        {
          type: InboundTypes.supportTicketSubmitted,
          key: 'T-unknown',
          data: { ticketId: `T-${uniqueSuffix()}`, kind: 'teleport-request', payload: {} },
        },
        {
          type: InboundTypes.supportTicketSubmitted,
          key: good,
          data: { ticketId: good, kind: 'probe-request', payload: { note: 'please' } },
        },
      ]);

      // Two keys, two partitions: the dead letters may arrive in either order.
      const dead = await collect(kafka, dlq, (all) => all.length >= 2);
      expect(dead).toHaveLength(2);
      const malformed = dead.find((d) => d.key === 'x')!;
      const unknownKind = dead.find((d) => d.key === 'T-unknown')!;
      expect(malformed.headers.dlq_reason).toMatch(/not a CloudEvents 1\.0 binary-mode record/);
      expect(malformed.value).toBe('{"ticketId": broken'); // the original, untouched, for replay
      expect(unknownKind.headers.dlq_reason).toMatch(
        /unknown-kind: unknown ticket kind "teleport-request" \(known: probe-request\)/,
      );
      expect(unknownKind.headers).toMatchObject({
        dlq_topic: topic,
        dlq_consumer: expect.stringMatching(/^test-tickets-/),
      });

      await waitUntil(
        'the good ticket dispatched',
        async () => (await api.db.supportTicket.findUnique({ where: { ticketId: good } }))?.status === 'DISPATCHED',
      );
      const ticket = await api.db.supportTicket.findUniqueOrThrow({ where: { ticketId: good } });
      expect(ticket).toMatchObject({ kind: 'probe-request', channel: 'kafka', workflowId: `ticket-probe-${good}` });
      const run = await api.temporal.workflow.getHandle(ticket.workflowId!).describe();
      expect(run.status.name).toBe('RUNNING');
      expect(consumer.outcomes).toEqual({ applied: 1, duplicate: 0, 'dead-lettered': 2 });
      const events = await api.db.outboxEvent.findMany({
        where: { aggregateId: good },
        orderBy: { sequence: 'asc' },
      });
      expect(events.map((e) => e.type)).toEqual([
        'partneraccess.support.ticket-received.v1',
        'partneraccess.support.ticket-dispatched.v1',
      ]);
    },
  );

  it(
    'INT-1 the HTTP intake: support agents only, unknown kind 422, bad payload 400, a ' +
      'repeated ticket changes nothing, a reused id with other content 409',
    async () => {
      const agent = await createUser(api.db);
      await api.db.supportAgent.create({ data: { userId: agent.id } });
      const token = await api.token(agent.id);
      const ticketId = `HD-${uniqueSuffix()}`;
      const body = { ticketId, kind: 'probe-request', payload: { note: 'from the help desk' } };

      const outsider = await createUser(api.db);
      expect((await api.call('POST', '/support/tickets', { token: await api.token(outsider.id), body })).status).toBe(
        403,
      );
      const unknown = await api.call('POST', '/support/tickets', {
        token,
        body: { ...body, kind: 'teleport-request' },
      });
      expect(unknown).toMatchObject({
        status: 422,
        body: { type: 'https://partner-access.example/problems/unprocessable', reason: 'unknown-kind' },
      });
      const badPayload = await api.call('POST', '/support/tickets', {
        token,
        body: { ...body, payload: { note: '' } },
      });
      expect(badPayload).toMatchObject({ status: 400, body: { reason: 'invalid-payload' } });
      const extraField = await api.call('POST', '/support/tickets', { token, body: { ...body, priority: 'high' } });
      expect(extraField.status).toBe(400);
      expect(await api.db.supportTicket.count({ where: { ticketId } })).toBe(0); // refusals leave nothing

      const first = await api.call('POST', '/support/tickets', { token, body });
      expect(first).toMatchObject({
        status: 202,
        body: { ticketId, status: 'DISPATCHED', workflowId: `ticket-probe-${ticketId}`, duplicate: false },
      });
      const again = await api.call('POST', '/support/tickets', { token, body });
      expect(again).toMatchObject({
        status: 200,
        body: { ticketId, workflowId: `ticket-probe-${ticketId}`, duplicate: true },
      });
      expect(await api.db.outboxEvent.count({ where: { aggregateId: ticketId } })).toBe(2);
      const countRuns = async () => {
        let count = 0;
        for await (const _ of api.temporal.workflow.list({ query: `WorkflowId = "ticket-probe-${ticketId}"` }))
          count++;
        return count;
      };
      // Temporal's visibility lags the start (seconds on a loaded machine): wait for the run to show up.
      await waitUntil('the run is listed', async () => (await countRuns()) > 0, 30000, 250);
      expect(await countRuns()).toBe(1);

      const reused = await api.call('POST', '/support/tickets', {
        token,
        body: { ...body, payload: { note: 'something else' } },
      });
      expect(reused).toMatchObject({ status: 409, body: { reason: 'ticket-id-reused' } });
    },
  );
});

describe('CRM Account Owner status (INT-2)', () => {
  it(
    'INT-2 a CRM event replayed three times changes the stored status once; older news never ' + 'overwrites newer',
    async () => {
      const dlq = await createTestTopic(kafka, 'crm-dlq', 1);
      topics.push(dlq);
      const { topic, consumer } = await startConsumer('crm', [crmAccountOwnerHandler()], { deadLetterTopic: dlq });
      const partner = await createUser(api.db, { firmName: 'Northwind' });
      const org = await api.db.organization.create({
        data: { name: 'CRM Org', externalId: `CRM-${uniqueSuffix()}` },
      });
      const data = {
        organizationExternalId: org.externalId!,
        partnerEmail: partner.email.toUpperCase(),
        partnerFirmName: 'Northwind',
        isAccountOwner: true,
        asOf: '2026-11-01T00:00:00Z',
      };
      const id = `crm-event-${uniqueSuffix()}`;
      const record = { type: InboundTypes.crmAccountOwnerStatus, key: org.externalId!, data, id };
      await produce(kafka, topic, [record, record, record]);
      await waitUntil('three deliveries handled', () => consumer.outcomes.applied + consumer.outcomes.duplicate >= 3);
      expect(consumer.outcomes).toMatchObject({ applied: 1, duplicate: 2 });

      const key = { organizationExternalId: org.externalId!, partnerEmail: partner.email };
      const stored = await api.db.crmAccountOwnerStatus.findUniqueOrThrow({
        where: { organizationExternalId_partnerEmail: key },
      });
      expect(stored).toMatchObject({ isAccountOwner: true, sourceEventId: id });
      const changed = () =>
        api.db.outboxEvent.findMany({
          where: { aggregateId: org.externalId!, type: 'partneraccess.crm.account-owner-status-changed.v1' },
          orderBy: { sequence: 'asc' },
        });
      expect(await changed()).toHaveLength(1);
      expect((await changed())[0].data).toEqual({
        organizationExternalId: org.externalId,
        organizationId: org.id,
        partnerUserId: partner.id,
        isAccountOwner: true,
        asOf: '2026-11-01T00:00:00.000Z',
      });

      // Older news (another event id) does not overwrite; newer news that differs does.
      await produce(kafka, topic, [
        {
          type: InboundTypes.crmAccountOwnerStatus,
          key: org.externalId!,
          data: { ...data, isAccountOwner: false, asOf: '2026-10-01T00:00:00Z' },
        },
        {
          type: InboundTypes.crmAccountOwnerStatus,
          key: org.externalId!,
          data: { ...data, isAccountOwner: false, asOf: '2026-11-15T00:00:00Z' },
        },
      ]);
      await waitUntil('two more applied', () => consumer.outcomes.applied >= 3);
      const after = await api.db.crmAccountOwnerStatus.findUniqueOrThrow({
        where: { organizationExternalId_partnerEmail: key },
      });
      expect(after).toMatchObject({ isAccountOwner: false, asOf: new Date('2026-11-15T00:00:00Z') });
      expect((await changed()).map((e) => (e.data as { isAccountOwner: boolean }).isAccountOwner)).toEqual([
        true,
        false,
      ]);
    },
  );

  it('INT-2 a CRM message that does not fit its schema is dead-lettered with the field named', async () => {
    const dlq = await createTestTopic(kafka, 'crm-dlq', 1);
    topics.push(dlq);
    const { topic } = await startConsumer('crm-bad', [crmAccountOwnerHandler()], { deadLetterTopic: dlq });
    await produce(kafka, topic, [
      {
        type: InboundTypes.crmAccountOwnerStatus,
        key: 'k',
        data: {
          organizationExternalId: 'X',
          partnerEmail: 'not-an-email',
          partnerFirmName: 'F',
          isAccountOwner: 'yes',
          asOf: 'today',
        },
      },
    ]);
    const [dead] = await collect(kafka, dlq, (all) => all.length >= 1);
    expect(dead.headers.dlq_reason).toMatch(/partnerEmail/);
    expect(dead.headers.dlq_reason).toMatch(/isAccountOwner/);
  });
});

describe('AsyncAPI', () => {
  it(
    'INT-3 /asyncapi.json describes every topic and every event type, with payload schemas ' + 'from the contracts',
    async () => {
      const res = await api.call('GET', '/asyncapi.json');
      expect(res.status).toBe(200);
      expect(res.body.asyncapi).toBe('3.0.0');
      const addresses = Object.values(res.body.channels).map((c: any) => c.address);
      expect(addresses).toEqual(
        expect.arrayContaining([
          'partner-access.domain-events.v1',
          'partner-access.support-tickets.v1',
          'partner-access.crm-account-owners.v1',
          'partner-access.dead-letter.v1',
        ]),
      );
      const names = Object.values(res.body.components.messages).map((m: any) => m.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'partneraccess.identity.user-profile-updated.v1',
          'crm.account-owner-status.v1',
          'support.ticket-submitted.v1',
        ]),
      );
      const crm = Object.values(res.body.components.messages).find(
        (m: any) => m.name === 'crm.account-owner-status.v1',
      ) as any;
      expect(crm.payload).toEqual({ $ref: '#/components/schemas/CrmAccountOwnerStatusV1' });
      const payload = res.body.components.schemas.CrmAccountOwnerStatusV1;
      expect(payload.required).toEqual(
        expect.arrayContaining(['organizationExternalId', 'partnerEmail', 'isAccountOwner', 'asOf']),
      );
      expect(payload.additionalProperties).toBe(false);
    },
  );
});
