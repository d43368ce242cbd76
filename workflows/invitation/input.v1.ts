// Issue 13: the invitation workflow's input, version 1, frozen. A run parses it at its start and again
// at every continue-as-new, months later, on whatever code is deployed then; so it imports nothing
// from the API's value schemas (domain/messages/values) or limits (domain/invitations), which may
// tighten at any time.
// The rule: a frozen schema is never edited. A change makes InvitationInputV2 next to it, read behind a
// `patched()` branch (a replayed run started before reads V1), or a new workflow type. V2 must still
// accept every V1 input (parse V1 and upgrade it): a run started on V1 hands its input to the new
// code when it next continues as new.
// The shapes below are copies of the API's as of this version.
import { z } from 'zod';

const DAY_SECONDS = 24 * 3600;
const Name = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
const Email = z.string().trim().toLowerCase().pipe(z.email().max(254));
const Kind = z.enum([
  'BUSINESS_PARTNER',
  'PORTAL_USER',
  'PRACTICE_STAFF',
  'ORGANIZATION_ACCESS',
  'CUSTOMER_USER',
  'ACCOUNT_GUEST',
]);
const State = z.enum(['PENDING', 'ACCEPTED', 'REJECTED', 'EXPIRED', 'REVOKED']);

export const InvitationTimingsV1 = z.strictObject({
  expirySeconds: z
    .number()
    .int()
    .positive()
    .max(30 * DAY_SECONDS),
  reminderBeforeSeconds: z.number().int().nonnegative(),
  renewalWindowSeconds: z
    .number()
    .int()
    .nonnegative()
    .max(90 * DAY_SECONDS),
  resendMinIntervalSeconds: z.number().int().nonnegative(),
  resendsPerDay: z.number().int().positive(),
});

/** What the workflow carries across continue-as-new. */
export const CarriedInvitationV1 = z.object({
  state: State,
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
  acceptedUserId: z.uuid().nullable(),
});

export const InvitationInputV1 = z.strictObject({
  kind: Kind,
  /** Whose list it is on: business partner company, portal partner, partner firm. */
  scopeId: z.uuid(),
  invitee: z.strictObject({ email: Email, firstName: Name, lastName: Name }),
  invitedByUserId: z.uuid().nullable(),
  /** What accepting grants, per kind (e.g. the practice role). */
  offer: z.record(z.string(), z.string()).default({}),
  /** Kind-specific details the first activity needs (e.g. a portal user's phone). Not shown. */
  details: z.record(z.string(), z.string()).default({}),
  timings: InvitationTimingsV1,
  continueAsNewAfterEvents: z.number().int().min(20).default(2000),
  carried: CarriedInvitationV1.optional(),
});
