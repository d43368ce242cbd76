// AM-6 access reviews over weeks, in seconds: Temporal's time-skipping test server, the real workflow
// and the real activities (test database, SMTP sink). A review snapshots the grants that are not own
// memberships, reminds the org admins halfway and a day before its deadline, and at the deadline
// lets what nobody confirmed lapse, or keeps it, as the organization chose.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Database } from '../../platform/database';
import { AccessReviewsClient } from '../../workflows/access-review/client';
import type { DecideCommand } from '../../workflows/access-review/messages';
import { waitUntil } from '../support/kafka';
import { emailsTo, waitForEmails } from '../support/links';
import { reviewableOrganization } from '../support/access-review-world';
import { startTimeSkipping, type TimeSkipping } from '../support/time-skipping';

let ts: TimeSkipping;
let db: Database;
let reviews: AccessReviewsClient;

beforeAll(async () => {
  ts = await startTimeSkipping('access-review-time');
  db = ts.db;
  reviews = new AccessReviewsClient({ temporal: ts.env.client, taskQueue: ts.taskQueue });
});
afterAll(() => ts?.stop());

/** Skip time only once the workflow is parked on its timer again (see the TPU time test). */
const parked = () => new Promise((r) => setTimeout(r, 500));
const review = (id: string) =>
  db.accessReview.findUniqueOrThrow({ where: { id }, include: { items: { orderBy: { grantId: 'asc' } } } });
const decisionOf = async (reviewId: string, grantId: string) =>
  (await db.accessReviewItem.findUniqueOrThrow({ where: { reviewId_grantId: { reviewId, grantId } } })).decision;
const reviewEvents = async (reviewId: string) =>
  (await db.outboxEvent.findMany({ where: { aggregateId: reviewId }, orderBy: { sequence: 'asc' } })).map((e) => ({
    type: e.type.replace(/^partneraccess\.access-review\.|\.v1$/g, ''),
    decision: (e.data as { decision?: string }).decision ?? null,
  }));
const revocations = (organizationId: string) =>
  db.outboxEvent.findMany({ where: { type: 'partneraccess.access.grant-revoked.v1', aggregateId: organizationId } });
const completed = async (reviewId: string) => (await review(reviewId)).state === 'COMPLETED';
const reminder = /^Reminder: \d+ of 2 grants in the access review of /;

it('AM-6 a review lapses unconfirmed grants at its deadline when the organization chose LAPSE', async () => {
  const w = await reviewableOrganization(db);
  const terms = { organizationId: w.org.id, deadlineDays: 14, unconfirmed: 'LAPSE' as const };
  const { workflowId, progress } = await reviews.start({ ...terms, policySetByUserId: w.admin.id }, w.admin.id);
  expect(progress).toMatchObject({ state: 'OPEN', total: 2, decided: 0, unconfirmed: 'LAPSE', refused: null });
  const { reviewId } = progress;
  const decide = (cmd: DecideCommand) => reviews.decide(workflowId, reviewId, cmd).catch((e) => e);
  expect((await review(reviewId)).items.map((i) => [i.grantId, i.decision])).toEqual([
    [w.grants.delegated, null],
    [w.grants.share, null],
  ]);
  // Every org admin hears of it, after the snapshot.
  for (const admin of [w.admin, w.otherAdmin]) {
    await waitForEmails(admin.email, /^Access review of .*: 2 grants to confirm by /, 1);
  }

  const confirmed = await decide({ actorUserId: w.otherAdmin.id, grantId: w.grants.delegated, decision: 'confirm' });
  expect(confirmed).toMatchObject({ state: 'OPEN', total: 2, decided: 1, confirmed: 1 });
  // Decided once: a second decision on the same grant is refused before it reaches the history.
  const again = await decide({ actorUserId: w.admin.id, grantId: w.grants.delegated, decision: 'revoke' });
  expect(again).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(again.cause).toMatchObject({ type: 'Conflict', message: 'This grant was already decided: CONFIRMED.' });
  const unknown = await decide({ actorUserId: w.admin.id, grantId: 'membership:nope', decision: 'confirm' });
  expect(unknown.cause).toMatchObject({ type: 'NotInReview' });
  await parked();

  await ts.env.sleep('6 days');
  expect(await emailsTo(w.admin.email, reminder)).toHaveLength(0);
  await ts.env.sleep('25 hours'); // day 7: halfway
  await waitForEmails(w.admin.email, reminder, 1);
  await ts.env.sleep('6 days'); // day 13: a day before the deadline
  const reminders = await waitForEmails(w.otherAdmin.email, reminder, 2);
  expect(reminders[1].subject).toMatch(/^Reminder: 1 of 2 grants/);
  expect(await db.taskGrant.count({ where: { taskId: w.task.id } })).toBe(1);

  await ts.env.sleep('1 day'); // day 14: the deadline
  await waitUntil('completed', () => completed(reviewId), 15000);
  const row = await review(reviewId);
  expect(await db.taskGrant.count({ where: { taskId: w.task.id } })).toBe(0);
  expect(await db.membership.findUnique({ where: { id: w.membership.id } })).not.toBeNull();
  expect(await decisionOf(reviewId, w.grants.share)).toBe('LAPSED');
  expect(await decisionOf(reviewId, w.grants.delegated)).toBe('CONFIRMED');
  expect((await revocations(w.org.id)).map((e) => e.data)).toEqual([
    expect.objectContaining({
      grantId: w.grants.share,
      userId: w.partner.id,
      source: 'OBJECT_SHARE',
      actorUserId: w.admin.id,
      reason: `Not confirmed in the access review by ${row.deadline.toISOString().slice(0, 10)}.`,
    }),
  ]);
  expect(await reviewEvents(reviewId)).toEqual([
    { type: 'opened', decision: null },
    { type: 'grant-decided', decision: 'CONFIRMED' },
    { type: 'grant-decided', decision: 'LAPSED' },
    { type: 'completed', decision: null },
  ]);
  await waitForEmails(w.admin.email, /^Access review of .* completed$/, 1);
  expect(await reviews.progress(workflowId, reviewId)).toMatchObject({
    state: 'COMPLETED',
    total: 2,
    decided: 2,
    confirmed: 1,
    lapsed: 1,
  });
  expect((await ts.env.client.workflow.getHandle(workflowId).describe()).status.name).toBe('COMPLETED');
});

it('AM-6 with KEEP, unconfirmed grants stay and are marked KEPT', async () => {
  const w = await reviewableOrganization(db);
  const terms = { organizationId: w.org.id, deadlineDays: 3, unconfirmed: 'KEEP' as const, policySetByUserId: null };
  const { workflowId, progress } = await reviews.start(terms, w.admin.id);
  const { reviewId } = progress;
  expect(progress).toMatchObject({ state: 'OPEN', total: 2, unconfirmed: 'KEEP' });
  // One open review per organization: a second one is refused, and nothing is made.
  const second = await reviews.start(terms, w.otherAdmin.id);
  const refused = { reason: 'already-open', openReviewId: reviewId };
  expect(second.progress).toMatchObject({ state: 'REFUSED', refused });
  expect(await db.accessReview.count({ where: { organizationId: w.org.id } })).toBe(1);
  await parked();

  await ts.env.sleep('73 hours');
  await waitUntil('completed', () => completed(reviewId), 15000);
  expect((await review(reviewId)).items.map((i) => i.decision)).toEqual(['KEPT', 'KEPT']);
  expect(await db.membership.findUnique({ where: { id: w.membership.id } })).not.toBeNull();
  expect(await db.taskGrant.count({ where: { taskId: w.task.id } })).toBe(1);
  expect(await revocations(w.org.id)).toHaveLength(0);
  const type = 'partneraccess.access-review.completed.v1';
  const done = await db.outboxEvent.findFirstOrThrow({ where: { aggregateId: reviewId, type } });
  expect(done.data).toMatchObject({ state: 'COMPLETED', total: 2, confirmed: 0, revoked: 0, lapsed: 0, kept: 2 });
  // Reminders: halfway (36 h) and a day before (48 h).
  await waitForEmails(w.admin.email, reminder, 2);
  // Closed: the run is over and takes no command (the API answers 409 from the row before asking it).
  const late = await reviews
    .decide(workflowId, reviewId, { actorUserId: w.admin.id, grantId: w.grants.share, decision: 'confirm' })
    .catch((e) => e);
  expect(late).toBeInstanceOf(WorkflowNotFoundError);
});
