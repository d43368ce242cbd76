// The access-review workflow's contract (AM-6), shared by the workflow and its callers (API, the
// organization's schedule): input, the update, the query. Pure definitions, safe to bundle.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { OrganizationId, UserId } from '../../domain/messages/values/identifiers';

/** What happens to a grant nobody confirmed by the deadline: revoked, or kept. */
export const Unconfirmed = z.enum(['LAPSE', 'KEEP']);
export type Unconfirmed = z.infer<typeof Unconfirmed>;

/** An item's outcome, as the AccessReviewItem row records it. */
export const ItemDecision = z.enum(['CONFIRMED', 'REVOKED', 'LAPSED', 'KEPT']);
export type ItemDecision = z.infer<typeof ItemDecision>;

/** At most 60 days to decide, and a review opens at most once a week (the policy's bounds). */
export const MAX_DEADLINE_DAYS = 60;

/** What the workflow carries across continue-as-new. Times are epoch milliseconds. */
export const CarriedAccessReview = z.object({
  state: z.enum(['OPEN', 'COMPLETED']),
  deadline: z.number(),
  /** Every grant under review (ledger grant id), with its outcome once decided. */
  items: z.record(z.string(), ItemDecision.nullable()),
  /** Reminders still due, earliest first. */
  remindersDue: z.array(z.number()),
  /** How many reminders went out: numbers each one's emails. */
  remindersSent: z.number().int().nonnegative(),
});
export type CarriedAccessReview = z.infer<typeof CarriedAccessReview>;

export const AccessReviewInput = z
  .strictObject({
    organizationId: OrganizationId,
    /** How long org admins have to decide, from the review's start. */
    deadlineDays: z.number().int().min(1).max(MAX_DEADLINE_DAYS),
    unconfirmed: Unconfirmed,
    /**
     * The org admin who set the policy. A lapse is theirs: they chose that unconfirmed grants lapse
     * (the revocation's reason says it was not confirmed). Null only without a policy row, i.e. KEEP.
     */
    policySetByUserId: UserId.nullable(),
    /** Who started it by hand; null for a run the organization's schedule started. */
    startedByUserId: UserId.nullable(),
    continueAsNewAfterEvents: z.number().int().min(20).default(2000),
    carried: CarriedAccessReview.optional(),
  })
  .refine((i) => i.unconfirmed === 'KEEP' || i.policySetByUserId !== null, {
    message: 'a policy that lets grants lapse names who set it',
    path: ['policySetByUserId'],
  });
export type AccessReviewInput = z.input<typeof AccessReviewInput>;

/**
 * One organization's reviews: `access-review-<orgId>-<uuid>` when started by hand; the schedule's runs
 * get the schedule's action id (`access-review-<orgId>`) with the scheduled time appended by Temporal.
 */
export const accessReviewWorkflowId = (organizationId: string, unique: string) =>
  `access-review-${organizationId}-${unique}`;
export const scheduledAccessReviewWorkflowId = (organizationId: string) => `access-review-${organizationId}`;
export const accessReviewScheduleId = (organizationId: string) => `access-review-schedule-${organizationId}`;

export interface AccessReviewProgress {
  reviewId: string;
  organizationId: string;
  /** OPENING until the grants are snapshotted; REFUSED when another review was open (nothing made). */
  state: 'OPENING' | 'OPEN' | 'COMPLETED' | 'REFUSED';
  total: number;
  decided: number;
  confirmed: number;
  revoked: number;
  lapsed: number;
  kept: number;
  /** ISO 8601; null until opened. */
  deadline: string | null;
  unconfirmed: Unconfirmed;
  refused: { reason: 'already-open'; message: string; openReviewId: string } | null;
}

/** Failure types the API maps to problems (api/workflow-command.ts). */
export const AccessReviewRefusal = {
  /** The review is closed, past its deadline, or the grant already decided (409). */
  conflict: 'Conflict',
  /** The grant is not part of this review (404). */
  notInReview: 'NotInReview',
  /** The command does not fit its contract (400). */
  invalid: 'InvalidInput',
  /** The ledger refuses to revoke the grant (an own membership): 422. */
  notRevocable: 'NotRevocable',
} as const;

/** Commands carry only who sends them: the caller's policy decision point decided they may. */
export const DecideCommand = z.strictObject({
  actorUserId: UserId,
  grantId: z.string().min(1).max(200),
  decision: z.enum(['confirm', 'revoke']),
});
export type DecideCommand = z.infer<typeof DecideCommand>;

/** Starts the review (update-with-start); answers once its grants are snapshotted, or it was refused. */
export const openedUpdate = defineUpdate<AccessReviewProgress, []>('opened');
export const decideUpdate = defineUpdate<AccessReviewProgress, [DecideCommand]>('decide');
export const progressQuery = defineQuery<AccessReviewProgress>('progress');
