// Issue 13: the client-relationship workflow's input, version 1, frozen. A run parses it at its start
// and again at every continue-as-new, up to two years later, on whatever code is deployed then; so it
// imports nothing from the API's value schemas (domain/messages/values) or the contract's evolving
// limits (./messages), which may tighten at any time.
// The rule: a frozen schema is never edited. A change makes ClientRelationshipInputV2 next to it, read behind a
// `patched()` branch (a replayed run started before reads V1), or a new workflow type. V2 must still
// accept every V1 input (parse V1 and upgrade it): a run started on V1 hands its input to the new
// code when it next continues as new.
// The shapes below are copies of the API's as of this version.
import { z } from 'zod';

const DAY_SECONDS = 24 * 3600;
const MAX_DURATION_DAYS = 730;
const State = z.enum(['PENDING_APPROVAL', 'ACTIVE', 'DECLINED', 'TERMINATED', 'EXPIRED']);
const Ceiling = z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'MEMBER']);

export const ClientRelationshipTimingsV1 = z.strictObject({
  /** How long the organization has to answer a request before it is declined unanswered. */
  approvalWindowSeconds: z
    .number()
    .int()
    .positive()
    .max(90 * DAY_SECONDS)
    .default(30 * DAY_SECONDS),
  /** Both sides are told this many days before the end date (each once per end date). */
  noticeDays: z.array(z.number().int().positive().max(MAX_DURATION_DAYS)).max(10).default([30, 7, 1]),
  /** What an auto-extending relationship adds to its end date when it reaches it. */
  extensionDays: z.number().int().positive().max(MAX_DURATION_DAYS).default(180),
});

/** What the workflow carries across continue-as-new. Times are epoch milliseconds. */
export const CarriedClientRelationshipV1 = z.object({
  state: State,
  reason: z.string(),
  /** The row's transition counter: every recorded change (notices too) is one step. */
  transition: z.number().int().nonnegative(),
  /** The terms as the row holds them (an adopted row's win over the input's). */
  roleCeiling: Ceiling,
  durationDays: z.number().int().positive(),
  autoExtend: z.boolean(),
  /** PENDING_APPROVAL: when the request is declined unanswered. */
  decideBy: z.number().nullable(),
  /** ACTIVE: the end date. */
  expiresAt: z.number().nullable(),
  /** ACTIVE: the notices still due before `expiresAt`, in days before it, largest first. */
  noticesDue: z.array(z.number().int().positive()),
});

export const ClientRelationshipInputV1 = z.strictObject({
  /** Chosen by the caller: the row's id and the workflow id's tail. */
  relationshipId: z.uuid(),
  partnerFirmId: z.uuid(),
  organizationId: z.uuid(),
  /** The highest organization role the firm may hand its staff in the organization. */
  roleCeiling: Ceiling,
  /** How long it lasts once approved. */
  durationDays: z.number().int().min(1).max(MAX_DURATION_DAYS),
  autoExtend: z.boolean(),
  requestedByUserId: z.uuid().nullable(),
  timings: ClientRelationshipTimingsV1.prefault({}),
  continueAsNewAfterEvents: z.number().int().min(20).default(2000),
  carried: CarriedClientRelationshipV1.optional(),
});
