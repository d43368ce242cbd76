// Issue 13: the third-party-access workflow's input, version 1, frozen. A run parses it at its start and
// again at every continue-as-new, months later, on whatever code is deployed then; so it imports
// nothing from the API's value schemas (domain/messages/values), which may tighten at any time.
// The rule: a frozen schema is never edited. A change makes ThirdPartyAccessInputV2 next to it, read behind a
// `patched()` branch (a replayed run started before reads V1), or a new workflow type. V2 must still
// accept every V1 input (parse V1 and upgrade it): a run started on V1 hands its input to the new
// code when it next continues as new.
// The shapes below are copies of the API's as of this version.
import { z } from 'zod';

const Uuid = z.uuid();
const Name = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
const State = z.enum(['AWAITING_ACCOUNT', 'REQUESTED', 'LISTED', 'ACCESS_ON', 'REJECTED', 'REMOVED', 'EXPIRED']);
const Origin = z.enum(['REQUEST', 'SUPPORT_TICKET', 'CRM']);

/** What the workflow carries across continue-as-new. */
export const CarriedStateV1 = z.object({
  state: State,
  thirdPartyUserId: Uuid.nullable(),
  reason: z.string().nullable(),
  origin: Origin,
  transition: z.number().int().nonnegative(),
  accountDeadline: z.number().int().nullable(),
  /** How many requests joined so far (a repeat after continue-as-new is still a repeat). */
  requests: z.number().int().nonnegative().default(0),
  /** AM-5: when access turns itself off (epoch ms; null without an end date or with access off). */
  accessEndsAt: z.number().int().nullable().default(null),
  /**
   * Issue 12: news the run had received but not yet applied when it handed over (signals it buffered):
   * the CRM's word in arrival order, and an account announced while waiting. Empty before the fix.
   */
  crmNews: z.array(z.boolean()).default([]),
  announcedUserId: Uuid.nullable().default(null),
});

export const ThirdPartyAccessInputV1 = z.strictObject({
  organizationId: Uuid,
  /** HMAC of the third party's email: the relationship's id, free of personal data. */
  relationshipId: z.string().regex(/^[0-9a-f]{32}$/),
  thirdParty: z.strictObject({ name: Name, firmName: Name, email: z.email() }),
  origin: Origin,
  requestedByUserId: Uuid.nullable(),
  ticketId: z.string().nullable(),
  accountWaitSeconds: z
    .number()
    .int()
    .positive()
    .max(30 * 24 * 3600)
    .default(14 * 24 * 3600),
  /** Past this many history events the run continues as new, carrying its state. */
  continueAsNewAfterEvents: z.number().int().min(20).default(2000),
  carried: CarriedStateV1.optional(),
});
