// Activities of the workflows support tickets drive (INT-1): what every one of them records at its
// end (the ticket's outcome, for the help desk), and PP-2's duplicate-email fix. Each is keyed by the
// ticket id, so a retry changes nothing that already happened.
import { permanent } from './permanent';
import type { Database } from '../platform/database';
import type { InvitationsClient } from '../workflows/invitation/client';
import { recordEvent } from '../events/outbox';
import { portalEmails, type FreedPortalEmail } from '../domain/partner-portal';
import { UseCaseRefusal } from '../domain/refusal';
import type { TicketOutcome } from '../domain/messages/events/support-ticket-outcome.v1';
import { DuplicateEmailFixRefusal } from '../workflows/duplicate-email-fix/messages';

export interface TicketOutcomeRecord {
  ticketId: string;
  kind: string;
  workflowId: string;
  outcome: TicketOutcome;
  reason: string;
}

export interface TicketFailureRecord {
  ticketId: string;
  kind: string;
  workflowId: string;
  /** The reason code (workflows/shared.ts ParkedReason), e.g. MISSING_ROW. */
  reason: string;
  /** The failed step in plain words: ids at most, no personal data. */
  detail: string;
}

const COMPLETED = 'partneraccess.support.ticket-completed.v1';

/** The workflows a ticket activity drives; a worker without them cannot run these activities. */
function required<T>(client: T | undefined, what: string): T {
  if (!client) throw new Error(`this worker has no ${what} client: it cannot run ticket activities`);
  return client;
}

export function supportTicketActivities(db: Database, invitations?: InvitationsClient) {
  return {
    /** The ticket's outcome, once: on the ticket's aggregate, after ticket-received and ticket-dispatched. */
    async recordTicketOutcome(o: TicketOutcomeRecord): Promise<{ recorded: boolean }> {
      return db.$transaction(async (tx) => {
        // The outbox's own lock on the aggregate: a retry overlapping a slow first attempt waits here.
        await tx.$executeRaw`select pg_advisory_xact_lock(hashtextextended(${o.ticketId}, 0))`;
        const done = await tx.outboxEvent.findFirst({
          where: { aggregateId: o.ticketId, type: COMPLETED },
          select: { id: true },
        });
        if (done) return { recorded: false };
        await recordEvent(tx, COMPLETED, { aggregateId: o.ticketId, data: o });
        return { recorded: true };
      });
    },

    /**
     * Issue 12: the ticket's workflow ended on a step that can never succeed. The row says so (FAILED,
     * the reason code, the step in plain words) and the help desk hears it (ticket-completed, FAILED),
     * once: a retry finds both done.
     */
    async recordTicketFailure(f: TicketFailureRecord): Promise<{ recorded: boolean }> {
      return db.$transaction(async (tx) => {
        await tx.$executeRaw`select pg_advisory_xact_lock(hashtextextended(${f.ticketId}, 0))`;
        await tx.supportTicket.updateMany({
          where: { ticketId: f.ticketId },
          data: { status: 'FAILED', workflowId: f.workflowId, failureReason: f.reason, failureDetail: f.detail },
        });
        const done = await tx.outboxEvent.findFirst({
          where: { aggregateId: f.ticketId, type: COMPLETED },
          select: { id: true },
        });
        if (done) return { recorded: false };
        const data: TicketOutcomeRecord = {
          ticketId: f.ticketId,
          kind: f.kind,
          workflowId: f.workflowId,
          outcome: 'FAILED',
          reason: `${f.reason}: ${f.detail}`,
        };
        await recordEvent(tx, COMPLETED, { aggregateId: f.ticketId, data });
        return { recorded: true };
      });
    },

    /** PP-2 by ticket: the same use case as support's HTTP action, with the ticket as the actor. */
    async freePortalEmailForTicket(t: {
      ticketId: string;
      email: string;
      reason: string;
    }): Promise<FreedPortalEmail> {
      const emails = portalEmails({ db, invitations: required(invitations, 'invitations') });
      try {
        return await emails.free({ email: t.email, reason: t.reason, by: { ticketId: t.ticketId } });
      } catch (err) {
        // Nobody holds the email (freed meanwhile by an agent, or never registered): no retry changes that.
        if (err instanceof UseCaseRefusal && err.kind === 'not-found') {
          throw permanent(DuplicateEmailFixRefusal.noSuchEmail, err.message);
        }
        throw err;
      }
    },
  };
}
