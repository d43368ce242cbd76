// PP-2, INT-1: one workflow per `duplicate-email-fix` ticket. Support frees a portal email that was
// registered by mistake (changes it to an invalid address), so the right account can register it:
// the same use case as support's HTTP action (domain/partner-portal.ts), with the ticket as actor.
//
//   FREEING ──no partner or partner user holds the email──▶ REFUSED (nothing changed)
//      │ ──a fault no retry heals (a missing row, refused data)──▶ FAILED (ticket row FAILED, its reason)
//      │ an invited user's open invitation revoked first; then the placeholder, the audit entry
//      │ (the help desk as actor, the ticket in its detail) and the event, one transaction
//      ▼
//   FREED
//
// Every end records the ticket's outcome for the help desk (ticket-completed). The activity is keyed
// by the ticket id: a retry finds its own audit entry and frees nothing twice. Issue 12: a fault no
// retry heals ends the ticket (FAILED, ParkedReason says why): nothing the run could do later fixes
// it, and the help desk must hear now; a step that kept failing for 6 hours (an outage) parks instead
// (PARKED) until an operator retries it, since the work is still wanted. Deterministic: every
// read and write of the world is an activity.
import {
  ActivityFailure,
  ApplicationFailure,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { parking, ParkedReason, refuse, steps, type PermanentStepFailure } from '../shared';
import { ProcessStateKey } from '../../domain/search-attributes';
import type { TicketOutcome } from '../../domain/messages/events/support-ticket-outcome.v1';
import {
  DUPLICATE_EMAIL_FIX_KIND,
  DuplicateEmailFixInput,
  DuplicateEmailFixRefusal,
  progressQuery,
  type DuplicateEmailFixState,
  type DuplicateEmailFixView,
} from './messages';

export async function duplicateEmailFix(rawInput: DuplicateEmailFixInput): Promise<DuplicateEmailFixView> {
  const parsed = DuplicateEmailFixInput.safeParse(rawInput);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw refuse(DuplicateEmailFixRefusal.invalid, `invalid workflow input: ${fields}`);
  }
  const { ticketId, email, reason } = parsed.data;
  const { workflowId } = workflowInfo();

  const v: DuplicateEmailFixView = { ticketId, state: 'FREEING', auditEntryId: null, reason: 'Freeing the email.' };
  setHandler(progressQuery, () => ({ ...v }));

  const park = parking({ state: () => v.state });

  async function end(state: DuplicateEmailFixState, outcome: TicketOutcome, why: string) {
    v.state = state;
    v.reason = why;
    upsertSearchAttributes([{ key: ProcessStateKey, value: state }]);
    const record = { ticketId, kind: DUPLICATE_EMAIL_FIX_KIND, workflowId, outcome, reason: why };
    await park.step(() => steps.recordTicketOutcome(record));
    return { ...v };
  }

  /** Issue 12: the ticket ends FAILED, its row and the help desk told why. */
  async function fail(f: PermanentStepFailure) {
    v.state = 'FAILED';
    v.reason = `${f.reason}: ${f.step} failed (${f.message})`;
    park.stop('FAILED', f);
    const record = { ticketId, kind: DUPLICATE_EMAIL_FIX_KIND, workflowId, reason: f.reason, detail: v.reason };
    await park.step(() => steps.recordTicketFailure(record));
    return { ...v };
  }

  // An outage that outlasts the step's limit parks; any other permanent failure ends the ticket.
  const ends = (f: PermanentStepFailure) => f.reason !== ParkedReason.stepTimedOut;
  let freed;
  try {
    freed = await park.step(() => steps.freePortalEmailForTicket({ ticketId, email, reason }), ends);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === DuplicateEmailFixRefusal.noSuchEmail) {
      return end('REFUSED', 'REFUSED', cause.message);
    }
    const f = park.failure(err);
    if (f) return fail(f);
    throw err;
  }
  v.auditEntryId = freed.auditEntryId;
  const revoked = freed.invitationRevoked ? ' Its open invitation was revoked.' : '';
  const freedNow = 'Freed: the email now belongs to no partner or partner user and can be registered again.';
  return end('FREED', 'APPLIED', `${freedNow}${revoked}`);
}
