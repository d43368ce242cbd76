// AM-6 over HTTP: periodic access reviews. The organization's own org admins set the policy (how
// often, how long to decide, what happens to what nobody confirmed), start a review by hand, and
// confirm or revoke each grant. Thin: the use cases are domain/access-reviews.ts, the process the
// workflow's, the decisions the policies'.
import { z } from 'zod';
import type { Database } from '../../platform/database';
import { OrganizationId, UserId } from '../../domain/messages/values/identifiers';
import { AccessLedger } from '../../domain/access-ledger';
import { AccessReviews } from '../../domain/access-reviews';
import type { AccessReviewsClient } from '../../workflows/access-review/client';
import { AccessReviewRefusal, MAX_DEADLINE_DAYS } from '../../workflows/access-review/messages';
import type { ThirdPartyAccessClient } from '../../workflows/third-party-access/client';
import { onOrganization, route } from '../routes';
import { Problem } from '../problem';
import { workflowCommand } from '../workflow-command';

const OrgPath = z.strictObject({ organizationId: OrganizationId });
const ReviewPath = z.strictObject({ organizationId: OrganizationId, reviewId: z.uuid() });
const Unconfirmed = z.enum(['LAPSE', 'KEEP']);

export const SetAccessReviewPolicyV1 = z
  .strictObject({
    /** How often a review opens: weekly at most, yearly at least. */
    everyDays: z.number().int().min(7).max(366),
    /** How long org admins have to decide; shorter than the interval, so reviews never overlap. */
    deadlineDays: z.number().int().min(1).max(MAX_DEADLINE_DAYS),
    /** LAPSE: what nobody confirmed by the deadline is revoked. KEEP: it stays, marked as kept. */
    unconfirmed: Unconfirmed,
    /** False: no schedule; reviews only by hand. */
    enabled: z.boolean(),
  })
  .refine((p) => p.deadlineDays < p.everyDays, { message: 'must be shorter than everyDays', path: ['deadlineDays'] })
  .meta({ id: 'SetAccessReviewPolicyV1' });

export const AccessReviewPolicyV1 = z
  .object({
    organizationId: OrganizationId,
    everyDays: z.number().int(),
    deadlineDays: z.number().int(),
    unconfirmed: Unconfirmed,
    /** Whether the organization's schedule exists. */
    enabled: z.boolean(),
    nextReviewAt: z.iso.datetime().nullable(),
    /** Null: never set; these are the defaults. */
    updatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'AccessReviewPolicyV1' });

export const DecideAccessReviewV1 = z
  .strictObject({ grantId: z.string().min(1).max(200), decision: z.enum(['confirm', 'revoke']) })
  .meta({ id: 'DecideAccessReviewV1' });

export const AccessReviewItemV1 = z
  .object({
    grantId: z.string(),
    userId: UserId,
    decision: z.enum(['CONFIRMED', 'REVOKED', 'LAPSED', 'KEPT']).nullable(),
    decidedById: UserId.nullable(),
    decidedAt: z.iso.datetime().nullable(),
    /** The ledger's chain of why, while the grant still stands. */
    why: z.string().nullable(),
  })
  .meta({ id: 'AccessReviewItemV1' });

export const AccessReviewV1 = z
  .object({
    reviewId: z.uuid(),
    organizationId: OrganizationId,
    state: z.enum(['OPEN', 'COMPLETED']),
    unconfirmed: Unconfirmed,
    deadline: z.iso.datetime(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
    total: z.number().int(),
    decided: z.number().int(),
    confirmed: z.number().int(),
    revoked: z.number().int(),
    lapsed: z.number().int(),
    kept: z.number().int(),
    items: z.array(AccessReviewItemV1),
  })
  .meta({ id: 'AccessReviewV1' });

/** A review without its grants: what a list of reviews shows. */
export const AccessReviewSummaryV1 = AccessReviewV1.omit({ items: true }).meta({ id: 'AccessReviewSummaryV1' });
const ReviewListQuery = z.strictObject({ state: z.enum(['OPEN', 'COMPLETED']).optional() });

export function accessReviewRoutes(
  db: Database,
  client: AccessReviewsClient,
  thirdPartyAccess: ThirdPartyAccessClient,
) {
  const ledger = new AccessLedger({ db, thirdPartyAccess });
  const reviews = new AccessReviews({ db, reviews: client, ledger });
  const tags = ['access reviews'];
  /** The use case's refusals and the workflow's, as problems. */
  const run = <T>(fn: () => Promise<T>) =>
    workflowCommand(fn, {
      subject: 'the access review',
      // A run that is gone has completed; the row says so too, and decide() answers from it first.
      notFound: new Problem('conflict', 'The review is closed.'),
      refusals: {
        [AccessReviewRefusal.conflict]: 'conflict',
        [AccessReviewRefusal.notInReview]: 'not-found',
        [AccessReviewRefusal.invalid]: 'validation-failed',
        [AccessReviewRefusal.notRevocable]: 'unprocessable',
      },
    });
  const orgAdmins = (action: 'manageAccessReviews' | 'decideAccessReview') =>
    onOrganization(action, "Only the organization's own org admins manage and decide its access reviews.");

  return [
    route({
      method: 'put',
      path: '/organizations/:organizationId/access-review-policy',
      summary: 'AM-6: how often reviews open, how long to decide, and whether what nobody confirmed lapses or stays',
      tags,
      auth: true,
      params: OrgPath,
      body: SetAccessReviewPolicyV1,
      responses: { 200: { description: 'The policy; its schedule set or removed', schema: AccessReviewPolicyV1 } },
      problems: ['forbidden', 'not-found', 'unsupported-media-type'],
      authorize: orgAdmins('manageAccessReviews'),
      handler: async ({ actor, params, body }) => ({
        status: 200,
        body: await reviews.setPolicy(actor.userId, params.organizationId, body),
      }),
    }),
    route({
      method: 'get',
      path: '/organizations/:organizationId/access-review-policy',
      summary: "AM-6: the organization's review policy (the defaults until set), and when the next review opens",
      tags,
      auth: true,
      params: OrgPath,
      responses: { 200: { description: 'The policy', schema: AccessReviewPolicyV1 } },
      problems: ['forbidden', 'not-found'],
      authorize: orgAdmins('manageAccessReviews'),
      handler: async ({ params }) => ({ status: 200, body: await reviews.policy(params.organizationId) }),
    }),
    route({
      method: 'post',
      path: '/organizations/:organizationId/access-reviews',
      summary: "AM-6: start a review now, with the policy's deadline; answers once its grants are snapshotted",
      tags,
      auth: true,
      params: OrgPath,
      responses: { 201: { description: 'The review, open', schema: AccessReviewV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'not-ready'],
      authorize: orgAdmins('manageAccessReviews'),
      handler: async ({ actor, params }) => ({
        status: 201,
        body: await run(() => reviews.start(actor.userId, params.organizationId)),
      }),
    }),
    route({
      method: 'get',
      path: '/organizations/:organizationId/access-reviews',
      summary: "AM-6: the organization's reviews, newest first (the last 50), with their progress; ?state=OPEN",
      tags,
      auth: true,
      params: OrgPath,
      query: ReviewListQuery,
      responses: {
        200: {
          description: 'Newest first',
          schema: z.object({ items: z.array(AccessReviewSummaryV1) }).meta({ id: 'AccessReviewListV1' }),
        },
      },
      problems: ['forbidden'],
      authorize: orgAdmins('decideAccessReview'),
      handler: async ({ params, query }) => ({
        status: 200,
        body: { items: await reviews.list(params.organizationId, { state: query.state }) },
      }),
    }),
    route({
      method: 'get',
      path: '/organizations/:organizationId/access-reviews/:reviewId',
      summary: 'AM-6: a review: its progress, and each grant with its decision and why it is held',
      tags,
      auth: true,
      params: ReviewPath,
      responses: { 200: { description: 'The review', schema: AccessReviewV1 } },
      problems: ['forbidden', 'not-found'],
      authorize: orgAdmins('decideAccessReview'),
      handler: async ({ params }) => ({
        status: 200,
        body: await run(() => reviews.review(params.organizationId, params.reviewId)),
      }),
    }),
    route({
      method: 'post',
      path: '/organizations/:organizationId/access-reviews/:reviewId/decisions',
      summary: 'AM-6, AM-7: confirm or revoke one grant under review; a revocation takes effect at once',
      tags,
      auth: true,
      params: ReviewPath,
      body: DecideAccessReviewV1,
      responses: { 200: { description: 'The review after the decision', schema: AccessReviewV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'unprocessable', 'unsupported-media-type', 'not-ready'],
      authorize: orgAdmins('decideAccessReview'),
      handler: async ({ actor, params, body }) => ({
        status: 200,
        body: await run(() => reviews.decide(actor.userId, params.organizationId, params.reviewId, body)),
      }),
    }),
  ];
}
