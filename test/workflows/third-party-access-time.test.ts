// TPU-1 and AM-5 over days, in seconds: Temporal's time-skipping test server, the real workflow and
// the real activities (test database, SMTP sink).
import type { Database } from '../../platform/database';
import { effectiveAccess } from '../../domain/access';
import { relationshipIdFor } from '../../domain/third-party-access';
import {
  relationshipQuery,
  setAccessUpdate,
  thirdPartyAccessWorkflowId,
  type ThirdPartyAccessInput,
} from '../../workflows/third-party-access/messages';
import { config, mailSink, uniqueSuffix } from '../support/services';
import { createOrganization, createUser } from '../support/world';
import { waitUntil } from '../support/kafka';
import { startTimeSkipping, type TimeSkipping } from '../support/time-skipping';

let ts: TimeSkipping;
let db: Database;

beforeAll(async () => {
  ts = await startTimeSkipping('time');
  db = ts.db;
});
afterAll(() => ts?.stop());

async function startRequest(email: string) {
  const { org } = await createOrganization(db, { ORG_ADMIN: 1 });
  const relationshipId = relationshipIdFor(config.RELATIONSHIP_ID_KEY, email);
  const input: ThirdPartyAccessInput = {
    organizationId: org.id,
    relationshipId,
    thirdParty: { name: 'Late Comer', firmName: 'Elsewhere', email },
    origin: 'REQUEST',
    requestedByUserId: null,
    ticketId: null,
  };
  const handle = await ts.env.client.workflow.start('thirdPartyAccess', {
    taskQueue: ts.taskQueue,
    workflowId: thirdPartyAccessWorkflowId(org.id, relationshipId),
    args: [input],
  });
  // Skip time only once the workflow is parked on its timer: skipping while its first task is still
  // pending lets the test server jump straight to the (10-year) execution timeout.
  await waitUntil(
    'parked awaiting the account',
    async () => (await state(handle.workflowId)) === 'AWAITING_ACCOUNT',
    15000,
  );
  await new Promise((r) => setTimeout(r, 500));
  return handle;
}

const state = async (workflowId: string) =>
  (await db.thirdPartyRelationship.findFirst({ where: { workflowId } }))?.state;

it(
  'TPU-1 a third party who creates their account two days later: the waiting request ' + 'proceeds on its own',
  async () => {
    const email = `late-${uniqueSuffix()}@elsewhere.example`;
    const handle = await startRequest(email);
    await ts.env.sleep('2 days');
    expect((await handle.query(relationshipQuery)).state).toBe('AWAITING_ACCOUNT');
    // The account appears without any signal: the workflow finds it at its next look-up (every 6 hours).
    const user = await db.user.create({ data: { email, displayName: 'Late Comer' } });
    await ts.env.sleep('7 hours');
    // The timer fired in skipped time; the look-up and transition activities still take real time.
    await waitUntil(
      'the request moves on',
      async () => (await handle.query(relationshipQuery)).state === 'REQUESTED',
      15000,
    );
    expect(await handle.query(relationshipQuery)).toMatchObject({ state: 'REQUESTED', thirdPartyUserId: user.id });
    await handle.terminate('test over');
  },
);

it(
  'TPU-1 a third party who never creates an account: after the default 14 days the request ' + 'ends with its reason',
  async () => {
    const handle = await startRequest(`never-${uniqueSuffix()}@elsewhere.example`);
    await ts.env.sleep('13 days');
    expect(await state(handle.workflowId)).toBe('AWAITING_ACCOUNT');
    // Bounded steps (never an open-ended skip): the deadline is at 14 days.
    await ts.env.sleep('2 days');
    await waitUntil('expired', async () => (await state(handle.workflowId)) === 'EXPIRED', 15000);
    const row = await db.thirdPartyRelationship.findFirstOrThrow({ where: { workflowId: handle.workflowId } });
    expect(row.reason).toMatch(/No account was created with this email within 14 days/);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  },
);

const DAY = 24 * 3600 * 1000;

it('AM-5 third-party access turns itself off on its end date', async () => {
  const { org, members } = await createOrganization(db, { ORG_ADMIN: 1 });
  const admin = members.ORG_ADMIN[0];
  const partner = await createUser(db, { firmName: 'Northwind Advisory' });
  const relationshipId = relationshipIdFor(config.RELATIONSHIP_ID_KEY, partner.email);
  // A CRM Account Owner with an account is listed at once (no support step), which is all this needs.
  const input: ThirdPartyAccessInput = {
    organizationId: org.id,
    relationshipId,
    thirdParty: { name: 'Nora Owner', firmName: 'Northwind Advisory', email: partner.email },
    origin: 'CRM',
    requestedByUserId: null,
    ticketId: null,
  };
  const workflowId = thirdPartyAccessWorkflowId(org.id, relationshipId);
  const handle = await ts.env.client.workflow.start('thirdPartyAccess', {
    taskQueue: ts.taskQueue,
    workflowId,
    args: [input],
  });
  const actor = { userId: admin.id };
  const row = () => db.thirdPartyRelationship.findFirst({ where: { workflowId } });
  await waitUntil('listed', async () => (await row())?.state === 'LISTED', 15000);

  // The end date in the workflow's clock (the test server's, which moves only when told).
  const startedAt = (await handle.describe()).startTime.getTime();
  const until = new Date(startedAt + 30 * DAY).toISOString();
  const on = await handle.executeUpdate(setAccessUpdate, { args: [{ actor, access: 'on', until }] });
  expect(on).toMatchObject({ state: 'ACCESS_ON', accessEndsAt: until });
  expect(await row()).toMatchObject({ accessGrantedById: admin.id, accessEndsAt: new Date(until) });
  expect((await row())!.accessGrantedAt).toBeInstanceOf(Date);
  const email = await mailSink.waitFor(partner.email, /third-party access was turned on/);
  expect(email.text).toMatch(/It ends on \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  // Skip time only once the workflow is parked on its timer (see third-party-access-time.test.ts).
  await new Promise((r) => setTimeout(r, 500));

  await ts.env.sleep('29 days');
  expect((await handle.query(relationshipQuery)).state).toBe('ACCESS_ON');
  expect(await effectiveAccess(db, partner.id, org.id)).toEqual({ level: 'THIRD_PARTY', via: 'third-party-access' });

  await ts.env.sleep('2 days');
  // The timer fired in skipped time; the transition activity still takes real time.
  await waitUntil('access ended', async () => (await row())?.state === 'LISTED', 15000);
  const ended = (await row())!;
  expect(ended).toMatchObject({ accessGrantedById: null, accessGrantedAt: null, accessEndsAt: null });
  expect(ended.reason).toMatch(/^Access ended on its end date \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
  expect(await effectiveAccess(db, partner.id, org.id)).toBeNull();
  expect(await handle.query(relationshipQuery)).toMatchObject({ state: 'LISTED', accessEndsAt: null });
  // Recorded like an org admin's "off" (the same event), with no one as its actor: the engine did it.
  const events = await db.outboxEvent.findMany({ where: { aggregateId: workflowId }, orderBy: { sequence: 'asc' } });
  const types = events.map((e) => e.type.replace('partneraccess.tpu.', ''));
  expect(types).toEqual(['listed.v1', 'access-enabled.v1', 'access-disabled.v1']);
  expect(events[1].data).toMatchObject({ actorUserId: admin.id });
  expect(events[2].data).toMatchObject({ actorUserId: null, state: 'LISTED' });

  // Turned off before its end date, access stays off: the old end date does nothing.
  const again = new Date(startedAt + 40 * DAY).toISOString();
  await handle.executeUpdate(setAccessUpdate, { args: [{ actor, access: 'on', until: again }] });
  await handle.executeUpdate(setAccessUpdate, { args: [{ actor, access: 'off' }] });
  await new Promise((r) => setTimeout(r, 500));
  await ts.env.sleep('10 days');
  await new Promise((r) => setTimeout(r, 500));
  expect(await db.outboxEvent.count({ where: { aggregateId: workflowId } })).toBe(5);
  expect((await row())!.reason).toBe('Access is off: ask an org admin of the organization to turn it on.');
  await handle.terminate('test over');
});
