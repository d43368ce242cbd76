// TPU-2 by support ticket and TPU-5 by the CRM: the third-party-user process started by other
// systems through Kafka and the HTTP ticket intake, on the real stack.
import type { Kafka } from 'kafkajs';
import { createLogger } from '../../platform/logger';
import { InboundConsumer } from '../../events/consumer';
import { crmAccountOwnerHandler } from '../../events/inbound/crm-account-owners';
import { accountOwnerToThirdPartyAccess } from '../../events/inbound/account-owner-to-tpu';
import { InboundTypes } from '../../domain/events';
import { mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createOrganization, createUser } from '../support/world';
import { createTestTopic, deleteTopics, produce, testKafka, waitUntil } from '../support/kafka';

let api: TestApi;
let worker: TestWorker;
let kafka: Kafka;
const topics: string[] = [];
const consumers: InboundConsumer[] = [];

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue });
  kafka = testKafka();
});
afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await deleteTopics(kafka, topics);
  await api.close();
  await worker.stop();
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

it(
  'TPU-5 INT-2 a CRM Account Owner is listed directly with access off (no support step); ' +
    'replays change nothing; losing the status removes what the CRM granted',
  async () => {
    const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1 });
    await api.db.organization.update({ where: { id: org.id }, data: { externalId: `CRM-${uniqueSuffix()}` } });
    const partner = await createUser(api.db, { firmName: 'Northwind Advisory' });
    const topic = await createTestTopic(kafka, 'crm-tpu');
    topics.push(topic);
    const consumer = new InboundConsumer({
      name: `test-crm-tpu-${uniqueSuffix()}`,
      topic,
      handlers: [crmAccountOwnerHandler([accountOwnerToThirdPartyAccess(api.thirdPartyAccess)])],
      kafka: testKafka(),
      db: api.db,
      logger: createLogger('test', 'silent'),
    });
    consumers.push(consumer);
    await consumer.start();

    const externalId = (await api.db.organization.findUniqueOrThrow({ where: { id: org.id } })).externalId!;
    const owner = {
      organizationExternalId: externalId,
      partnerEmail: partner.email,
      partnerFirmName: 'Northwind Advisory',
      isAccountOwner: true,
      asOf: '2026-11-01T00:00:00Z',
    };
    const id = `crm-${uniqueSuffix()}`;
    await produce(
      kafka,
      topic,
      [1, 2, 3].map(() => ({ type: InboundTypes.crmAccountOwnerStatus, key: externalId, data: owner, id })),
    );
    await waitUntil('listed', async () => (await relationship(org.id, partner.email))?.state === 'LISTED', 30000);
    const listed = (await relationship(org.id, partner.email))!;
    expect(listed).toMatchObject({ state: 'LISTED', origin: 'CRM', thirdPartyUserId: partner.id });
    await mailSink.waitFor(members.ORG_ADMIN[0].email, /was added as a third-party user/);
    await waitUntil('three deliveries', () => consumer.outcomes.applied + consumer.outcomes.duplicate >= 3);
    expect(consumer.outcomes).toMatchObject({ applied: 1, duplicate: 2 });
    const { workflowId } = api.thirdPartyAccess.workflowIdFor(org.id, partner.email);
    const types = async () =>
      (await api.db.outboxEvent.findMany({ where: { aggregateId: workflowId }, orderBy: { sequence: 'asc' } })).map(
        (e) => e.type,
      );
    expect(await types()).toEqual(['partneraccess.tpu.listed.v1']);

    // The CRM later says they are no longer the Account Owner: the CRM-granted relationship is removed.
    await produce(kafka, topic, [
      {
        type: InboundTypes.crmAccountOwnerStatus,
        key: externalId,
        data: { ...owner, isAccountOwner: false, asOf: '2026-11-10T00:00:00Z' },
      },
    ]);
    await waitUntil('removed', async () => (await relationship(org.id, partner.email))?.state === 'REMOVED', 30000);
    expect((await relationship(org.id, partner.email))!.reason).toMatch(/no longer lists them as the Account Owner/);
    expect(await types()).toEqual(['partneraccess.tpu.listed.v1', 'partneraccess.tpu.removed.v1']);
  },
);

it('TPU-2 INT-1 a tpu-request support ticket starts the request; the same ticket again changes nothing', async () => {
  const { org } = await createOrganization(api.db, { ORG_ADMIN: 1 });
  const consultant = await createUser(api.db, { firmName: 'Ledgerwise' });
  const agent = await createUser(api.db);
  await api.db.supportAgent.create({ data: { userId: agent.id } });
  const token = await api.token(agent.id);
  const ticketId = `HD-${uniqueSuffix()}`;
  const ticket = {
    ticketId,
    kind: 'tpu-request',
    payload: { organizationId: org.id, thirdPartyName: 'Carla', firmName: 'Ledgerwise', email: consultant.email },
  };
  // The API under test registers the engine's real ticket kinds.
  const intake = await startTestApi({ taskQueue: worker.taskQueue, ticketKinds: 'engine' });
  try {
    const first = await intake.call('POST', '/support/tickets', { token, body: ticket });
    const { workflowId } = api.thirdPartyAccess.workflowIdFor(org.id, consultant.email);
    expect(first).toMatchObject({ status: 202, body: { workflowId, status: 'DISPATCHED' } });
    expect(await relationship(org.id, consultant.email)).toMatchObject({
      state: 'REQUESTED',
      origin: 'SUPPORT_TICKET',
      ticketId,
    });
    const historyBefore = (await api.temporal.workflow.getHandle(workflowId).fetchHistory()).events!.length;
    const again = await intake.call('POST', '/support/tickets', { token, body: ticket });
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, workflowId } });
    expect((await api.temporal.workflow.getHandle(workflowId).fetchHistory()).events!.length).toBe(historyBefore);
    // INT-4: found by ticket id.
    await waitUntil(
      'visible by ticket',
      async () => {
        for await (const x of api.temporal.workflow.list({ query: `TicketId = "${ticketId}"` }))
          if (x.workflowId === workflowId) return true;
        return false;
      },
      20000,
    );
    const missingField = await intake.call('POST', '/support/tickets', {
      token,
      body: { ...ticket, ticketId: `HD-${uniqueSuffix()}`, payload: { organizationId: org.id } },
    });
    expect(missingField).toMatchObject({ status: 400, body: { reason: 'invalid-payload' } });
  } finally {
    await intake.close();
  }
});
