// The client-relationship workflow's contract (AM-2), shared by the workflow and its callers (API,
// worker adoption): input, updates and the query. Pure definitions, safe to bundle.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { UserId } from '../../domain/messages/values/identifiers';
import { CarriedClientRelationshipV1, ClientRelationshipInputV1, ClientRelationshipTimingsV1 } from './input.v1';

export const ClientRelationshipState = z.enum(['PENDING_APPROVAL', 'ACTIVE', 'DECLINED', 'TERMINATED', 'EXPIRED']);
export type ClientRelationshipState = z.infer<typeof ClientRelationshipState>;
export const CLOSED_STATES: readonly ClientRelationshipState[] = ['DECLINED', 'TERMINATED', 'EXPIRED'];

export const RoleCeiling = z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'MEMBER']);
export type RoleCeiling = z.infer<typeof RoleCeiling>;

/** AM-2: at most two years, like Microsoft's GDAP. */
export const MAX_DURATION_DAYS = 730;

/**
 * Issue 13: the input this version reads, frozen (./input.v1.ts): what callers start the workflow with
 * and what it carries across continue-as-new. This file's own enums and limits no longer shape it.
 */
export const ClientRelationshipInput = ClientRelationshipInputV1;
export type ClientRelationshipInput = z.input<typeof ClientRelationshipInputV1>;
export type ClientRelationshipTimings = z.input<typeof ClientRelationshipTimingsV1>;
export type CarriedClientRelationship = z.infer<typeof CarriedClientRelationshipV1>;

export function clientRelationshipWorkflowId(relationshipId: string): string {
  return `client-relationship-${relationshipId}`;
}

export interface ClientRelationshipView {
  relationshipId: string;
  partnerFirmId: string;
  organizationId: string;
  state: ClientRelationshipState;
  roleCeiling: RoleCeiling;
  /** ISO 8601; set while ACTIVE. */
  expiresAt: string | null;
  autoExtend: boolean;
  reason: string;
  /**
   * Set when the request could not be opened at all (e.g. the pair already has an open one); nothing
   * was created, and the state reads DECLINED so no caller takes it for an open request.
   */
  refused: { reason: string; message: string } | null;
}

/** Failure types the API maps to HTTP statuses (api/workflow-command.ts). */
export const ClientRelationshipRefusal = {
  /** The command does not fit the current state (409). */
  conflict: 'Conflict',
  /** The command does not fit its contract (400). */
  invalid: 'InvalidInput',
  /** The relationship's row is gone (its organization or firm was deleted): nothing left to change. */
  gone: 'ClientRelationshipGone',
} as const;

/** Commands carry only who sends them: the caller's policy decision point decided they may. */
export const ApproveCommand = z.strictObject({ actorUserId: UserId });
export const DeclineCommand = z.strictObject({ actorUserId: UserId, reason: z.string().trim().min(1).max(500) });
export const TerminateCommand = z.strictObject({
  actorUserId: UserId,
  /** Which side ends it: the organization, or the firm (which also withdraws a pending request). */
  side: z.enum(['organization', 'firm']),
  reason: z.string().trim().min(1).max(500),
});
/**
 * The organization's org admin moves an active relationship's end date later, by hand. A date rather
 * than a number of days: sent twice (a retry, a second click) it extends once, and AM-2's bound is on
 * the end date itself (at most two years ahead), which the workflow checks against its own clock.
 */
export const ExtendCommand = z.strictObject({ actorUserId: UserId, expiresAt: z.iso.datetime() });
export type ApproveCommand = z.infer<typeof ApproveCommand>;
export type DeclineCommand = z.infer<typeof DeclineCommand>;
export type TerminateCommand = z.infer<typeof TerminateCommand>;
export type ExtendCommand = z.infer<typeof ExtendCommand>;

/** Starts the workflow (update-with-start) or joins it; answers once the first state is known. */
export const openUpdate = defineUpdate<ClientRelationshipView, []>('open');
export const approveUpdate = defineUpdate<ClientRelationshipView, [ApproveCommand]>('approve');
export const declineUpdate = defineUpdate<ClientRelationshipView, [DeclineCommand]>('decline');
export const terminateUpdate = defineUpdate<ClientRelationshipView, [TerminateCommand]>('terminate');
export const extendUpdate = defineUpdate<ClientRelationshipView, [ExtendCommand]>('extend');
export const relationshipQuery = defineQuery<ClientRelationshipView>('relationship');
