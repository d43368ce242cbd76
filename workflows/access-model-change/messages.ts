// The access-model-change workflow's contract (PA-4, INT-1), shared by the workflow and its caller
// (the ticket intake): input, the query, and the emails both sides get. Pure definitions, safe to bundle.
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { OrganizationId } from '../../domain/messages/values/identifiers';
import { TicketId } from '../../domain/messages/events/support.v1';
import { CustomerAccessModelV1 } from '../../domain/messages/events/customer-accounts.v1';
import type { OutgoingEmail } from '../../platform/mail';

export type CustomerAccessModel = z.infer<typeof CustomerAccessModelV1>;

/** The ticket kind that starts it (events/inbound/ticket-kinds.ts). */
export const ACCESS_MODEL_CHANGE_KIND = 'access-model-change';

export const AccessModelChangeInput = z.strictObject({
  ticketId: TicketId,
  organizationId: OrganizationId,
  accessModel: CustomerAccessModelV1,
  /** Why the customer asked, as the ticket says it (kept in the audit trail). */
  reason: z.string().nullable(),
});
export type AccessModelChangeInput = z.input<typeof AccessModelChangeInput>;

export function accessModelChangeWorkflowId(ticketId: string): string {
  return `access-model-change-${ticketId}`;
}

/** FAILED (issue 12): applying hit a fault no retry heals (a missing row, refused data); the reason says which. */
export type AccessModelChangeState = 'APPLYING' | 'REVOKING' | 'COMPLETED' | 'UNCHANGED' | 'REFUSED' | 'FAILED';

export interface AccessModelChangeView {
  ticketId: string;
  organizationId: string;
  state: AccessModelChangeState;
  /** The model before the ticket (null until read, or when refused). */
  from: CustomerAccessModel | null;
  to: CustomerAccessModel;
  /** Open customer-user invitations the change revoked (AUTOMATIC → INVITE_GUEST only). */
  revokedInvitations: number;
  reason: string;
}

/** Failure types of the workflow's activities that no retry can change. */
export const AccessModelChangeRefusal = {
  invalid: 'InvalidInput',
  /** The organization is not (or no longer) a customer account of a partner. */
  noCustomerAccount: 'NoSuchCustomerAccount',
} as const;

export const progressQuery = defineQuery<AccessModelChangeView>('progress');

/** What each side reads: the partner firm's Account Owners, the organization's org admins. */
export type AccessModelSide = 'firm' | 'organization';

const WORDS: Record<CustomerAccessModel, string> = {
  AUTOMATIC: 'automatic partner access',
  INVITE_GUEST: 'invite-guest access',
};

/**
 * One email to one person of one side; its Message-ID is the ticket's and the person's, so a retry is
 * recognisable.
 */
export function accessModelEmail(e: {
  ticketId: string;
  side: AccessModelSide;
  recipient: { userId: string; email: string };
  firmName: string;
  organizationName: string;
  from: CustomerAccessModel;
  to: CustomerAccessModel;
}): OutgoingEmail {
  const { firmName: firm, organizationName: org } = e;
  const now =
    e.to === 'INVITE_GUEST'
      ? e.side === 'firm'
        ? `${firm}'s users no longer manage ${org}'s users. They get in only when ${org} invites them as a ` +
          `guest, and then by switching into the account. Open invitations of new users ${firm} sent to ` +
          `${org} were revoked.`
        : `${firm}'s users no longer manage your users. Only people you invite as guests get into ${org}; ` +
          `open invitations of new users that ${firm} had sent were revoked. Guests you invited keep their access.`
      : e.side === 'firm'
        ? `${firm}'s users manage ${org}'s users again, without an invitation. ` +
          `Guests ${org} invited keep their access.`
        : `${firm}'s users manage your users again, without an invitation. Guests you invited keep their access.`;
  return {
    to: e.recipient.email,
    subject: `${org} now uses ${WORDS[e.to]} for ${firm}`,
    text:
      `At ${org}'s request (support ticket ${e.ticketId}), the access model of ${org} changed from ` +
      `${WORDS[e.from]} to ${WORDS[e.to]}.\n\n${now}\n\nOnly a support ticket changes it again.`,
    messageId: `<access-model-change-${e.ticketId}-${e.recipient.userId}@partner-access.example>`,
  };
}
