// PA-4 and PP-2 by support ticket (INT-1) on the real stack: a customer account's access model
// changes only by an `access-model-change` ticket, over HTTP or Kafka; the change revokes what the
// new model no longer allows and tells both sides. A `duplicate-email-fix` ticket frees a portal
// email the way support's HTTP action does. Every outcome goes back to the help desk as an event.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createLogger } from '../../platform/logger';
import { InboundConsumer } from '../../events/consumer';
import { supportTicketHandler } from '../../events/inbound/support-tickets';
import { createTicketKinds } from '../../events/inbound/ticket-kinds';
import { InboundTypes } from '../../domain/events';
import { HELP_DESK_ACTOR_ID } from '../../domain/support-actions';
import { mailSink, uniqueSuffix } from '../support/services';
import { apiWithWorker } from '../support/api';
import { createCustomerAccount, createOrganization, createPartnerAccount, createUser } from '../support/world';
import { collect, createTestTopic, deleteTopics, produce, testKafka, waitUntil } from '../support/kafka';
import { emailsTo } from '../support/links';
import { saveHistory } from '../support/histories';

const P = 'https://partner-access.example/problems/';
const running = apiWithWorker({ ticketKinds: 'engine' });
let kafka: Kafka;
const topics: string[] = [];
const consumers: InboundConsumer[] = [];

beforeAll(() => {
  kafka = testKafka();
});
afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await deleteTopics(kafka, topics);
});

const db = () => running.api.db;

async function supportToken() {
  const agent = await createUser(db());
  await db().supportAgent.create({ data: { userId: agent.id } });
  return running.api.token(agent.id);
}

/** A partner account (an Account Owner and two staff) with a customer account (an org admin, a member). */
async function partnerWithCustomer(accessModel: 'AUTOMATIC' | 'INVITE_GUEST') {
  const partner = await createPartnerAccount(db(), ['ACCOUNT_OWNER', 'STAFF', 'STAFF']);
  const people = { ORG_ADMIN: 1, MEMBER: 1 };
  const customer = await createCustomerAccount(db(), partner.firm.id, { accessModel, people });
  const [owner, staff, staffAdmin] = partner.staff;
  return { firm: partner.firm, owner, staff, staffAdmin, org: customer.org, admin: customer.members.ORG_ADMIN[0] };
}

/** An open invitation into the customer account, as its kind's sender opens it. */
async function invite(kind: 'CUSTOMER_USER' | 'ACCOUNT_GUEST', scopeId: string, invitedByUserId: string) {
  const invitee = { email: `invitee-${uniqueSuffix()}@elsewhere.example`, firstName: 'Ines', lastName: 'Vitee' };
  const offer = { role: 'MEMBER' as const };
  const { view } = await running.api.invitations.open({ kind, scopeId, invitee, invitedByUserId, offer });
  expect(view).toMatchObject({ state: 'PENDING', refused: null });
  return view.invitationId;
}
const stateOf = async (id: string) => (await db().invitation.findUniqueOrThrow({ where: { id } })).state;
const modelOf = async (organizationId: string) =>
  (await db().customerAccount.findUniqueOrThrow({ where: { organizationId } })).accessModel;
const eventsOf = async (aggregateId: string) =>
  (await db().outboxEvent.findMany({ where: { aggregateId }, orderBy: { sequence: 'asc' } })).map((e) => ({
    type: e.type,
    data: e.data as any,
  }));
const ticketTypes = (suffix: string[]) => suffix.map((s) => `partneraccess.support.ticket-${s}.v1`);

it(
  'PA-4 INT-1 by HTTP ticket: AUTOMATIC → INVITE_GUEST changes the model, revokes the open ' +
    'customer-user invitations partner staff sent (not those an org admin sent), tells both ' +
    'sides; the same ticket again changes nothing',
  async () => {
    const w = await partnerWithCustomer('AUTOMATIC');
    // A partner user who is also an org admin of the customer sends theirs as the customer's own admin.
    await db().membership.create({ data: { userId: w.staffAdmin.id, organizationId: w.org.id, role: 'ORG_ADMIN' } });
    const byStaff = await invite('CUSTOMER_USER', w.org.id, w.staff.id);
    const byAdmin = await invite('CUSTOMER_USER', w.org.id, w.admin.id);
    const byStaffAdmin = await invite('CUSTOMER_USER', w.org.id, w.staffAdmin.id);
    const other = await createCustomerAccount(db(), w.firm.id);
    const intoOtherAccount = await invite('CUSTOMER_USER', other.org.id, w.staff.id);

    const token = await supportToken();
    const ticketId = `HD-${uniqueSuffix()}`;
    const reason = 'The customer wants to invite its partner as guests';
    const ticket = {
      ticketId,
      kind: 'access-model-change',
      payload: { organizationId: w.org.id, accessModel: 'INVITE_GUEST', reason },
    };
    const workflowId = `access-model-change-${ticketId}`;
    const first = await running.api.call('POST', '/support/tickets', { token, body: ticket });
    expect(first).toMatchObject({
      status: 202,
      body: { ticketId, status: 'DISPATCHED', workflowId, duplicate: false },
    });

    const handle = running.api.accessModelChanges.handle(ticketId);
    expect(await handle.result()).toMatchObject({
      state: 'COMPLETED',
      from: 'AUTOMATIC',
      to: 'INVITE_GUEST',
      revokedInvitations: 1,
    });
    expect(await modelOf(w.org.id)).toBe('INVITE_GUEST');
    expect(await stateOf(byStaff)).toBe('REVOKED');
    const kept = await Promise.all([byAdmin, byStaffAdmin, intoOtherAccount].map(stateOf));
    expect(kept).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(await eventsOf(byStaff)).toContainEqual({
      type: 'partneraccess.invitation.revoked.v1',
      data: expect.objectContaining({ actorUserId: null }),
    });

    // The change, its audit entry (the help desk as actor, the ticket in the detail) and its event.
    const [changed] = await eventsOf(w.org.id);
    expect(changed).toEqual({
      type: 'partneraccess.customer-account.access-model-changed.v1',
      data: {
        organizationId: w.org.id,
        partnerFirmId: w.firm.id,
        from: 'AUTOMATIC',
        to: 'INVITE_GUEST',
        ticketId,
        auditEntryId: expect.any(String),
      },
    });
    const audit = await db().auditEntry.findUniqueOrThrow({ where: { id: changed.data.auditEntryId } });
    expect(audit).toMatchObject({
      actorId: HELP_DESK_ACTOR_ID,
      action: 'customer-account.access-model-change',
      subjectId: w.org.id,
      detail: { ticketId, from: 'AUTOMATIC', to: 'INVITE_GUEST', changed: true, reason },
    });
    // Support hears back on the ticket's own aggregate.
    const ticketEvents = await eventsOf(ticketId);
    expect(ticketEvents.map((e) => e.type)).toEqual(ticketTypes(['received', 'dispatched', 'completed']));
    expect(ticketEvents[2].data).toMatchObject({
      outcome: 'APPLIED',
      kind: 'access-model-change',
      reason: expect.stringMatching(/1 open customer-user invitation revoked/),
    });

    // Both sides: the partner's Account Owner and the customer's org admins; not the partner's other staff.
    const subject = new RegExp(`${w.org.name} now uses invite-guest access for ${w.firm.name}`);
    const toOwner = await mailSink.waitFor(w.owner.email, subject);
    expect(toOwner.text).toMatch(/no longer manage/);
    expect((await mailSink.waitFor(w.admin.email, subject)).text).toMatch(/Only people you invite as guests/);
    expect(await emailsTo(w.staff.email, subject)).toHaveLength(0);

    const outboxBefore = await db().outboxEvent.count({ where: { aggregateId: { in: [ticketId, w.org.id] } } });
    const again = await running.api.call('POST', '/support/tickets', { token, body: ticket });
    expect(again).toMatchObject({ status: 200, body: { ticketId, duplicate: true, workflowId } });
    expect(await db().outboxEvent.count({ where: { aggregateId: { in: [ticketId, w.org.id] } } })).toBe(outboxBefore);
    expect(await db().auditEntry.count({ where: { subjectId: w.org.id } })).toBe(1);
    await saveHistory('access-model-change-completed', handle);
  },
);

it(
  'PA-4 INT-1 by Kafka: INVITE_GUEST → AUTOMATIC revokes nothing (guests stay); a ticket ' +
    'for the model in place completes unchanged and tells support; an unknown organization ' +
    'is dead-lettered',
  async () => {
    const dlq = await createTestTopic(kafka, 'model-dlq', 1);
    const topic = await createTestTopic(kafka, 'model-tickets');
    topics.push(dlq, topic);
    const { thirdPartyAccess, accessModelChanges, duplicateEmailFixes } = running.api;
    const consumer = new InboundConsumer({
      name: `test-model-tickets-${uniqueSuffix()}`,
      topic,
      handlers: [
        supportTicketHandler(createTicketKinds({ thirdPartyAccess, accessModelChanges, duplicateEmailFixes }), db()),
      ],
      kafka: testKafka(),
      db: db(),
      logger: createLogger('test', 'silent'),
      deadLetterTopic: dlq,
    });
    consumers.push(consumer);
    await consumer.start();

    const w = await partnerWithCustomer('INVITE_GUEST');
    const guest = await db().membership.create({
      data: {
        userId: w.staff.id,
        organizationId: w.org.id,
        role: 'MEMBER',
        source: 'GUEST',
        grantedById: w.admin.id,
      },
    });
    const guestInvitation = await invite('ACCOUNT_GUEST', w.org.id, w.admin.id);
    const customerUser = await invite('CUSTOMER_USER', w.org.id, w.staff.id);

    const submit = (ticketId: string, payload: Record<string, unknown>) =>
      produce(kafka, topic, [
        {
          type: InboundTypes.supportTicketSubmitted,
          key: ticketId,
          data: { ticketId, kind: 'access-model-change', payload },
        },
      ]);
    const dispatched = (ticketId: string) =>
      waitUntil(`ticket ${ticketId} dispatched`, async () => {
        return (await db().supportTicket.findUnique({ where: { ticketId } }))?.status === 'DISPATCHED';
      });

    const back = `HD-${uniqueSuffix()}`;
    await submit(back, { organizationId: w.org.id, accessModel: 'AUTOMATIC' });
    await dispatched(back);
    expect(await accessModelChanges.handle(back).result()).toMatchObject({
      state: 'COMPLETED',
      from: 'INVITE_GUEST',
      to: 'AUTOMATIC',
      revokedInvitations: 0,
    });
    expect(await modelOf(w.org.id)).toBe('AUTOMATIC');
    expect(await db().membership.findUnique({ where: { id: guest.id } })).not.toBeNull();
    expect(await Promise.all([guestInvitation, customerUser].map(stateOf))).toEqual(['PENDING', 'PENDING']);
    const subject = new RegExp(`${w.org.name} now uses automatic partner access for ${w.firm.name}`);
    expect((await mailSink.waitFor(w.owner.email, subject)).text).toMatch(/manage .* users again/);
    expect((await mailSink.waitFor(w.admin.email, subject)).text).toMatch(/Guests you invited keep their access/);

    // The model already in place: nothing changes, and support is told so.
    const same = `HD-${uniqueSuffix()}`;
    await submit(same, { organizationId: w.org.id, accessModel: 'AUTOMATIC', reason: 'asked twice' });
    await dispatched(same);
    const handle = accessModelChanges.handle(same);
    expect(await handle.result()).toMatchObject({ state: 'UNCHANGED', from: 'AUTOMATIC', to: 'AUTOMATIC' });
    const outcome = (await eventsOf(same)).find((e) => e.type === 'partneraccess.support.ticket-completed.v1');
    expect(outcome?.data).toMatchObject({
      outcome: 'UNCHANGED',
      reason: 'The access model already was AUTOMATIC; nothing changed.',
    });
    const orgEvents = (await eventsOf(w.org.id)).map((e) => e.type);
    expect(orgEvents).toEqual(['partneraccess.customer-account.access-model-changed.v1']);
    expect(await modelOf(w.org.id)).toBe('AUTOMATIC');

    // What the ticket names does not exist: poison, straight to the dead letters (no retry makes it exist).
    const unknown = `HD-${uniqueSuffix()}`;
    await submit(unknown, { organizationId: randomUUID(), accessModel: 'INVITE_GUEST' });
    const [dead] = await collect(kafka, dlq, (all) => all.length >= 1);
    expect(dead.key).toBe(unknown);
    expect(dead.headers.dlq_reason).toMatch(/^unknown-subject: No customer account has this organization id/);
    expect(await db().supportTicket.findUnique({ where: { ticketId: unknown } })).toBeNull();
    expect(consumer.outcomes).toEqual({ applied: 2, duplicate: 0, 'dead-lettered': 1 });
    await saveHistory('access-model-change-unchanged', handle);
  },
);

it(
  'PA-4 INT-1 over HTTP a ticket for an unknown organization, or one that is no customer ' +
    'account, is refused with 422 before anything is recorded; a payload off the contract is ' +
    '400',
  async () => {
    const token = await supportToken();
    const { org: notACustomer } = await createOrganization(db());
    const post = (payload: Record<string, unknown>, ticketId = `HD-${uniqueSuffix()}`) =>
      running.api.call('POST', '/support/tickets', {
        token,
        body: { ticketId, kind: 'access-model-change', payload },
      });

    for (const organizationId of [randomUUID(), notACustomer.id]) {
      const ticketId = `HD-${uniqueSuffix()}`;
      const refused = await post({ organizationId, accessModel: 'INVITE_GUEST' }, ticketId);
      expect(refused).toMatchObject({ status: 422, body: { type: `${P}unprocessable`, reason: 'unknown-subject' } });
      expect(refused.body.detail).toMatch(/No customer account has this organization id/);
      expect(await db().supportTicket.count({ where: { ticketId } })).toBe(0);
      expect(await db().outboxEvent.count({ where: { aggregateId: ticketId } })).toBe(0);
    }
    const badModel = await post({ organizationId: notACustomer.id, accessModel: 'GUESTS_ONLY' });
    expect(badModel).toMatchObject({ status: 400, body: { reason: 'invalid-payload' } });
    const extra = await post({ organizationId: notACustomer.id, accessModel: 'AUTOMATIC', priority: 'high' });
    expect(extra).toMatchObject({ status: 400, body: { reason: 'invalid-payload' } });
  },
);

it(
  'PA-4 a customer account gone between intake and workflow: the run ends REFUSED (not ' +
    'retried) and tells support',
  async () => {
    const ticketId = `HD-${uniqueSuffix()}`;
    const organizationId = randomUUID();
    await running.api.accessModelChanges.start({
      ticketId,
      organizationId,
      accessModel: 'INVITE_GUEST',
      reason: null,
    });
    const handle = running.api.accessModelChanges.handle(ticketId);
    expect(await handle.result()).toMatchObject({
      state: 'REFUSED',
      from: null,
      reason: expect.stringMatching(/not a customer account/),
    });
    const [completed] = await eventsOf(ticketId);
    expect(completed).toMatchObject({
      type: 'partneraccess.support.ticket-completed.v1',
      data: { outcome: 'REFUSED', workflowId: `access-model-change-${ticketId}` },
    });
    // One attempt: a refusal is not retried.
    const history = await handle.fetchHistory();
    const started = history.events!.flatMap((e) => e.activityTaskStartedEventAttributes ?? []);
    expect(started.map((a) => a.attempt)).toEqual([1, 1]);
    await saveHistory('access-model-change-refused', handle);
  },
);

it(
  'PP-2 INT-1 a duplicate-email-fix ticket frees a wrongly registered portal email (the ' +
    'invited user’s open invitation revoked), audited with the ticket; the right partner ' +
    'then registers it; a ticket for an email nobody holds is 422',
  async () => {
    const portalAdmin = await createUser(db());
    await db().portalAdmin.create({ data: { userId: portalAdmin.id, role: 'ADMIN' } });
    const admin = await running.api.token(portalAdmin.id);
    const addPartner = async (name: string) => {
      const body = { name, email: `hello-${uniqueSuffix()}@partner.example` };
      const res = await running.api.call('POST', '/portal/partners', { token: admin, body });
      expect(res.status).toBe(201);
      return res.body.partnerId as string;
    };
    const wrong = await addPartner(`Wrongway ${uniqueSuffix()}`);
    const right = await addPartner(`Rightway ${uniqueSuffix()}`);
    const email = `sam-${uniqueSuffix()}@partner.example`;
    const user = { firstName: 'Sam', lastName: 'Lee', email, phone: '+44 20 7946 0958' };
    const added = await running.api.call('POST', `/portal/partners/${wrong}/users`, { token: admin, body: user });
    expect(added.status).toBe(201);
    const invitationId = added.body.invitation.invitationId as string;
    const addUser = (partnerId: string) =>
      running.api.call('POST', `/portal/partners/${partnerId}/users`, { token: admin, body: user });
    expect((await addUser(right)).status).toBe(409);

    const token = await supportToken();
    const ticketId = `HD-${uniqueSuffix()}`;
    const reason = 'registered under the wrong partner';
    const ticket = { ticketId, kind: 'duplicate-email-fix', payload: { email: ` ${email.toUpperCase()}`, reason } };
    const first = await running.api.call('POST', '/support/tickets', { token, body: ticket });
    const workflowId = `duplicate-email-fix-${ticketId}`;
    expect(first).toMatchObject({ status: 202, body: { workflowId, status: 'DISPATCHED' } });
    const handle = running.api.duplicateEmailFixes.handle(ticketId);
    const result = await handle.result();
    expect(result).toMatchObject({
      state: 'FREED',
      auditEntryId: expect.any(String),
      reason: expect.stringMatching(/open invitation was revoked/),
    });

    expect(await stateOf(invitationId)).toBe('REVOKED');
    expect(await db().portalEmail.findUnique({ where: { email } })).toBeNull();
    const audit = await db().auditEntry.findUniqueOrThrow({ where: { id: result.auditEntryId! } });
    expect(audit).toMatchObject({
      actorId: HELP_DESK_ACTOR_ID,
      action: 'portal-email.freed',
      detail: { ticketId, reason, invitationRevoked: invitationId },
    });
    expect(await eventsOf(audit.subjectId)).toEqual([
      {
        type: 'partneraccess.portal.email-freed.v1',
        data: {
          ownerType: 'portal-partner-user',
          ownerId: audit.subjectId,
          actorUserId: HELP_DESK_ACTOR_ID,
          auditEntryId: audit.id,
        },
      },
    ]);
    const ticketEvents = await eventsOf(ticketId);
    expect(ticketEvents.map((e) => e.type)).toEqual(ticketTypes(['received', 'dispatched', 'completed']));
    expect(ticketEvents[2].data).toMatchObject({ outcome: 'APPLIED', kind: 'duplicate-email-fix' });
    expect(JSON.stringify(ticketEvents.map((e) => e.data))).not.toContain(email);

    // The right partner registers the email now.
    expect((await addUser(right)).status).toBe(201);
    const again = await running.api.call('POST', '/support/tickets', { token, body: ticket });
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });
    const byTicket = { action: 'portal-email.freed', detail: { path: ['ticketId'], equals: ticketId } };
    expect(await db().auditEntry.count({ where: byTicket })).toBe(1);

    const nobody = await running.api.call('POST', '/support/tickets', {
      token,
      body: {
        ticketId: `HD-${uniqueSuffix()}`,
        kind: 'duplicate-email-fix',
        payload: { email: `nobody-${uniqueSuffix()}@partner.example`, reason },
      },
    });
    expect(nobody).toMatchObject({
      status: 422,
      body: { reason: 'unknown-subject', detail: 'No partner or partner user in the portal has this email.' },
    });
    await saveHistory('duplicate-email-fix-freed', handle);
  },
);
