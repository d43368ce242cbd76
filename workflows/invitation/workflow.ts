// BP-1..BP-5, PP-1..PP-4, PS-2: one workflow per invitation, whatever its kind.
//
//   PENDING ──accept──▶ ACCEPTED        PENDING ──timer──▶ EXPIRED ──renew──▶ PENDING
//      │ ──reject──▶ REJECTED             (a reminder     │ renewal window over: the run ends
//      │ ──revoke──▶ REVOKED               goes out first) └──revoke──▶ REVOKED
//      └──resend──▶ PENDING (new link, old one dead, expiry restarted, rate-limited)
//
// The link's token is made, hashed and mailed inside an activity: only its hash ever reaches this
// code and its history. Commands are Updates whose validators refuse the wrong caller, the wrong
// state or a stale link before anything is written. Deterministic: every read and write of the
// world is an activity; issue 13: a local one (databaseSteps()), run inside the workflow task, so a
// command or an expiry takes one workflow task instead of one per step.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { databaseSteps, parking, refuse, serializer } from '../shared';
import { CLOSED_STATES, type InvitationState } from '../../domain/messages/values/invitation';
import { describeDuration, reminderAt, resendWait } from '../../domain/invitations';
import { PartnerUserIdKey, ProcessStateKey } from '../../domain/search-attributes';
import { InvitationInputV1 } from './input.v1';
import {
  acceptUpdate,
  InvitationInput,
  invitationQuery,
  InvitationRefusal,
  openUpdate,
  rejectUpdate,
  resendUpdate,
  revokeUpdate,
  type CarriedInvitation,
  type InvitationActor,
  type InvitationView,
} from './messages';

export async function invitation(rawInput: InvitationInput): Promise<InvitationView> {
  // Issue 13: the frozen V1 schema; a V2 (accepting V1 too) would be read here behind patched().
  const parsed = InvitationInputV1.safeParse(rawInput);
  if (!parsed.success)
    throw refuse(
      'InvalidInput',
      `invalid workflow input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  const input = parsed.data;
  const timings = input.timings;
  const invitationId = workflowInfo().firstExecutionRunId;

  const current: CarriedInvitation = input.carried ?? {
    state: 'PENDING',
    reason: 'Sent; waiting for the invitee to accept.',
    transition: 0,
    tokenHash: null,
    sends: [],
    sendNumber: 0,
    expiresAt: 0,
    remindedFor: null,
    expiredAt: null,
    acceptedUserId: null,
  };
  let initialized = input.carried !== undefined;
  let refused: InvitationView['refused'] = null;
  /** Bumped by every change, so the timers' wait ends when something happened. */
  let version = 0;

  const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);
  const view = (): InvitationView => ({
    invitationId,
    kind: input.kind,
    state: current.state,
    reason: refused?.message ?? current.reason,
    expiresAt: current.state === 'PENDING' ? iso(current.expiresAt) : null,
    firstSentAt: iso(current.sends[0]),
    lastSentAt: iso(current.sends[current.sends.length - 1]),
    sendCount: current.sends.length,
    refused,
  });

  const serialized = serializer();

  const base = () => ({ invitationId, workflowId: workflowInfo().workflowId, kind: input.kind });

  /** A new link: the activity makes the token, stores its hash, records the send and mails it. */
  async function send(kind: 'INITIAL' | 'RESEND' | 'RENEWAL' | 'REMINDER'): Promise<void> {
    const now = Date.now();
    const expiresAt = kind === 'REMINDER' ? current.expiresAt : now + timings.expirySeconds * 1000;
    current.sendNumber += 1;
    const { tokenHash } = await databaseSteps().sendInvitation({
      ...base(),
      number: current.sendNumber,
      sendKind: kind,
      expiresAt: new Date(expiresAt).toISOString(),
    });
    current.tokenHash = tokenHash;
    current.expiresAt = expiresAt;
    if (kind === 'REMINDER') current.remindedFor = current.sends.length;
    else current.sends.push(now);
    version++;
  }

  async function moveTo(
    state: InvitationState,
    reason: string,
    actorUserId: string | null,
    acceptedUserId: string | null = null,
  ): Promise<void> {
    const from = current.state;
    const result = await databaseSteps().recordInvitationTransition({
      ...base(),
      transition: current.transition + 1,
      from,
      to: state,
      reason,
      actorUserId,
      acceptedUserId,
    });
    current.transition += 1;
    current.state = state;
    current.reason = reason;
    current.acceptedUserId = result.acceptedUserId;
    if (state !== 'PENDING') current.tokenHash = null;
    if (state === 'EXPIRED') current.expiredAt = Date.now();
    version++;
    upsertSearchAttributes([
      { key: ProcessStateKey, value: state },
      ...(current.acceptedUserId ? [{ key: PartnerUserIdKey, value: current.acceptedUserId }] : []),
    ]);
  }

  // ---- validators' checks
  const requireOpenLink = (tokenHash: string) => {
    if (current.state === 'EXPIRED')
      throw refuse(
        InvitationRefusal.expired,
        'This invitation has expired. Ask the person who invited you to renew it; the new email carries a fresh link.',
      );
    if (current.state !== 'PENDING')
      throw refuse(InvitationRefusal.closed, closedMessage(current.state), { state: current.state });
    if (tokenHash !== current.tokenHash)
      throw refuse(
        InvitationRefusal.linkSuperseded,
        'This link was replaced by a newer invitation email. Use the link in the most recent email.',
      );
  };

  // ---- queries and updates
  setHandler(invitationQuery, view);
  // Answers once the invitation exists and its first email is out (or it was refused).
  setHandler(openUpdate, async () => {
    await condition(() => initialized);
    return view();
  });

  setHandler(
    resendUpdate,
    ({ actor }) =>
      serialized(async () => {
        const renewal = current.state === 'EXPIRED';
        checkResend();
        if (renewal) await moveTo('PENDING', 'Renewed; waiting for the invitee to accept.', actor.userId);
        await send(renewal ? 'RENEWAL' : 'RESEND');
        return view();
      }),
    { validator: (_command: { actor: InvitationActor }) => checkResend() },
  );
  function checkResend() {
    if (current.state !== 'PENDING' && current.state !== 'EXPIRED')
      throw refuse(InvitationRefusal.conflict, `Cannot resend: the invitation is ${current.state}.`);
    const wait = resendWait(current.sends, Date.now(), timings);
    if (wait !== null)
      throw refuse(
        InvitationRefusal.rateLimited,
        `This invitation was sent recently; it can be sent again in ${wait} s.`,
        { retryAfterSeconds: wait },
      );
  }

  setHandler(
    revokeUpdate,
    ({ actor }) =>
      serialized(async () => {
        checkRevoke();
        await moveTo('REVOKED', 'Revoked by the inviter; the link no longer works.', actor.userId);
        return view();
      }),
    { validator: (_command: { actor: InvitationActor }) => checkRevoke() },
  );
  function checkRevoke() {
    if (current.state !== 'PENDING' && current.state !== 'EXPIRED')
      throw refuse(InvitationRefusal.conflict, `Cannot revoke: the invitation is ${current.state}.`);
  }

  setHandler(
    acceptUpdate,
    ({ tokenHash, userId }) =>
      serialized(async () => {
        requireOpenLink(tokenHash);
        try {
          await moveTo('ACCEPTED', 'Accepted.', userId, userId);
        } catch (err) {
          // The activity's business refusal (e.g. a password is needed) is the caller's answer.
          const cause = err instanceof ActivityFailure ? err.cause : undefined;
          if (cause instanceof ApplicationFailure && cause.type === InvitationRefusal.needsPassword)
            throw refuse(cause.type, cause.message);
          // AM-2: an offer that no longer holds is the caller's answer too (no earlier history has one).
          if (
            cause instanceof ApplicationFailure &&
            cause.type === InvitationRefusal.grantWithdrawn &&
            patched('am-2-grant-withdrawn')
          ) {
            throw refuse(cause.type, cause.message);
          }
          throw err;
        }
        return view();
      }),
    { validator: ({ tokenHash }) => requireOpenLink(tokenHash) },
  );

  setHandler(
    rejectUpdate,
    ({ tokenHash }) =>
      serialized(async () => {
        requireOpenLink(tokenHash);
        await moveTo('REJECTED', 'Declined by the invitee.', null);
        return view();
      }),
    { validator: ({ tokenHash }) => requireOpenLink(tokenHash) },
  );

  // ---- the process
  // Issue 12: a step of the process itself (not of a command, whose caller hears the failure) that
  // fails for good, or outlasts its limit, parks the run until an operator retries it.
  const park = parking({ state: () => current.state });
  if (!input.carried) {
    await park.step(() =>
      serialized(async () => {
        const opened = await databaseSteps().openInvitation({
          ...base(),
          scopeId: input.scopeId,
          invitee: input.invitee,
          invitedByUserId: input.invitedByUserId,
          offer: input.offer,
          details: input.details,
          expiresAt: new Date(Date.now() + timings.expirySeconds * 1000).toISOString(),
        });
        if (opened.refused) {
          refused = opened.refused;
          return;
        }
        current.transition = 1;
        upsertSearchAttributes([{ key: ProcessStateKey, value: 'PENDING' }]);
        await send('INITIAL');
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

  while (!CLOSED_STATES.includes(current.state)) {
    if (shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof invitation>({ ...input, carried: current });
    }
    const seen = version;
    const changed = () => version !== seen || shouldContinueAsNew();
    if (current.state === 'PENDING') {
      const lastSend = current.sends[current.sends.length - 1];
      const remindAt = current.remindedFor === current.sends.length ? null : reminderAt(lastSend, timings);
      const dueAt = remindAt !== null && remindAt < current.expiresAt ? remindAt : current.expiresAt;
      if (await condition(changed, Math.max(1, dueAt - Date.now()))) continue;
      await park.step(() =>
        serialized(async () => {
          if (version !== seen || current.state !== 'PENDING') return;
          if (dueAt === remindAt) await send('REMINDER');
          else
            await moveTo(
              'EXPIRED',
              `Expired unanswered after ${describeDuration(timings.expirySeconds)}. ` +
                'The inviter can renew it in one step.',
              null,
            );
        }),
      );
    } else {
      // EXPIRED: open for a one-step renewal until the window closes.
      const closesAt = current.expiredAt! + timings.renewalWindowSeconds * 1000;
      if (await condition(changed, Math.max(1, closesAt - Date.now()))) continue;
      if (current.state === 'EXPIRED' && version === seen) {
        await park.step(() => databaseSteps().releaseInvitation(base()));
        break;
      }
    }
  }
  await condition(allHandlersFinished);
  return view();
}

function closedMessage(state: InvitationState): string {
  switch (state) {
    case 'ACCEPTED':
      return (
        'This invitation was already accepted. Sign in instead; ' +
        'if you forgot your password, ask for a password reset.'
      );
    case 'REJECTED':
      return 'This invitation was declined. Ask the person who invited you to send a new one.';
    case 'REVOKED':
      return (
        'This invitation was revoked by the person who sent it. ' +
        'Ask them to invite you again if this is a mistake.'
      );
    default:
      return `This invitation is ${state}.`;
  }
}
