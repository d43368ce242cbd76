// AM-6: access reviews as domain events (ids and counts only, never names or emails).
import { z } from 'zod';
import { OrganizationId, UserId } from '../values/identifiers';

/** AM-6: a review opened (its grants snapshotted) or completed (the policy applied at its end). */
export const AccessReviewChangedV1 = z
  .strictObject({
    reviewId: z.uuid(),
    organizationId: OrganizationId,
    state: z.enum(['OPEN', 'COMPLETED']),
    /** What happens to grants nobody confirmed by the deadline. */
    unconfirmed: z.enum(['LAPSE', 'KEEP']),
    deadline: z.iso.datetime(),
    total: z.number().int().nonnegative(),
    confirmed: z.number().int().nonnegative(),
    revoked: z.number().int().nonnegative(),
    lapsed: z.number().int().nonnegative(),
    kept: z.number().int().nonnegative(),
    /** Who started it by hand; null for a scheduled review, and on completion. */
    actorUserId: UserId.nullable(),
  })
  .meta({ id: 'AccessReviewChangedV1' });
export type AccessReviewChangedV1 = z.infer<typeof AccessReviewChangedV1>;

/** AM-6: one grant of a review was decided: by an org admin, or by the policy at the deadline. */
export const AccessReviewGrantDecidedV1 = z
  .strictObject({
    reviewId: z.uuid(),
    organizationId: OrganizationId,
    /** The ledger's grant id; a revocation also has its own grant-revoked event. */
    grantId: z.string(),
    userId: UserId,
    decision: z.enum(['CONFIRMED', 'REVOKED', 'LAPSED', 'KEPT']),
    /** The org admin who decided; for LAPSED the one who chose that unconfirmed grants lapse; null for KEPT. */
    actorUserId: UserId.nullable(),
  })
  .meta({ id: 'AccessReviewGrantDecidedV1' });
export type AccessReviewGrantDecidedV1 = z.infer<typeof AccessReviewGrantDecidedV1>;
