// What support's actions share, whether an agent acts over HTTP or a help-desk ticket drives a
// workflow (INT-1): who the audit trail names, the audit entry a ticket finds again on a retry, and
// revoking an invitation that may have closed meanwhile.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Prisma } from '@prisma/client';
import type { InvitationsClient } from '../workflows/invitation/client';
import { InvitationRefusal } from '../workflows/invitation/messages';

/**
 * The help desk as an actor: what AuditEntry.actorId (a uuid, never null) and an event's actor hold
 * when a ticket acted, not a person. No user has this id; the ticket id is in the audit detail.
 * (The policies know the same actor as Service::"help-desk".)
 */
export const HELP_DESK_ACTOR_ID = '00000000-0000-4000-8000-000000000001';

/** Who performs a support action: a support agent over HTTP, or a ticket from the help desk. */
export type SupportActor = { userId: string } | { ticketId: string };

export const actorIdOf = (by: SupportActor): string => ('userId' in by ? by.userId : HELP_DESK_ACTOR_ID);
export const ticketIdOf = (by: SupportActor): string | null => ('ticketId' in by ? by.ticketId : null);

/**
 * The audit entry a ticket already wrote for this action, if any: what makes a retried ticket
 * activity answer what the first attempt did instead of acting twice. Inside `tx`, attempts of one
 * ticket take turns first (a retry may overlap a slow first attempt).
 */
export async function auditOfTicket(tx: Prisma.TransactionClient, ticketId: string, action: string) {
  await tx.$executeRaw`select pg_advisory_xact_lock(hashtextextended(${`audit:${ticketId}`}, 0))`;
  return tx.auditEntry.findFirst({
    where: { action, actorId: HELP_DESK_ACTOR_ID, detail: { path: ['ticketId'], equals: ticketId } },
  });
}

/**
 * Revokes an open invitation through its workflow. One that closed meanwhile (accepted, declined,
 * revoked) answers a refusal, and one whose run is gone cannot be revoked any more: both are done.
 * Anything else (Temporal down, no answer in time) is thrown, for the caller to retry.
 */
export async function revokeUnlessClosed(
  invitations: InvitationsClient,
  invitation: { id: string; workflowId: string },
  actorUserId: string | null,
): Promise<'revoked' | 'already-closed'> {
  try {
    await invitations.revoke(invitation.workflowId, invitation.id, { userId: actorUserId });
    return 'revoked';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'already-closed';
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    const type = cause instanceof ApplicationFailure ? cause.type : undefined;
    if (type === InvitationRefusal.conflict || type === InvitationRefusal.closed) return 'already-closed';
    throw err;
  }
}
