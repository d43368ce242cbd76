// The third-party-access workflow's contract, shared by the workflow and its callers (API, ticket
// intake, CRM consumer): input, updates, signals and the query. Pure definitions, safe to bundle.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { UserId } from '../../domain/messages/values/identifiers';
import { TpuOrigin, TpuState } from '../../domain/messages/values/third-party-access';
import { CarriedStateV1, ThirdPartyAccessInputV1 } from './input.v1';
import type {
  ReviewThirdPartyAccessV1,
  SetThirdPartyAccessV1,
} from '../../domain/messages/commands/request-third-party-access.v1';

export const DEFAULT_ACCOUNT_WAIT_SECONDS = 14 * 24 * 3600;

/**
 * Issue 13: the input this version reads, frozen (./input.v1.ts): what callers start the workflow with
 * and what it carries across continue-as-new. The API's own value schemas no longer shape it.
 */
export const ThirdPartyAccessInput = ThirdPartyAccessInputV1;
export type ThirdPartyAccessInput = z.input<typeof ThirdPartyAccessInputV1>;
export type CarriedState = z.input<typeof CarriedStateV1>;

export function thirdPartyAccessWorkflowId(organizationId: string, relationshipId: string): string {
  return `tpu-${organizationId}-${relationshipId}`;
}

/**
 * Who sends a command: only their id. Whether they may is decided by the caller before the command
 * is sent (api/routes/third-party-access.ts); the workflow checks the state only.
 */
export interface CommandActor {
  userId: string;
}

/**
 * An actor as commands recorded before AM-7 carry it: with the roles the caller asserted. Still
 * accepted (histories replay them, and an API not yet upgraded may send them); only the removal's
 * wording reads them, when a command has no `removedBy`.
 */
export const RecordedCommandActor = z.object({
  userId: UserId,
  orgRole: z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'MEMBER']).nullable().optional(),
  isSupportAgent: z.boolean().optional(),
});
export type RecordedCommandActor = z.infer<typeof RecordedCommandActor>;

/** The setAccess Update as the workflow checks it: `until` becomes a timer, so it must be a date. */
export const SetAccessCommand = z.object({
  actor: RecordedCommandActor,
  access: z.enum(['on', 'off']),
  until: z.iso.datetime({ offset: true }).optional(),
});

/** Only changes the removal's wording ("Removed by support." or "Removed by an org admin."). */
export type RemovedBy = 'organization' | 'support';

/** AM-5: the reason recorded when access reaches its end date. */
export const ACCESS_ENDED = 'Access ended on its end date';

export interface RelationshipView {
  relationshipId: string;
  organizationId: string;
  state: TpuState;
  origin: z.infer<typeof TpuOrigin>;
  thirdPartyUserId: string | null;
  reason: string | null;
  /** AM-5: ISO 8601, or null. */
  accessEndsAt: string | null;
}

/** Failure types the API maps to HTTP statuses. */
export const Refusal = { forbidden: 'Forbidden', conflict: 'Conflict' } as const;

/** A request for the pair: starts the workflow (update-with-start) or joins the running one. */
export const joinUpdate = defineUpdate<
  RelationshipView & { requests: number },
  [{ requestedByUserId: string | null }]
>('join');
export const reviewUpdate = defineUpdate<RelationshipView, [{ actor: CommandActor } & ReviewThirdPartyAccessV1]>(
  'review',
);
export const setAccessUpdate = defineUpdate<RelationshipView, [{ actor: CommandActor } & SetThirdPartyAccessV1]>(
  'setAccess',
);
export const removeUpdate = defineUpdate<RelationshipView, [{ actor: CommandActor; removedBy: RemovedBy }]>('remove');
export const accountRegisteredSignal = defineSignal<[{ userId: string }]>('accountRegistered');
export const crmAccountOwnerSignal = defineSignal<[{ isAccountOwner: boolean }]>('crmAccountOwner');
export const relationshipQuery = defineQuery<RelationshipView>('relationship');
