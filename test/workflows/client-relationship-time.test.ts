// AM-2 client relationships over months, in seconds: Temporal's time-skipping test server, the real
// workflow and the real activities (test database, SMTP sink). Approval, the notices before the end
// date, expiry, auto-extension and extension by hand, termination by either side, the approval window,
// and the worker adopting a row that has no workflow. Ending revokes what was delegated under it.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Database } from '../../platform/database';
import {
  ClientRelationshipsClient,
  type ClientRelationshipRequest,
} from '../../workflows/client-relationship/client';
import {
  clientRelationshipWorkflowId,
  type ClientRelationshipInput,
  type TerminateCommand,
} from '../../workflows/client-relationship/messages';
import type { clientRelationship } from '../../workflows/client-relationship/workflow';
import { uniqueSuffix } from '../support/services';
import { waitUntil } from '../support/kafka';
import { waitForEmails } from '../support/links';
import { createOrganization } from '../support/world';
import { startTimeSkipping, type TimeSkipping } from '../support/time-skipping';

const DAY_MS = 24 * 3600 * 1000;

let ts: TimeSkipping;
let db: Database;
let relationships: ClientRelationshipsClient;

beforeAll(async () => {
  ts = await startTimeSkipping('client-relationship-time');
  db = ts.db;
  relationships = new ClientRelationshipsClient({ temporal: ts.env.client, taskQueue: ts.taskQueue });
});
afterAll(() => ts?.stop());

/** A client organization with one org admin, and a firm with an Account Owner, a manager and staff. */
async function world() {
  const s = uniqueSuffix();
  const { org, members } = await createOrganization(db, { ORG_ADMIN: 1 });
  const firm = await db.partnerFirm.create({ data: { name: `Firm ${s}` } });
  const person = (role: 'ACCOUNT_OWNER' | 'ACCOUNT_MANAGER' | 'USER_MANAGER' | 'STAFF') =>
    db.user.create({
      data: {
        email: `${role.toLowerCase()}-${s}@firm-${s}.example`,
        displayName: role,
        practiceRoles: { create: { partnerFirmId: firm.id, role } },
      },
    });
  const [owner, manager, userManager, staff] = await Promise.all(
    (['ACCOUNT_OWNER', 'ACCOUNT_MANAGER', 'USER_MANAGER', 'STAFF'] as const).map(person),
  );
  return { org, firm, admin: members.ORG_ADMIN[0], owner, manager, userManager, staff };
}
type World = Awaited<ReturnType<typeof world>>;

async function request(w: World, terms: Partial<ClientRelationshipRequest> = {}) {
  const input: ClientRelationshipRequest = {
    relationshipId: randomUUID(),
    partnerFirmId: w.firm.id,
    organizationId: w.org.id,
    roleCeiling: 'PRODUCT_ADMIN',
    durationDays: 40,
    autoExtend: false,
    requestedByUserId: w.owner.id,
    ...terms,
  };
  const view = await relationships.request(input);
  await parked();
  return view;
}

/** Skip time only once the workflow is parked on its timer again (see the TPU time test). */
const parked = () => new Promise((r) => setTimeout(r, 500));

/** Sid's kind of access: a firm's staff member in the client organization, by the firm's delegation. */
const delegate = (w: World, relationshipId: string) =>
  db.membership.create({
    data: {
      userId: w.staff.id,
      organizationId: w.org.id,
      role: 'MEMBER',
      source: 'DELEGATION',
      clientRelationshipId: relationshipId,
      grantedById: w.userManager.id,
    },
  });

const row = (id: string) => db.clientRelationship.findUniqueOrThrow({ where: { id } });
const events = async (aggregateId: string) =>
  (await db.outboxEvent.findMany({ where: { aggregateId }, orderBy: { sequence: 'asc' } })).map((e) => ({
    type: e.type.replace(/^partneraccess\.client-relationship\.|\.v1$/g, ''),
    daysLeft: (e.data as { daysLeft?: number | null }).daysLeft ?? null,
  }));
/** The grant-revoked events of the memberships delegated under a relationship. */
async function revocations(w: World, relationshipId: string) {
  const rows = await db.outboxEvent.findMany({
    where: { type: 'partneraccess.access.grant-revoked.v1', aggregateId: w.org.id },
    select: { subject: true, data: true },
  });
  return rows.filter((r) => (r.data as { clientRelationshipId?: string }).clientRelationshipId === relationshipId);
}
const end = (relationshipId: string, cmd: TerminateCommand) => relationships.terminate(relationshipId, cmd);
const stateIs = (id: string, state: string) => async () => (await row(id)).state === state;

it(
  'AM-2 a relationship is approved, sends notices 30, 7 and 1 days before its end, ' +
    'then expires and revokes its delegated memberships',
  async () => {
    const w = await world();
    const opened = await request(w);
    expect(opened).toMatchObject({ state: 'PENDING_APPROVAL', roleCeiling: 'PRODUCT_ADMIN', expiresAt: null });
    expect(opened.refused).toBeNull();
    await waitForEmails(w.admin.email, /asks to work for/, 1);

    const approved = await relationships.approve(opened.relationshipId, { actorUserId: w.admin.id });
    const approvedAt = (await row(opened.relationshipId)).approvedAt!.getTime();
    expect(approved.state).toBe('ACTIVE');
    expect(Date.parse(approved.expiresAt!)).toBe(approvedAt + 40 * DAY_MS);
    expect(await row(opened.relationshipId)).toMatchObject({ approvedById: w.admin.id, state: 'ACTIVE' });
    const membership = await delegate(w, opened.relationshipId);
    await parked();

    const noticesSoFar = async () => (await events(opened.relationshipId)).filter((e) => e.type === 'expiry-notice');
    await ts.env.sleep('9 days');
    expect(await noticesSoFar()).toHaveLength(0);
    await ts.env.sleep('25 hours'); // day 10: 30 days left
    await waitUntil('the 30-day notice', async () => (await noticesSoFar()).length === 1, 15000);
    await ts.env.sleep('23 days'); // day 33: 7 days left
    await waitUntil('the 7-day notice', async () => (await noticesSoFar()).length === 2, 15000);
    await ts.env.sleep('6 days'); // day 39: 1 day left
    await waitUntil('the 1-day notice', async () => (await noticesSoFar()).length === 3, 15000);
    expect(await db.membership.findUnique({ where: { id: membership.id } })).not.toBeNull();

    await ts.env.sleep('1 day'); // day 40: the end date
    await waitUntil('expired', stateIs(opened.relationshipId, 'EXPIRED'), 15000);
    expect(await db.membership.findUnique({ where: { id: membership.id } })).toBeNull();
    const [revoked] = await revocations(w, opened.relationshipId);
    expect(revoked.subject).toBe(`membership:${membership.id}`);
    expect(revoked.data).toMatchObject({ grantId: revoked.subject, clientRelationshipId: opened.relationshipId });
    expect(revoked.data).toMatchObject({
      userId: w.staff.id,
      source: 'DELEGATION',
      role: 'MEMBER',
      actorUserId: null,
    });

    expect(await events(opened.relationshipId)).toEqual([
      { type: 'requested', daysLeft: null },
      { type: 'approved', daysLeft: null },
      { type: 'expiry-notice', daysLeft: 30 },
      { type: 'expiry-notice', daysLeft: 7 },
      { type: 'expiry-notice', daysLeft: 1 },
      { type: 'expired', daysLeft: null },
    ]);
    // Both sides were told each time (org admins, the firm's Account Owner and Account Manager), never the staff.
    for (const to of [w.admin.email, w.owner.email, w.manager.email]) {
      const notices = await waitForEmails(to, /works for .* for \d+ more days?$/, 3);
      expect(notices.map((m) => m.subject.match(/for (\d+) more/)![1])).toEqual(['30', '7', '1']);
      expect(notices[0].text).toContain(w.org.name);
      expect(notices[0].text).toContain(new Date(approved.expiresAt!).toUTCString());
      await waitForEmails(to, /was expired$/, 1);
    }
    expect(await db.outboxEvent.count({ where: { aggregateId: opened.relationshipId } })).toBe(6);
    const handle = ts.env.client.workflow.getHandle(`client-relationship-${opened.relationshipId}`);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  },
);

it('AM-2 an auto-extended relationship extends by 180 days instead of expiring', async () => {
  const w = await world();
  // Started with a tiny history budget, so the run also continues as new on the way, carrying its state.
  const relationshipId = randomUUID();
  const input: ClientRelationshipInput = {
    relationshipId,
    partnerFirmId: w.firm.id,
    organizationId: w.org.id,
    roleCeiling: 'PRODUCT_ADMIN',
    durationDays: 2,
    autoExtend: true,
    requestedByUserId: w.owner.id,
    continueAsNewAfterEvents: 20,
  };
  const workflowId = clientRelationshipWorkflowId(relationshipId);
  const first = await ts.env.client.workflow.start<typeof clientRelationship>('clientRelationship', {
    workflowId,
    taskQueue: ts.taskQueue,
    args: [input],
  });
  const requested = async () => (await db.clientRelationship.count({ where: { id: relationshipId } })) === 1;
  await waitUntil('requested', requested);
  await parked();
  const opened = { relationshipId };
  const approved = await relationships.approve(opened.relationshipId, { actorUserId: w.admin.id });
  const firstEnd = Date.parse(approved.expiresAt!);
  const membership = await delegate(w, opened.relationshipId);
  await parked();

  await ts.env.sleep('49 hours');
  await waitUntil('extended', async () => (await row(opened.relationshipId)).extensions === 1, 15000);
  const extended = await relationships.view(opened.relationshipId);
  expect(extended).toMatchObject({ state: 'ACTIVE', autoExtend: true });
  expect(Date.parse(extended.expiresAt!)).toBe(firstEnd + 180 * DAY_MS);
  expect((await row(opened.relationshipId)).expiresAt!.getTime()).toBe(firstEnd + 180 * DAY_MS);
  expect(await db.membership.findUnique({ where: { id: membership.id } })).not.toBeNull();
  await waitForEmails(w.owner.email, /works for .* until /, 1);

  // Notices again before the new end date: 30 days before it is 150 days after the extension.
  await ts.env.sleep('150 days');
  await waitUntil(
    'the 30-day notice of the new end',
    async () => (await events(opened.relationshipId)).some((e) => e.type === 'expiry-notice' && e.daysLeft === 30),
    15000,
  );
  expect((await events(opened.relationshipId)).map((e) => e.type)).toEqual([
    'requested',
    'approved',
    'expiry-notice',
    'extended',
    'expiry-notice',
  ]);
  expect((await ts.env.client.workflow.getHandle(workflowId).describe()).runId).not.toBe(first.firstExecutionRunId);
  await end(opened.relationshipId, { actorUserId: w.owner.id, side: 'firm', reason: 'Test over.' });
});

it('AM-2 an org admin extends an active relationship by hand: its old end passes, notices start again', async () => {
  const w = await world();
  const opened = await request(w);
  const id = opened.relationshipId;
  // Not while it waits for approval.
  const pendingEnd = new Date((await ts.env.currentTimeMs()) + 60 * DAY_MS).toISOString();
  const early = await relationships.extend(id, { actorUserId: w.admin.id, expiresAt: pendingEnd }).catch((e) => e);
  const notYet = 'Cannot extend: the relationship is PENDING_APPROVAL.';
  expect(early.cause).toMatchObject({ type: 'Conflict', message: notYet });

  const approved = await relationships.approve(id, { actorUserId: w.admin.id });
  const oldEnd = Date.parse(approved.expiresAt!);
  const membership = await delegate(w, id);
  await parked();
  await ts.env.sleep('241 hours'); // day 10: 30 days left
  await waitUntil('the 30-day notice', async () => (await events(id)).length === 3, 15000);
  await ts.env.sleep('23 days'); // day 33: 7 days left
  await waitUntil('the 7-day notice', async () => (await events(id)).length === 4, 15000);

  // The validator refuses a date not after the current end, or more than two years ahead; nothing is recorded.
  const extend = (at: number) =>
    relationships.extend(id, { actorUserId: w.admin.id, expiresAt: new Date(at).toISOString() });
  const sooner = await extend(oldEnd).catch((e) => e);
  expect(sooner).toBeInstanceOf(WorkflowUpdateFailedError);
  const alreadyLater = expect.stringMatching(/^Cannot extend: .* already ends on/);
  expect(sooner.cause).toMatchObject({ type: 'Conflict', message: alreadyLater });
  const tooFar = await extend((await ts.env.currentTimeMs()) + 731 * DAY_MS).catch((e) => e);
  expect(tooFar.cause).toMatchObject({ type: 'InvalidInput' });
  expect(await row(id)).toMatchObject({ transition: 4, extensions: 0 });

  const newEnd = oldEnd + 60 * DAY_MS; // day 100
  const extended = await extend(newEnd);
  expect(extended).toMatchObject({ state: 'ACTIVE', expiresAt: new Date(newEnd).toISOString() });
  expect(await row(id)).toMatchObject({ expiresAt: new Date(newEnd), extensions: 1, transition: 5 });
  await parked();

  // Day 41: past the old end date, still active and still delegated; no notice is due yet.
  await ts.env.sleep('8 days');
  await parked();
  expect(await row(id)).toMatchObject({ state: 'ACTIVE' });
  expect(await db.membership.findUnique({ where: { id: membership.id } })).not.toBeNull();
  // Day 71: 30 days before the new end, its notices run again from the top.
  await ts.env.sleep('30 days');
  await waitUntil('the 30-day notice of the new end', async () => (await events(id)).length === 6, 15000);
  expect(await events(id)).toEqual([
    { type: 'requested', daysLeft: null },
    { type: 'approved', daysLeft: null },
    { type: 'expiry-notice', daysLeft: 30 },
    { type: 'expiry-notice', daysLeft: 7 },
    { type: 'extended', daysLeft: null },
    { type: 'expiry-notice', daysLeft: 30 },
  ]);
  for (const to of [w.admin.email, w.owner.email, w.manager.email]) {
    const [email] = await waitForEmails(to, new RegExp(`until ${new Date(newEnd).toUTCString()}$`), 1);
    expect(email.text).toContain('was extended by an org admin of');
  }
  await end(id, { actorUserId: w.admin.id, side: 'organization', reason: 'Test over.' });
});

it('AM-2 terminating by either side revokes at once', async () => {
  // The organization ends an active relationship.
  const a = await world();
  const byOrg = await request(a);
  await relationships.approve(byOrg.relationshipId, { actorUserId: a.admin.id });
  const aMembership = await delegate(a, byOrg.relationshipId);
  const ended = await end(byOrg.relationshipId, { actorUserId: a.admin.id, side: 'organization', reason: 'Dear.' });
  expect(ended).toMatchObject({ state: 'TERMINATED', expiresAt: null, reason: 'Ended by the organization: Dear.' });
  // Revoked by the transition itself, before the command answered: no waiting.
  expect(await db.membership.findUnique({ where: { id: aMembership.id } })).toBeNull();
  expect(await revocations(a, byOrg.relationshipId)).toHaveLength(1);
  expect(await row(byOrg.relationshipId)).toMatchObject({ state: 'TERMINATED', endedById: a.admin.id });
  const late = await relationships.approve(byOrg.relationshipId, { actorUserId: a.admin.id }).catch((e) => e);
  expect(late).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(late.cause).toMatchObject({ type: 'Conflict', message: 'Cannot approve: the relationship is TERMINATED.' });
  await waitForEmails(a.owner.email, /was terminated$/, 1);

  // The firm ends an active one.
  const b = await world();
  const byFirm = await request(b);
  await relationships.approve(byFirm.relationshipId, { actorUserId: b.admin.id });
  const bMembership = await delegate(b, byFirm.relationshipId);
  expect(
    await end(byFirm.relationshipId, { actorUserId: b.owner.id, side: 'firm', reason: 'Engagement over.' }),
  ).toMatchObject({ state: 'TERMINATED', reason: 'Ended by the partner firm: Engagement over.' });
  expect(await db.membership.findUnique({ where: { id: bMembership.id } })).toBeNull();
  await waitForEmails(b.admin.email, /was terminated$/, 1);

  // A pending request: the organization declines it (it cannot terminate it); the firm withdraws it.
  const c = await world();
  const pending = await request(c);
  const refused = await end(pending.relationshipId, {
    actorUserId: c.admin.id,
    side: 'organization',
    reason: 'No.',
  }).catch((e) => e);
  expect(refused.cause).toMatchObject({ type: 'Conflict' });
  const invalid = await relationships
    .decline(pending.relationshipId, { actorUserId: c.admin.id, reason: '' })
    .catch((e) => e);
  expect(invalid.cause).toMatchObject({ type: 'InvalidInput' });
  expect(
    await end(pending.relationshipId, { actorUserId: c.owner.id, side: 'firm', reason: 'Asked by mistake.' }),
  ).toMatchObject({ state: 'TERMINATED', reason: 'Withdrawn by the partner firm: Asked by mistake.' });
  expect((await events(byOrg.relationshipId)).map((e) => e.type)).toEqual(['requested', 'approved', 'terminated']);
});

it('AM-2 a relationship nobody approves is declined after the approval window', async () => {
  const w = await world();
  const opened = await request(w);
  // One open relationship per firm and organization: a second request is refused, and nothing is created.
  const pair = { partnerFirmId: w.firm.id, organizationId: w.org.id, requestedByUserId: w.owner.id };
  const terms = { roleCeiling: 'PRODUCT_ADMIN', durationDays: 40, autoExtend: false } as const;
  const second = await relationships.request({ ...pair, ...terms, relationshipId: randomUUID() });
  expect(second).toMatchObject({ state: 'DECLINED', refused: { reason: 'already-open' } });
  expect(await db.clientRelationship.findUnique({ where: { id: second.relationshipId } })).toBeNull();
  // Asking again with the same id joins the running one.
  const joined = await relationships.request({ ...pair, ...terms, relationshipId: opened.relationshipId });
  expect(joined).toMatchObject({ state: 'PENDING_APPROVAL', refused: null });

  await ts.env.sleep('29 days');
  expect((await row(opened.relationshipId)).state).toBe('PENDING_APPROVAL');
  await ts.env.sleep('25 hours');
  await waitUntil('declined', stateIs(opened.relationshipId, 'DECLINED'), 15000);
  const declined = await row(opened.relationshipId);
  expect(declined).toMatchObject({ reason: 'Declined: no org admin answered within 30 days.', endedById: null });
  expect((await events(opened.relationshipId)).map((e) => e.type)).toEqual(['requested', 'declined']);
  await waitForEmails(w.owner.email, /was declined$/, 1);

  // The pair is free again.
  const again = await request(w);
  expect(again).toMatchObject({ state: 'PENDING_APPROVAL', refused: null });
  await relationships.terminate(again.relationshipId, {
    actorUserId: w.owner.id,
    side: 'firm',
    reason: 'Test over.',
  });
});

it('AM-2 the worker adopts an ACTIVE row created without a workflow', async () => {
  const w = await world();
  // As the migration and the seed write them: ACTIVE, an end date, no workflow yet.
  const id = randomUUID();
  const now = await ts.env.currentTimeMs();
  const expiresAt = new Date(now + 3 * DAY_MS);
  await db.clientRelationship.create({
    data: {
      id,
      workflowId: `client-relationship-${id}`,
      partnerFirmId: w.firm.id,
      organizationId: w.org.id,
      state: 'ACTIVE',
      roleCeiling: 'MEMBER',
      durationDays: 90,
      autoExtend: false,
      approvedAt: new Date(now),
      expiresAt,
      reason: 'Carried over from the client list before approvals existed.',
      transition: 1,
    },
  });
  const membership = await delegate(w, id);

  expect(await relationships.adoptAll(db, { partnerFirmId: w.firm.id })).toBe(1);
  expect(await relationships.adoptAll(db, { partnerFirmId: w.firm.id })).toBe(0); // a second start changes nothing
  await waitUntil('adopted', async () => (await relationships.view(id).catch(() => null))?.state === 'ACTIVE', 15000);
  const adopted = await relationships.view(id);
  expect(adopted).toMatchObject({ state: 'ACTIVE', roleCeiling: 'MEMBER', expiresAt: expiresAt.toISOString() });
  await parked();

  await ts.env.sleep('49 hours');
  await waitUntil('the 1-day notice', async () => (await events(id)).some((e) => e.daysLeft === 1), 15000);
  await ts.env.sleep('1 day');
  await waitUntil('expired', stateIs(id, 'EXPIRED'), 15000);
  expect(await db.membership.findUnique({ where: { id: membership.id } })).toBeNull();
  // Adopted rows carry no `requested` or `approved` event: the workflow took over from where the row was.
  expect((await events(id)).map((e) => e.type)).toEqual(['expiry-notice', 'expired']);
  // A closed run is never started again.
  expect(await relationships.adopt(id, await row(id))).toBe(false);
});
