// PA-4, INT-1: one workflow per `access-model-change` ticket. A customer account's access model
// (AUTOMATIC: the partner account's users manage the customer's users; INVITE_GUEST: only people the
// customer invited as guests get in) changes only this way.
//
//   APPLYING ──no such customer account──────────────▶ REFUSED    (nothing changed)
//      │ ──a fault no retry heals────────────────────▶ FAILED     (nothing changed; the ticket says why)
//      │ ──the model asked for is already in place──▶ UNCHANGED  (nothing changed; audited)
//      │ changed: the row, its audit entry and its event, one transaction
//      ▼
//   REVOKING (AUTOMATIC → INVITE_GUEST only: the open customer-user invitations the partner's staff
//      │      sent under the automatic model, each through its invitation workflow)
//      ▼
//   COMPLETED ──▶ both sides told: the partner firm's Account Owners, the organization's org admins
//
// Every end records the ticket's outcome for the help desk (ticket-completed: APPLIED, UNCHANGED,
// REFUSED or FAILED), so support always hears back, also when nothing changed. Issue 12: applying that
// hits a fault no retry heals (a missing row, refused data) ends the ticket FAILED (the row and
// ParkedReason say why); a step that kept failing for 6 hours (an outage), or a revocation that fails
// for good after the model changed, parks the run (PARKED) until an operator retries it: the change
// stands, and what is left is still wanted. What the policies allow follows
// the row at once (they read the model at every decision); the revocations only tidy what was sent
// under the old model. INVITE_GUEST → AUTOMATIC revokes nothing: the guests stay, the customer
// invited them. No commands: the ticket is the whole request. Each activity is keyed by the ticket
// id, so a retry changes nothing twice. Deterministic: every read and write of the world is an activity.
import {
  ActivityFailure,
  ApplicationFailure,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { mail, parking, ParkedReason, refuse, steps, type PermanentStepFailure } from '../shared';
import { ProcessStateKey } from '../../domain/search-attributes';
import type { TicketOutcome } from '../../domain/messages/events/support-ticket-outcome.v1';
import {
  accessModelEmail,
  AccessModelChangeInput,
  AccessModelChangeRefusal,
  ACCESS_MODEL_CHANGE_KIND,
  progressQuery,
  type AccessModelChangeState,
  type AccessModelChangeView,
} from './messages';

/** Invitations revoked at once: each is its own activity and its own Update to an invitation. */
const REVOKE_BATCH = 10;

export async function accessModelChange(rawInput: AccessModelChangeInput): Promise<AccessModelChangeView> {
  const parsed = AccessModelChangeInput.safeParse(rawInput);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw refuse(AccessModelChangeRefusal.invalid, `invalid workflow input: ${fields}`);
  }
  const input = parsed.data;
  const { ticketId, organizationId, accessModel: to } = input;
  const { workflowId } = workflowInfo();

  const v: AccessModelChangeView = {
    ticketId,
    organizationId,
    state: 'APPLYING',
    from: null,
    to,
    revokedInvitations: 0,
    reason: `Changing the access model to ${to}.`,
  };
  setHandler(progressQuery, () => ({ ...v }));

  const moveTo = (state: AccessModelChangeState, reason: string) => {
    v.state = state;
    v.reason = reason;
    upsertSearchAttributes([{ key: ProcessStateKey, value: state }]);
  };
  const park = parking({ state: () => v.state });
  const tellSupport = (outcome: TicketOutcome) =>
    park.step(() =>
      steps.recordTicketOutcome({ ticketId, kind: ACCESS_MODEL_CHANGE_KIND, workflowId, outcome, reason: v.reason }),
    );

  // An outage that outlasts the step's limit parks; any other permanent failure ends the ticket.
  const ends = (f: PermanentStepFailure) => f.reason !== ParkedReason.stepTimedOut;
  let applied;
  try {
    const change = { ticketId, organizationId, accessModel: to, reason: input.reason };
    applied = await park.step(() => steps.applyAccessModelChange(change), ends);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === AccessModelChangeRefusal.noCustomerAccount) {
      moveTo('REFUSED', cause.message);
      await tellSupport('REFUSED');
      return { ...v };
    }
    const f = park.failure(err);
    if (!f) throw err;
    moveTo('FAILED', `${f.reason}: ${f.step} failed (${f.message}); nothing changed.`);
    park.stop('FAILED', f);
    const failure = { ticketId, kind: ACCESS_MODEL_CHANGE_KIND, workflowId, reason: f.reason, detail: v.reason };
    await park.step(() => steps.recordTicketFailure(failure));
    return { ...v };
  }
  const { from } = applied;
  v.from = from;
  if (!applied.changed) {
    moveTo('UNCHANGED', `The access model already was ${to}; nothing changed.`);
    await tellSupport('UNCHANGED');
    return { ...v };
  }

  if (applied.toRevoke.length > 0) {
    moveTo('REVOKING', `Changed from ${from} to ${to}; revoking what ${to} no longer allows.`);
    for (let i = 0; i < applied.toRevoke.length; i += REVOKE_BATCH) {
      const batch = applied.toRevoke.slice(i, i + REVOKE_BATCH);
      const answers = await Promise.all(
        batch.map((invitation) => park.step(() => steps.revokeCustomerUserInvitation(invitation))),
      );
      v.revokedInvitations += answers.filter((a) => a === 'revoked').length;
    }
  }
  const revoked = v.revokedInvitations;
  const what =
    revoked === 0
      ? 'nothing to revoke'
      : `${revoked} open customer-user invitation${revoked === 1 ? '' : 's'} revoked`;
  moveTo('COMPLETED', `Changed from ${from} to ${to} (${what}); both sides are told.`);
  await tellSupport('APPLIED');

  // After the outcome: the change holds whether or not SMTP does. One email per person (one bad
  // address holds up nobody else), each retried for a day at most, a failure logged.
  try {
    const audience = await mail.accessModelChangeAudience({ organizationId });
    const { firmName, organizationName } = audience;
    await Promise.all(
      audience.recipients.map(({ side, ...recipient }) =>
        mail
          .sendEmail(accessModelEmail({ ticketId, side, recipient, firmName, organizationName, from, to }))
          .catch((err) => log.warn('access model change email failed', { ticketId, side, error: String(err) })),
      ),
    );
  } catch (err) {
    log.warn('access model change audience failed', { ticketId, error: String(err) });
  }
  return { ...v };
}
