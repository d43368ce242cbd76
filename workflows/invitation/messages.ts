// The invitation workflow's contract, shared by the workflow and its callers (API, password reset):
// input, updates and the query. Pure definitions, safe to bundle.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { UserId } from '../../domain/messages/values/identifiers';
import { PersonName } from '../../domain/messages/values/person';
import { EmailAddress, InvitationKind, InvitationState } from '../../domain/messages/values/invitation';
import { MAX_EXPIRY_SECONDS } from '../../domain/invitations';

export const InvitationTimings = z.strictObject({
  expirySeconds: z.number().int().positive().max(MAX_EXPIRY_SECONDS),
  reminderBeforeSeconds: z.number().int().nonnegative(),
  renewalWindowSeconds: z.number().int().nonnegative().max(90 * 24 * 3600),
  resendMinIntervalSeconds: z.number().int().nonnegative(),
  resendsPerDay: z.number().int().positive(),
});

/** What the workflow carries across continue-as-new. */
export const CarriedInvitation = z.object({
  state: InvitationState,
  reason: z.string(),
  transition: z.number().int().nonnegative(),
  tokenHash: z.string().nullable(),
  /** Times (ms) of the initial send and each resend or renewal: the rate limit reads them. */
  sends: z.array(z.number()),
  sendNumber: z.number().int().nonnegative(),
  expiresAt: z.number(),
  /** The send whose reminder already went out. */
  remindedFor: z.number().int().nullable(),
  expiredAt: z.number().nullable(),
  acceptedUserId: UserId.nullable(),
});
export type CarriedInvitation = z.infer<typeof CarriedInvitation>;

export const InvitationInput = z.strictObject({
  kind: InvitationKind,
  /** Whose list it is on: business partner company, portal partner, partner firm. */
  scopeId: z.uuid(),
  invitee: z.strictObject({ email: EmailAddress, firstName: PersonName, lastName: PersonName }),
  invitedByUserId: UserId.nullable(),
  /** What accepting grants, per kind (e.g. the practice role). */
  offer: z.record(z.string(), z.string()).default({}),
  /** Kind-specific details the first activity needs (e.g. a portal user's phone). Not shown. */
  details: z.record(z.string(), z.string()).default({}),
  timings: InvitationTimings,
  continueAsNewAfterEvents: z.number().int().min(20).default(2000),
  carried: CarriedInvitation.optional(),
});
export type InvitationInput = z.input<typeof InvitationInput>;

/** The first run's id names the invitation everywhere (row, link, events), stable across continue-as-new. */
export function invitationWorkflowId(kind: InvitationKind, scopeId: string, emailKey: string): string {
  return `invitation-${kind.toLowerCase().replace(/_/g, '-')}-${scopeId}-${emailKey}`;
}

export interface InvitationView {
  invitationId: string;
  kind: InvitationKind;
  state: InvitationState;
  reason: string;
  expiresAt: string | null;
  /** BP-4: when the original went out, the latest send, and how many sends so far. */
  firstSentAt: string | null;
  lastSentAt: string | null;
  sendCount: number;
  /** Set when the invitation could not be opened at all (e.g. the email is taken). */
  refused: { reason: string; message: string } | null;
}

/**
 * Who sends a command: only their id (AM-3). Whether they may is decided before the command is sent,
 * by the policy decision point; the workflow decides only what the invitation's state allows.
 */
export interface InvitationActor {
  /** Null when the invitee asked for it themselves (a password reset renewing their expired invitation). */
  userId: string | null;
  /** Histories from before AM-3 carry the caller's own claim; it is no longer read. */
  manages?: boolean;
}

/** Failure types the API maps to HTTP statuses. */
export const InvitationRefusal = {
  forbidden: 'Forbidden',
  conflict: 'Conflict',
  rateLimited: 'RateLimited',
  linkSuperseded: 'LinkSuperseded',
  expired: 'InvitationExpired',
  closed: 'InvitationClosed',
  needsPassword: 'NeedsPassword',
  /** AM-2: what an organization-access offer grants no longer holds at accept time. */
  grantWithdrawn: 'GrantWithdrawn',
} as const;

export const openUpdate = defineUpdate<InvitationView, []>('open');
export const resendUpdate = defineUpdate<InvitationView, [{ actor: InvitationActor }]>('resend');
export const revokeUpdate = defineUpdate<InvitationView, [{ actor: InvitationActor }]>('revoke');
/** The invitee answers with the link's token hash (never the token itself). */
export const acceptUpdate = defineUpdate<InvitationView, [{ tokenHash: string; userId: string | null }]>('accept');
export const rejectUpdate = defineUpdate<InvitationView, [{ tokenHash: string }]>('reject');
export const invitationQuery = defineQuery<InvitationView>('invitation');
