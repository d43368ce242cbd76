// AM-6: one workflow per access review of an organization. Org admins confirm or revoke each grant
// that is not an own membership; what nobody confirmed by the deadline lapses (is revoked) or stays,
// as the organization chose. Started by the organization's schedule, or by hand.
//
//   OPENING ──snapshot of the ledger──▶ OPEN ──every grant decided──────────▶ COMPLETED
//      │ another review is open           │ ◀── decide (confirm | revoke), one grant each;
//      ▼                                  │     reminders halfway and a day before the deadline
//   REFUSED (nothing made)                └──deadline: LAPSE revokes the undecided,
//                                             KEEP marks them KEPT ──────────▶ COMPLETED
//
// `decide` is an Update carrying only the actor's id: who may send it was decided by the caller's
// policy decision point; the validator refuses a closed review, a decided or unknown grant before
// anything reaches the history. A revocation answers once the grant is gone (AM-7). A review whose
// grants are all decided completes at once: nothing is left for the deadline to do.
// Emails (opened, reminders, completed) are queued by transitions and sent by the main loop's
// sender, never by a command: a decision never waits behind SMTP.
// Deterministic: every read and write of the world is an activity.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AccessReviewNews } from '../../activities/access-reviews';
import { steps, mail, newsSender, parking, refuse, serializer } from '../shared';
import { ProcessStateKey } from '../../domain/search-attributes';
import {
  AccessReviewInput,
  AccessReviewRefusal,
  DecideCommand,
  decideUpdate,
  openedUpdate,
  progressQuery,
  type AccessReviewProgress,
  type CarriedAccessReview,
  type ItemDecision,
} from './messages';

const DAY_MS = 24 * 3600 * 1000;
/** Lapses revoke this many grants at once: each is its own activity and transaction. */
const LAPSE_BATCH = 10;

/** What an activity settles one grant as (KEPT is for all of them at once). */
type Settled = 'CONFIRMED' | 'REVOKED' | 'LAPSED';

const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

/** Halfway to the deadline, and a day before it: each only if still ahead and before the deadline. */
export function reminderTimes(openedAt: number, deadline: number): number[] {
  const times = [openedAt + (deadline - openedAt) / 2, deadline - DAY_MS].map(Math.floor);
  return [...new Set(times)].filter((t) => t > openedAt && t < deadline).sort((a, b) => a - b);
}

export async function accessReview(rawInput: AccessReviewInput): Promise<AccessReviewProgress> {
  const parsed = AccessReviewInput.safeParse(rawInput);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw refuse(AccessReviewRefusal.invalid, `invalid workflow input: ${fields}`);
  }
  const input = parsed.data;
  const { organizationId } = input;
  const reviewId = workflowInfo().firstExecutionRunId;

  /** Null until the grants are snapshotted. */
  let review: CarriedAccessReview | null = input.carried ?? null;
  let refused: AccessReviewProgress['refused'] = null;
  /** Bumped by every recorded change, so the main loop's wait ends when something happened. */
  let version = 0;

  const decisions = () => Object.values(review?.items ?? {});
  const count = (wanted: ItemDecision) => decisions().filter((decision) => decision === wanted).length;
  const undecided = () => Object.keys(review?.items ?? {}).filter((grantId) => review!.items[grantId] === null);
  const progress = (): AccessReviewProgress => ({
    reviewId,
    organizationId,
    state: refused ? 'REFUSED' : (review?.state ?? 'OPENING'),
    total: decisions().length,
    decided: decisions().filter((d) => d !== null).length,
    confirmed: count('CONFIRMED'),
    revoked: count('REVOKED'),
    lapsed: count('LAPSED'),
    kept: count('KEPT'),
    deadline: review ? iso(review.deadline) : null,
    unconfirmed: input.unconfirmed,
    refused,
  });

  const serialized = serializer();

  // ---- emails: queued by transitions, sent by one sender the main loop starts, never by a command
  type Queued = { news: AccessReviewNews; number: number; at: AccessReviewProgress };
  /** One activity per org admin: one bad address or slow retry holds up nobody else. Failures are logged. */
  async function deliver({ news, number, at }: Queued): Promise<void> {
    const { organizationName, recipients } = await mail.accessReviewAudience({ organizationId });
    const { total, confirmed, revoked, lapsed, kept, unconfirmed } = at;
    const counts = { total, undecided: total - at.decided, confirmed, revoked, lapsed, kept };
    const about = { reviewId, organizationId, organizationName, news, number, unconfirmed, ...counts };
    await Promise.all(
      recipients.map((recipient) =>
        mail
          .sendAccessReviewEmail({ ...about, deadline: at.deadline!, recipient })
          .catch((err) => warn('access review email failed', news, err)),
      ),
    );
  }
  const warn = (what: string, news: AccessReviewNews, err: unknown) =>
    log.warn(what, { reviewId, news, error: String(err) });
  const emails = newsSender(deliver, (n: Queued, err) => warn('access review audience failed', n.news, err));
  const tell = (news: AccessReviewNews, number = 0) => emails.tell({ news, number, at: progress() });
  // Before continuing as new or ending: no command in flight and every queued email out.
  const quiet = () => allHandlersFinished() && emails.idle();

  // ---- the validator's checks: the contract and the state, nothing else
  const { conflict, invalid, notInReview, notRevocable } = AccessReviewRefusal;
  function checkDecide(cmd: DecideCommand): void {
    if (!DecideCommand.safeParse(cmd).success) throw refuse(invalid, 'The command does not fit the decide contract.');
    if (!review) throw refuse(conflict, 'The review is still opening; try again in a moment.');
    if (review.state !== 'OPEN') throw refuse(conflict, 'The review is closed.', { state: review.state });
    if (Date.now() >= review.deadline)
      throw refuse(conflict, `The review's deadline (${iso(review.deadline)}) has passed.`);
    if (!(cmd.grantId in review.items)) throw refuse(notInReview, 'No such grant in this review.');
    const decided = review.items[cmd.grantId];
    if (decided !== null)
      throw refuse(conflict, `This grant was already decided: ${decided}.`, { decision: decided });
  }

  /** One grant settled by its activity; the item holds whatever the row holds (a retry's earlier answer). */
  async function settle(grantId: string, outcome: Settled, actorUserId: string, reason: string): Promise<void> {
    const at = iso(Date.now());
    const about = { reviewId, organizationId, grantId, outcome, actorUserId, reason, at };
    const { decision } = await steps.settleAccessReviewItem(about);
    review!.items[grantId] = decision;
    version++;
  }

  // ---- queries and updates
  setHandler(progressQuery, progress);
  setHandler(openedUpdate, async () => {
    await condition(() => review !== null || refused !== null);
    return progress();
  });
  setHandler(
    decideUpdate,
    (cmd) =>
      serialized(async () => {
        checkDecide(cmd); // again: a command may have waited behind the deadline's work
        const outcome = cmd.decision === 'confirm' ? 'CONFIRMED' : 'REVOKED';
        try {
          await settle(cmd.grantId, outcome, cmd.actorUserId, 'Revoked in an access review by an org admin.');
        } catch (err) {
          // The ledger's permanent refusal is the caller's answer, not a failed review.
          const cause = err instanceof ActivityFailure ? err.cause : undefined;
          const permanent = cause instanceof ApplicationFailure && cause.type === notRevocable;
          if (permanent) throw refuse(notRevocable, cause.message);
          throw err;
        }
        return progress();
      }),
    { validator: checkDecide },
  );

  /** Completes the review: at the deadline after applying the policy, or as soon as every grant is decided. */
  async function close(): Promise<void> {
    const opened = review!;
    const pending = undecided();
    if (pending.length > 0 && input.unconfirmed === 'KEEP') {
      await steps.keepUnconfirmedAccessReviewItems({ reviewId, organizationId, at: iso(Date.now()) });
      for (const grantId of pending) opened.items[grantId] = 'KEPT';
    } else if (pending.length > 0) {
      const reason = `Not confirmed in the access review by ${day(opened.deadline)}.`;
      // The input's refinement makes sure a LAPSE policy names who set it.
      const actor = input.policySetByUserId!;
      for (let i = 0; i < pending.length; i += LAPSE_BATCH) {
        await Promise.all(
          pending.slice(i, i + LAPSE_BATCH).map((grantId) => settle(grantId, 'LAPSED', actor, reason)),
        );
        // A large organization: the main loop continues as new and comes back here for the rest.
        if (shouldContinueAsNew()) return;
      }
    }
    await steps.completeAccessReview({ reviewId, at: iso(Date.now()) });
    opened.state = 'COMPLETED';
    version++;
    upsertSearchAttributes([{ key: ProcessStateKey, value: 'COMPLETED' }]);
    // An organization with nothing to review is not written to: it was not told of the opening either.
    if (decisions().length > 0) tell('completed');
  }

  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > input.continueAsNewAfterEvents;

  // ---- the process
  // Issue 12: a step of the process itself (not of a command, whose caller hears the failure) that
  // fails for good, or outlasts its limit, parks the run until an operator retries it.
  const park = parking({ state: () => (refused ? 'REFUSED' : (review?.state ?? 'OPEN')) });
  if (!review) {
    await park.step(() =>
      serialized(async () => {
        const now = Date.now();
        const opening = await steps.openAccessReview({
          reviewId,
          workflowId: workflowInfo().workflowId,
          organizationId,
          unconfirmed: input.unconfirmed,
          deadline: iso(now + input.deadlineDays * DAY_MS),
          at: iso(now),
          startedByUserId: input.startedByUserId,
        });
        if (opening.refused) {
          refused = opening.refused;
          upsertSearchAttributes([{ key: ProcessStateKey, value: 'REFUSED' }]);
          return;
        }
        const deadline = Date.parse(opening.deadline);
        review = {
          state: 'OPEN',
          deadline,
          items: opening.items,
          remindersDue: reminderTimes(now, deadline),
          remindersSent: 0,
        };
        upsertSearchAttributes([{ key: ProcessStateKey, value: 'OPEN' }]);
        if (undecided().length > 0) tell('opened');
      }),
    );
    if (refused) {
      await condition(allHandlersFinished);
      return progress();
    }
  }

  const opened = review!;
  while (opened.state === 'OPEN') {
    emails.start();
    if (shouldContinueAsNew()) {
      await condition(quiet);
      await continueAsNew<typeof accessReview>({ ...input, carried: opened });
    }
    if (undecided().length === 0 || Date.now() >= opened.deadline) {
      await park.step(() => serialized(close));
      continue;
    }
    const seen = version;
    const changed = () => version !== seen || shouldContinueAsNew() || emails.waiting();
    const dueAt = Math.min(opened.deadline, opened.remindersDue[0] ?? Infinity);
    if (await condition(changed, Math.max(1, dueAt - Date.now()))) continue;
    const now = Date.now();
    const due = opened.remindersDue.filter((t) => t <= now);
    if (due.length === 0) continue; // the deadline: the loop closes the review
    // Several past at once (a worker that was down): one reminder is enough.
    opened.remindersDue = opened.remindersDue.filter((t) => t > now);
    opened.remindersSent += 1;
    version++;
    tell('reminder', opened.remindersSent);
  }
  emails.start();
  await condition(quiet);
  return progress();
}
