// The invitation workflow's contract, shared by the workflow and its callers (API, password reset):
// input, updates and the query. Pure definitions, safe to bundle.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { z } from 'zod';
import type { InvitationKind, InvitationState } from '../../domain/messages/values/invitation';
import { CarriedInvitationV1, InvitationInputV1 } from './input.v1';

/**
 * Issue 13: the input this version reads, frozen (./input.v1.ts): what callers start the workflow with
 * and what it carries across continue-as-new. The API's own value schemas no longer shape it.
 */
export const InvitationInput = InvitationInputV1;
export type InvitationInput = z.input<typeof InvitationInputV1>;
export type CarriedInvitation = z.infer<typeof CarriedInvitationV1>;

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
