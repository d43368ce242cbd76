// PP-2, INT-1: one workflow per `duplicate-email-fix` ticket. Support frees a portal email that was
// registered by mistake (changes it to an invalid address), so the right account can register it:
// the same use case as support's HTTP action (domain/partner-portal.ts), with the ticket as actor.
//
//   FREEING ──no partner or partner user holds the email──▶ REFUSED (nothing changed)
//      │ an invited user's open invitation revoked first; then the placeholder, the audit entry
//      │ (the help desk as actor, the ticket in its detail) and the event, one transaction
//      ▼
//   FREED
//
// Both ends record the ticket's outcome for the help desk (ticket-completed). The activity is keyed
// by the ticket id: a retry finds its own audit entry and frees nothing twice. Deterministic: every
// read and write of the world is an activity.
import {
  ActivityFailure,
  ApplicationFailure,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { acts, refuse } from '../shared';
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

  async function end(state: DuplicateEmailFixState, outcome: TicketOutcome, why: string) {
    v.state = state;
    v.reason = why;
    upsertSearchAttributes([{ key: ProcessStateKey, value: state }]);
    await acts.recordTicketOutcome({ ticketId, kind: DUPLICATE_EMAIL_FIX_KIND, workflowId, outcome, reason: why });
    return { ...v };
  }

  try {
    const freed = await acts.freePortalEmailForTicket({ ticketId, email, reason });
    v.auditEntryId = freed.auditEntryId;
    const revoked = freed.invitationRevoked ? ' Its open invitation was revoked.' : '';
    const freedNow = 'Freed: the email now belongs to no partner or partner user and can be registered again.';
    return await end('FREED', 'APPLIED', `${freedNow}${revoked}`);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (!(cause instanceof ApplicationFailure && cause.type === DuplicateEmailFixRefusal.noSuchEmail)) throw err;
    return end('REFUSED', 'REFUSED', cause.message);
  }
}
