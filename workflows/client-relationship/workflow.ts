// AM-2: one workflow per client relationship. A partner firm works for a client organization only
// under a relationship the organization's org admins approved, with a role ceiling and an end date
// (modelled on Microsoft's GDAP).
//
//   PENDING_APPROVAL ──approve (org admin)──▶ ACTIVE ──terminate (either side)──▶ TERMINATED
//     │ │ decline, or no answer                │  ▲
//     │ │ within the approval window           │  │ end date, auto-extend: +180 days, notices again
//     │ ▼                                      │  │ extend (org admin): a later end date, at most two
//     │ DECLINED                               ├──┘ years ahead, notices again
//     │                                        └──end date──▶ EXPIRED
//     └──terminate (the firm withdraws)──▶ TERMINATED
//
// While ACTIVE both sides (the organization's org admins, the firm's Account Owners and Account
// Managers) are told 30, 7 and 1 days before the end date, each notice an expiry-notice event. An
// extension, by itself or by hand, is an extended event (its actor says which) and both sides are told.
// Ending (DECLINED, TERMINATED, EXPIRED) revokes every membership delegated under the relationship in
// the transition's own transaction (AM-1: revoking the source revokes what derives from it).
// Commands are Updates carrying only the actor's id: who may send them was decided by the caller's
// policy decision point; the validators refuse a wrong state before anything reaches the history.
// AM-7: a command records its transition and answers. Its emails are queued and sent by the main
// loop afterwards, so ending a relationship never waits behind SMTP.
// A row without a workflow (migrated, seeded) is adopted: the first activity finds it, and the run
// goes on from the row's state and end date. Deterministic: every read and write is an activity.
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
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { ClientRelationshipNews, ClientRelationshipSide } from '../../activities/client-relationships';
import { steps, mail, newsSender, parking, refuse, serializer } from '../shared';
import { describeDuration } from '../../domain/invitations';
import { ProcessStateKey } from '../../domain/search-attributes';
import { ClientRelationshipInputV1 } from './input.v1';
import {
  ApproveCommand,
  approveUpdate,
  ClientRelationshipInput,
  ClientRelationshipRefusal,
  CLOSED_STATES,
  DeclineCommand,
  declineUpdate,
  ExtendCommand,
  extendUpdate,
  MAX_DURATION_DAYS,
  openUpdate,
  relationshipQuery,
  TerminateCommand,
  terminateUpdate,
  type CarriedClientRelationship,
  type ClientRelationshipState,
  type ClientRelationshipView,
} from './messages';

const DAY_MS = 24 * 3600 * 1000;

/** An email to send about a recorded transition: who hears of it, and what it says. */
interface News {
  news: ClientRelationshipNews;
  transition: number;
  sides: ClientRelationshipSide[];
  date: number | null;
  daysLeft: number | null;
  reason: string;
  /** Set only for a change a side made by hand that the email tells apart (an extension by an org admin). */
  by?: ClientRelationshipSide;
}

const BOTH: ClientRelationshipSide[] = ['organization', 'firm'];
const iso = (ms: number) => new Date(ms).toISOString();

export async function clientRelationship(rawInput: ClientRelationshipInput): Promise<ClientRelationshipView> {
  // Issue 13: the frozen V1 schema; a V2 (accepting V1 too) would be read here behind patched().
  const parsed = ClientRelationshipInputV1.safeParse(rawInput);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw refuse(ClientRelationshipRefusal.invalid, `invalid workflow input: ${fields}`);
  }
  const input = parsed.data;
  const timings = input.timings;
  const { relationshipId, partnerFirmId, organizationId } = input;
  const noticeDays = [...new Set(timings.noticeDays)].sort((a, b) => b - a);

  const relationship: CarriedClientRelationship = input.carried ?? {
    state: 'PENDING_APPROVAL',
    reason: 'Waiting for an org admin of the organization to approve.',
    transition: 0,
    roleCeiling: input.roleCeiling,
    durationDays: input.durationDays,
    autoExtend: input.autoExtend,
    decideBy: null,
    expiresAt: null,
    noticesDue: [],
  };
  let initialized = input.carried !== undefined;
  let refused: ClientRelationshipView['refused'] = null;
  /** Set when the row is gone (its organization or firm was deleted): the run ends. */
  let gone = false;
  /** Bumped by every recorded change, so the main loop's wait ends when something happened. */
  let version = 0;

  const view = (): ClientRelationshipView => ({
    relationshipId,
    partnerFirmId,
    organizationId,
    state: refused ? 'DECLINED' : relationship.state,
    roleCeiling: relationship.roleCeiling,
    expiresAt:
      relationship.state === 'ACTIVE' && relationship.expiresAt !== null ? iso(relationship.expiresAt) : null,
    autoExtend: relationship.autoExtend,
    reason: refused?.message ?? relationship.reason,
    refused,
  });

  const serialized = serializer();

  // ---- emails (AM-7): queued by transitions, sent by one sender the main loop starts, never by a command
  const warn = (what: string, n: News, err: unknown) =>
    log.warn(what, { relationshipId, news: n.news, transition: n.transition, error: String(err) });

  /** One activity per recipient: one bad address or slow retry holds up nobody else. Failures are logged. */
  async function deliver({ sides, date, ...n }: News): Promise<void> {
    const audience = await mail.clientRelationshipAudience({ relationshipId, sides });
    const { firmName, organizationName, recipients } = audience;
    const about = { relationshipId, ...n, date: date === null ? null : iso(date), firmName, organizationName };
    await Promise.all(
      recipients.map((recipient) =>
        mail
          .sendClientRelationshipEmail({ ...about, recipient })
          .catch((err) => warn('client relationship email failed', { sides, date, ...n }, err)),
      ),
    );
  }
  const emails = newsSender(deliver, (n: News, err) => warn('client relationship audience failed', n, err));
  function tell(news: ClientRelationshipNews, sides: ClientRelationshipSide[], extra: Partial<News> = {}): void {
    const { transition, expiresAt: date, reason } = relationship;
    emails.tell({ news, sides, transition, date, daysLeft: null, reason, ...extra });
  }
  // Before continuing as new or ending: no command in flight and every queued email out.
  const quiet = () => allHandlersFinished() && emails.idle();

  /** The notices still due before `expiresAt`, seen from `now` (those already past are not sent late). */
  const noticesBefore = (expiresAt: number, now: number) => noticeDays.filter((d) => expiresAt - d * DAY_MS > now);

  async function record(
    to: ClientRelationshipState,
    reason: string,
    actorUserId: string | null,
    extra: { expiresAt?: number; daysLeft?: number } = {},
  ): Promise<void> {
    const transition = relationship.transition + 1;
    try {
      await steps.recordClientRelationshipTransition({
        relationshipId,
        transition,
        to,
        reason,
        actorUserId,
        at: iso(Date.now()),
        expiresAt: extra.expiresAt === undefined ? undefined : iso(extra.expiresAt),
        daysLeft: extra.daysLeft,
      });
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === ClientRelationshipRefusal.gone) {
        gone = true;
        relationship.reason =
          'This client relationship no longer exists: its organization or partner firm was deleted.';
        version++;
        throw refuse(ClientRelationshipRefusal.gone, relationship.reason);
      }
      throw err;
    }
    relationship.transition = transition;
    relationship.state = to;
    // A notice leaves the state and its reason as they are.
    if (extra.daysLeft === undefined) relationship.reason = reason;
    if (extra.expiresAt !== undefined) relationship.expiresAt = extra.expiresAt;
    if (to !== 'PENDING_APPROVAL') relationship.decideBy = null;
    if (to !== 'ACTIVE') relationship.noticesDue = [];
    version++;
    upsertSearchAttributes([{ key: ProcessStateKey, value: to }]);
  }

  // ---- validators' checks: the contract and the state, nothing else
  const { conflict } = ClientRelationshipRefusal;
  const requireState = (allowed: ClientRelationshipState[], what: string) => {
    if (!allowed.includes(relationship.state)) {
      throw refuse(conflict, `Cannot ${what}: the relationship is ${relationship.state}.`, {
        state: relationship.state,
      });
    }
  };
  const requireContract = (schema: z.ZodType, cmd: unknown, name: string) => {
    if (!schema.safeParse(cmd).success) {
      throw refuse(ClientRelationshipRefusal.invalid, `The command does not fit the ${name} contract.`);
    }
  };
  const checkApprove = (cmd: ApproveCommand) => {
    requireContract(ApproveCommand, cmd, 'approve');
    requireState(['PENDING_APPROVAL'], 'approve');
  };
  const checkDecline = (cmd: DeclineCommand) => {
    requireContract(DeclineCommand, cmd, 'decline');
    requireState(['PENDING_APPROVAL'], 'decline');
  };
  const checkTerminate = (cmd: TerminateCommand) => {
    requireContract(TerminateCommand, cmd, 'terminate');
    if (relationship.state === 'PENDING_APPROVAL' && cmd.side === 'organization') {
      const message = "The relationship waits for the organization's approval: decline it instead.";
      throw refuse(conflict, message, { state: relationship.state });
    }
    requireState(['PENDING_APPROVAL', 'ACTIVE'], 'terminate');
  };
  const checkExtend = (cmd: ExtendCommand) => {
    requireContract(ExtendCommand, cmd, 'extend');
    requireState(['ACTIVE'], 'extend');
    const to = Date.parse(cmd.expiresAt);
    if (relationship.expiresAt === null) {
      throw refuse(conflict, 'Cannot extend: the relationship has no end date to move.', {
        state: relationship.state,
      });
    }
    if (to <= relationship.expiresAt) {
      const endsOn = iso(relationship.expiresAt);
      const message = `Cannot extend: the relationship already ends on ${endsOn}; choose a later date.`;
      throw refuse(conflict, message, { state: relationship.state, expiresAt: endsOn });
    }
    // AM-2: at most two years ahead, by the workflow's clock (the API checked the same by its own).
    if (to > Date.now() + MAX_DURATION_DAYS * DAY_MS) {
      const message = `An extension ends at most ${MAX_DURATION_DAYS} days (two years) from now.`;
      throw refuse(ClientRelationshipRefusal.invalid, message);
    }
  };

  // ---- queries and updates
  setHandler(relationshipQuery, view);
  // Answers once the relationship exists (new or adopted) or was refused.
  setHandler(openUpdate, async () => {
    await condition(() => initialized);
    return view();
  });

  /**
   * A command: the validator refuses it before it reaches the history; the handler checks again in
   * turn (an earlier command or timer may have moved the state), records, queues its emails, answers.
   */
  type Update<C> = UpdateDefinition<ClientRelationshipView, [C]>;
  function command<C>(update: Update<C>, check: (cmd: C) => void, run: (cmd: C) => Promise<void>): void {
    const handle = (cmd: C) =>
      serialized(async () => {
        check(cmd);
        await run(cmd);
        return view();
      });
    setHandler(update, handle, { validator: check });
  }

  command(approveUpdate, checkApprove, async (cmd) => {
    const now = Date.now();
    const expiresAt = now + relationship.durationDays * DAY_MS;
    const then = relationship.autoExtend ? `, then extends itself by ${timings.extensionDays} days at a time` : '';
    const reason = `Approved by an org admin; active for ${relationship.durationDays} days${then}.`;
    await record('ACTIVE', reason, cmd.actorUserId, { expiresAt });
    relationship.noticesDue = noticesBefore(expiresAt, now);
    tell('approved', ['firm']);
  });

  command(declineUpdate, checkDecline, async (cmd) => {
    await record('DECLINED', `Declined by an org admin: ${cmd.reason}`, cmd.actorUserId);
    tell('declined', ['firm']);
  });

  command(terminateUpdate, checkTerminate, async (cmd) => {
    const byFirm =
      relationship.state === 'PENDING_APPROVAL' ? 'Withdrawn by the partner firm' : 'Ended by the partner firm';
    const by = cmd.side === 'firm' ? byFirm : 'Ended by the organization';
    await record('TERMINATED', `${by}: ${cmd.reason}`, cmd.actorUserId);
    tell('terminated', BOTH);
  });

  // The new end date replaces the old; the main loop's next wait is for the notices before it.
  command(extendUpdate, checkExtend, async (cmd) => {
    const now = Date.now();
    const expiresAt = Date.parse(cmd.expiresAt);
    await record('ACTIVE', `Active: an org admin extended it until ${iso(expiresAt)}.`, cmd.actorUserId, {
      expiresAt,
    });
    relationship.noticesDue = noticesBefore(expiresAt, now);
    tell('extended', BOTH, { by: 'organization' });
  });

  /** What the main loop's timer was for: the approval window, a notice, or the end date. */
  async function onDue(): Promise<void> {
    const now = Date.now();
    if (relationship.state === 'PENDING_APPROVAL' && relationship.decideBy !== null && now >= relationship.decideBy) {
      const window = describeDuration(timings.approvalWindowSeconds);
      await record('DECLINED', `Declined: no org admin answered within ${window}.`, null);
      tell('declined', ['firm']);
      return;
    }
    if (relationship.state !== 'ACTIVE' || relationship.expiresAt === null) return;
    if (now >= relationship.expiresAt) {
      if (relationship.autoExtend) {
        // From the old end date, not from now: a late worker does not stretch the relationship.
        const expiresAt = relationship.expiresAt + timings.extensionDays * DAY_MS;
        const reason = `Active: it extended itself by ${timings.extensionDays} days, as agreed.`;
        await record('ACTIVE', reason, null, { expiresAt });
        relationship.noticesDue = noticesBefore(expiresAt, now);
        tell('extended', BOTH);
      } else {
        await record('EXPIRED', 'Expired: it reached its end date. The organization can approve a new one.', null);
        tell('expired', BOTH);
      }
      return;
    }
    const expiresAt = relationship.expiresAt;
    const passed = relationship.noticesDue.filter((d) => expiresAt - d * DAY_MS <= now);
    if (passed.length === 0) return;
    // Several past at once (a worker that was down): only the nearest one is worth sending.
    const daysLeft = Math.min(...passed);
    const reason = `Ends in ${daysLeft} day${daysLeft === 1 ? '' : 's'}, on ${iso(expiresAt)}.`;
    await record('ACTIVE', reason, null, { daysLeft });
    relationship.noticesDue = relationship.noticesDue.filter((d) => !passed.includes(d));
    tell('expiry-notice', BOTH, { daysLeft });
  }

  /** When the main loop must act next by itself, if ever. */
  function nextDue(): number | null {
    if (relationship.state === 'PENDING_APPROVAL') return relationship.decideBy;
    if (relationship.state !== 'ACTIVE' || relationship.expiresAt === null) return null;
    return relationship.noticesDue.length > 0
      ? relationship.expiresAt - relationship.noticesDue[0] * DAY_MS
      : relationship.expiresAt;
  }

  // ---- the process
  // Issue 12: a step of the process itself (not of a command, whose caller hears the failure) that
  // fails for good, or outlasts its limit, parks the run until an operator retries it. A relationship
  // whose row is gone is not parked: it ends, as before (nothing brings the row back).
  const park = parking({ state: () => (refused ? 'REFUSED' : relationship.state) });
  if (!input.carried) {
    await park.step(() =>
      serialized(async () => {
        const opened = await steps.openClientRelationship({
          relationshipId,
          workflowId: workflowInfo().workflowId,
          partnerFirmId,
          organizationId,
          roleCeiling: input.roleCeiling,
          durationDays: input.durationDays,
          autoExtend: input.autoExtend,
          requestedByUserId: input.requestedByUserId,
          at: iso(Date.now()),
        });
        if (opened.refused) {
          refused = opened.refused;
          upsertSearchAttributes([{ key: ProcessStateKey, value: 'REFUSED' }]);
          return;
        }
        // New, or adopted: the row's state, terms and end date win over the input's.
        relationship.state = opened.state;
        relationship.reason = opened.reason;
        relationship.transition = opened.transition;
        relationship.roleCeiling = opened.roleCeiling;
        relationship.durationDays = opened.durationDays;
        relationship.autoExtend = opened.autoExtend;
        if (opened.state === 'PENDING_APPROVAL')
          relationship.decideBy = Date.parse(opened.requestedAt) + timings.approvalWindowSeconds * 1000;
        if (opened.state === 'ACTIVE' && opened.expiresAt) {
          relationship.expiresAt = Date.parse(opened.expiresAt);
          relationship.noticesDue = noticesBefore(relationship.expiresAt, Date.now());
        }
        upsertSearchAttributes([{ key: ProcessStateKey, value: opened.state }]);
        if (opened.created) tell('requested', ['organization'], { date: relationship.decideBy });
      }),
    );
    initialized = true;
    if (refused) {
      await condition(allHandlersFinished);
      return view();
    }
  }

  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > input.continueAsNewAfterEvents;

  while (!CLOSED_STATES.includes(relationship.state) && !gone) {
    emails.start();
    if (shouldContinueAsNew()) {
      await condition(quiet);
      await continueAsNew<typeof clientRelationship>({ ...input, carried: relationship });
    }
    const seen = version;
    const changed = () => version !== seen || shouldContinueAsNew() || emails.waiting();
    const dueAt = nextDue();
    if (dueAt === null) {
      await condition(changed);
      continue;
    }
    if (await condition(changed, Math.max(1, dueAt - Date.now()))) continue;
    await park
      .step(() =>
        serialized(async () => {
          // A command got in first: the loop looks again at what is due now.
          if (version === seen) await onDue();
        }),
      )
      .catch((err) => {
        if (!gone) throw err;
      });
  }
  emails.start();
  await condition(quiet);
  return view();
}
