// The duplicate-email-fix workflow's contract (PP-2, INT-1), shared by the workflow and its caller
// (the ticket intake): input and the query. Pure definitions, safe to bundle.
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { TicketId } from '../../domain/messages/events/support.v1';
import { EmailAddress } from '../../domain/messages/values/invitation';

/** The ticket kind that starts it (events/inbound/ticket-kinds.ts). */
export const DUPLICATE_EMAIL_FIX_KIND = 'duplicate-email-fix';

/**
 * What support's HTTP action takes (the email, the reason), with the ticket that asks for it. The
 * intake checked the ticket against FreePortalEmailV1; that schema is not imported here, because its
 * module validates phone numbers and would bring their metadata into the workflow bundle.
 */
export const DuplicateEmailFixInput = z.strictObject({ ticketId: TicketId, email: EmailAddress, reason: z.string() });
export type DuplicateEmailFixInput = z.input<typeof DuplicateEmailFixInput>;

export function duplicateEmailFixWorkflowId(ticketId: string): string {
  return `duplicate-email-fix-${ticketId}`;
}

/** FAILED (issue 12): a step hit a fault no retry heals (a missing row, refused data); the reason says which. */
export type DuplicateEmailFixState = 'FREEING' | 'FREED' | 'REFUSED' | 'FAILED';

export interface DuplicateEmailFixView {
  ticketId: string;
  state: DuplicateEmailFixState;
  /** The audit entry of the freeing (its actor is the help desk, its detail names the ticket). */
  auditEntryId: string | null;
  reason: string;
}

/** Failure types of the workflow's activities that no retry can change. */
export const DuplicateEmailFixRefusal = {
  invalid: 'InvalidInput',
  /** No partner or partner user in the portal holds the email (any more). */
  noSuchEmail: 'NoSuchPortalEmail',
} as const;

export const progressQuery = defineQuery<DuplicateEmailFixView>('progress');
