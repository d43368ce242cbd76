// AM-6 over HTTP on the real stack (API, worker, Temporal dev server, PostgreSQL, SMTP sink): an org
// admin starts a review, decides each grant and reads the progress; setting the policy creates, updates
// and deletes the organization's Temporal schedule. Only the organization's own org admins may.
import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError } from '@temporalio/client';
import { apiWithWorker } from '../support/api';
import { createOrganization } from '../support/world';
import { reviewableOrganization } from '../support/access-review-world';
import { waitUntil } from '../support/kafka';
import { waitForEmails } from '../support/links';
import { saveHistory } from '../support/histories';

const P = 'https://partner-access.example/problems/';
const DAY_MS = 24 * 3600 * 1000;
const running = apiWithWorker();

/** An admin of another organization: a stranger here, whatever they are there. */
async function strangerToken() {
  const { members } = await createOrganization(running.api.db, { ORG_ADMIN: 1 });
  return running.api.token(members.ORG_ADMIN[0].id);
}

/** How far a date is from `days` days from now, in ms. */
const offBy = (at: string | Date, days: number) => Math.abs(new Date(at).getTime() - Date.now() - days * DAY_MS);

it('AM-6 an org admin starts a review, decides each grant, and reads the progress', async () => {
  const w = await reviewableOrganization(running.api.db);
  const admin = await running.api.token(w.admin.id);
  const base = `/organizations/${w.org.id}/access-reviews`;

  // Nobody but the organization's own org admins: not another organization's admin, not partner staff.
  for (const token of [await strangerToken(), await running.api.token(w.staff.id)]) {
    expect(await running.api.call('POST', base, { token })).toMatchObject({
      status: 403,
      body: { type: `${P}forbidden` },
    });
  }

  const started = await running.api.call('POST', base, { token: admin });
  expect(started).toMatchObject({ status: 201, body: { state: 'OPEN', unconfirmed: 'KEEP', total: 2, decided: 0 } });
  const { reviewId, deadline, items } = started.body;
  expect(offBy(deadline, 14)).toBeLessThan(60_000); // the policy's default deadline
  const item = (grantId: string, userId: string, why: RegExp) =>
    expect.objectContaining({ grantId, userId, decision: null, why: expect.stringMatching(why) });
  expect(items).toEqual([
    item(w.grants.delegated, w.staff.id, /delegated by Firm/),
    item(w.grants.share, w.partner.id, /sees the task/),
  ]);
  await waitForEmails(w.otherAdmin.email, /^Access review of .*: 2 grants to confirm by /, 1);
  // One open review at a time.
  const second = await running.api.call('POST', base, { token: admin });
  expect(second).toMatchObject({ status: 409, body: { type: `${P}conflict`, openReviewId: reviewId } });

  const url = `${base}/${reviewId}`;
  const stranger = await strangerToken();
  expect((await running.api.call('GET', url, { token: stranger })).status).toBe(403);
  const decide = (body: unknown, token = admin) => running.api.call('POST', `${url}/decisions`, { token, body });
  expect((await decide({ grantId: w.grants.share, decision: 'revoke' }, stranger)).status).toBe(403);
  const invalid = await decide({ grantId: w.grants.share, decision: 'maybe' });
  expect(invalid).toMatchObject({ status: 400, body: { type: `${P}validation-failed` } });
  expect((await decide({ grantId: w.grants.share, decision: 'revoke', reason: 'no' })).status).toBe(400);
  expect(await decide({ grantId: 'membership:not-in-it', decision: 'confirm' })).toMatchObject({ status: 404 });

  const confirmed = await decide({ grantId: w.grants.delegated, decision: 'confirm' });
  expect(confirmed).toMatchObject({ status: 200, body: { state: 'OPEN', decided: 1, confirmed: 1 } });
  expect(await decide({ grantId: w.grants.delegated, decision: 'revoke' })).toMatchObject({
    status: 409,
    body: { type: `${P}conflict`, detail: 'This grant was already decided: CONFIRMED.' },
  });
  const revoked = await decide({ grantId: w.grants.share, decision: 'revoke' });
  expect(revoked).toMatchObject({ status: 200, body: { decided: 2, confirmed: 1, revoked: 1 } });
  // Revoked before the answer (AM-7), through the ledger, with its event.
  expect(await running.api.db.taskGrant.count({ where: { taskId: w.task.id } })).toBe(0);
  const event = await running.api.db.outboxEvent.findFirstOrThrow({
    where: { type: 'partneraccess.access.grant-revoked.v1', aggregateId: w.org.id },
  });
  expect(event.data).toMatchObject({
    grantId: w.grants.share,
    actorUserId: w.admin.id,
    reason: 'Revoked in an access review by an org admin.',
  });

  // Every grant decided: the review completes without waiting for its deadline.
  const state = async () => (await running.api.call('GET', url, { token: admin })).body.state;
  await waitUntil('completed', async () => (await state()) === 'COMPLETED', 15000);
  const read = await running.api.call('GET', url, { token: admin });
  expect(read.body).toMatchObject({ total: 2, decided: 2, confirmed: 1, revoked: 1, lapsed: 0, kept: 0 });
  expect(read.body.completedAt).not.toBeNull();
  const row = await running.api.db.accessReview.findUniqueOrThrow({ where: { id: reviewId } });
  await saveHistory('access-review-completed', running.api.temporal.workflow.getHandle(row.workflowId));
  const decided = (grantId: string, decision: string, why: unknown) =>
    expect.objectContaining({ grantId, decision, decidedById: w.admin.id, why });
  expect(read.body.items).toEqual([
    decided(w.grants.delegated, 'CONFIRMED', expect.any(String)),
    decided(w.grants.share, 'REVOKED', null), // gone from the ledger: no why left
  ]);
  const late = await decide({ grantId: w.grants.share, decision: 'confirm' });
  expect(late).toMatchObject({ status: 409, body: { detail: 'The review is closed.' } });
  await waitForEmails(w.admin.email, /^Access review of .* completed$/, 1);

  // Another organization's review is not found under this one, nor an unknown id.
  const other = await reviewableOrganization(running.api.db);
  const otherAdmin = await running.api.token(other.admin.id);
  const elsewhere = `/organizations/${other.org.id}/access-reviews/${reviewId}`;
  expect((await running.api.call('GET', elsewhere, { token: otherAdmin })).status).toBe(404);
  expect((await running.api.call('GET', `${base}/${randomUUID()}`, { token: admin })).status).toBe(404);
});

it("AM-6 setting the policy creates the organization's schedule", async () => {
  const w = await reviewableOrganization(running.api.db);
  const admin = await running.api.token(w.admin.id);
  const url = `/organizations/${w.org.id}/access-review-policy`;
  const put = (body: unknown, token = admin) => running.api.call('PUT', url, { token, body });
  const get = async () => (await running.api.call('GET', url, { token: admin })).body;
  const schedule = running.api.temporal.schedule.getHandle(`access-review-schedule-${w.org.id}`);
  try {
    expect(await get()).toEqual({
      organizationId: w.org.id,
      everyDays: 90,
      deadlineDays: 14,
      unconfirmed: 'KEEP',
      enabled: false,
      nextReviewAt: null,
      updatedAt: null,
    });
    const stranger = await strangerToken();
    expect((await running.api.call('GET', url, { token: stranger })).status).toBe(403);
    const policy = { everyDays: 30, deadlineDays: 10, unconfirmed: 'LAPSE', enabled: true };
    expect((await put(policy, stranger)).status).toBe(403);
    const bad = [{ deadlineDays: 30 }, { everyDays: 5 }, { deadlineDays: 61 }, { extra: 1 }];
    for (const change of bad) {
      const refused = await put({ ...policy, ...change });
      expect(refused).toMatchObject({ status: 400, body: { type: `${P}validation-failed` } });
    }

    const set = await put(policy);
    expect(set).toMatchObject({ status: 200, body: { ...policy, organizationId: w.org.id } });
    expect(offBy(set.body.nextReviewAt, 30)).toBeLessThan(60_000); // the first review opens an interval from now
    const created = await schedule.describe();
    expect(created.spec.intervals).toEqual([{ every: 30 * DAY_MS, offset: expect.any(Number) }]);
    expect(created.action).toMatchObject({ workflowType: 'accessReview', taskQueue: running.worker.taskQueue });
    const input = { organizationId: w.org.id, deadlineDays: 10, unconfirmed: 'LAPSE' };
    expect(created.action.args).toEqual([{ ...input, policySetByUserId: w.admin.id, startedByUserId: null }]);

    // A new deadline changes what the schedule starts, not when.
    await put({ ...policy, deadlineDays: 5 });
    const updated = await schedule.describe();
    expect(updated.spec.intervals).toEqual(created.spec.intervals);
    expect(updated.action.args).toEqual([expect.objectContaining({ deadlineDays: 5 })]);
    // A new interval changes when.
    const quarterly = { ...policy, everyDays: 91, deadlineDays: 5 };
    await put(quarterly);
    expect((await schedule.describe()).spec.intervals).toEqual([{ every: 91 * DAY_MS, offset: expect.any(Number) }]);

    // The schedule starts a review with the policy's terms (triggered now instead of in 91 days).
    await schedule.trigger();
    const reviews = () => running.api.db.accessReview.findMany({ where: { organizationId: w.org.id } });
    await waitUntil('a scheduled review', async () => (await reviews()).length === 1, 15000);
    const [scheduled] = await reviews();
    expect(scheduled).toMatchObject({ state: 'OPEN', unconfirmed: 'LAPSE' });
    expect(scheduled.workflowId.startsWith(`access-review-${w.org.id}-`)).toBe(true);
    expect(offBy(scheduled.deadline, 5)).toBeLessThan(60_000);
    await running.api.temporal.workflow.getHandle(scheduled.workflowId).terminate('test over');

    // Disabled: the schedule is gone, the terms are kept for reviews by hand.
    const disabled = await put({ ...quarterly, enabled: false });
    const kept = { everyDays: 91, deadlineDays: 5, unconfirmed: 'LAPSE', enabled: false, nextReviewAt: null };
    expect(disabled).toMatchObject({ status: 200, body: kept });
    await expect(schedule.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect(await get()).toMatchObject(kept);
  } finally {
    await schedule.delete().catch(() => undefined);
  }
});
