// The use cases of access reviews (AM-6): the organization's policy and its schedule, starting a review
// by hand, reading one with the ledger's why for each grant, and deciding a grant. Who may call them
// is decided before, by the policy decision point (manageAccessReviews, decideAccessReview); what
// stays here is what the organization's reviews allow. The workflow decides what a review's state
// allows; its refusals reach the caller as they are.
import type { AccessReview, AccessReviewDecision, AccessReviewPolicy, UnconfirmedGrants } from '@prisma/client';
import type { Database } from '../platform/database';
import type { AccessReviewsClient } from '../workflows/access-review/client';
import type { DecideCommand } from '../workflows/access-review/messages';
import type { AccessLedger } from './access-ledger';
import { UseCaseRefusal, type RefusalKind } from './refusal';

const refuse = (kind: RefusalKind, message: string, details?: Record<string, unknown>) =>
  new UseCaseRefusal(kind, message, details);

/** The schema's defaults: quarterly, two weeks to decide, and unconfirmed grants stay. */
export const POLICY_DEFAULTS = { everyDays: 90, deadlineDays: 14, unconfirmed: 'KEEP' as UnconfirmedGrants };

export interface AccessReviewPolicyChange {
  everyDays: number;
  deadlineDays: number;
  unconfirmed: UnconfirmedGrants;
  /** False: no schedule (reviews only by hand); the terms are kept for those and for later. */
  enabled: boolean;
}

export class AccessReviews {
  constructor(private readonly deps: { db: Database; reviews: AccessReviewsClient; ledger: AccessLedger }) {}

  private get db() {
    return this.deps.db;
  }

  /** The policy as stored (or the defaults), with whether it is scheduled and when the next review opens. */
  async policy(organizationId: string) {
    const [row, scheduled] = await Promise.all([
      this.db.accessReviewPolicy.findUnique({ where: { organizationId } }),
      this.deps.reviews.scheduled(organizationId),
    ]);
    return {
      organizationId,
      everyDays: row?.everyDays ?? POLICY_DEFAULTS.everyDays,
      deadlineDays: row?.deadlineDays ?? POLICY_DEFAULTS.deadlineDays,
      unconfirmed: row?.unconfirmed ?? POLICY_DEFAULTS.unconfirmed,
      enabled: scheduled !== null,
      nextReviewAt: scheduled?.nextReviewAt ?? null,
      updatedAt: row?.updatedAt.toISOString() ?? null,
    };
  }

  /**
   * The row first, then the schedule from it: a failure between the two is mended by sending the same
   * policy again (both writes are upserts).
   */
  async setPolicy(actorUserId: string, organizationId: string, change: AccessReviewPolicyChange) {
    const { everyDays, deadlineDays, unconfirmed } = change;
    const terms = { everyDays, deadlineDays, unconfirmed, updatedById: actorUserId };
    const row = await this.db.accessReviewPolicy.upsert({
      where: { organizationId },
      create: { organizationId, ...terms },
      update: terms,
    });
    if (change.enabled) await this.deps.reviews.schedule(termsOf(row, actorUserId), row.everyDays);
    else await this.deps.reviews.unschedule(organizationId);
    return this.policy(organizationId);
  }

  /** A review started now with the policy's terms; refused while another review is open. */
  async start(actorUserId: string, organizationId: string) {
    const row = await this.db.accessReviewPolicy.findUnique({ where: { organizationId } });
    const { deadlineDays, unconfirmed } = POLICY_DEFAULTS;
    const defaults = { organizationId, deadlineDays, unconfirmed, policySetByUserId: null };
    const terms = row ? termsOf(row, actorUserId) : defaults;
    const { progress } = await this.deps.reviews.start(terms, actorUserId);
    if (progress.refused) {
      const { message, openReviewId } = progress.refused;
      throw new UseCaseRefusal('conflict', message, { openReviewId });
    }
    return this.review(organizationId, progress.reviewId);
  }

  /** The organization's reviews, newest first (at most `take`), each with its counts but not its grants. */
  async list(organizationId: string, o: { state?: 'OPEN' | 'COMPLETED'; take?: number } = {}) {
    const rows = await this.db.accessReview.findMany({
      where: { organizationId, ...(o.state ? { state: o.state } : {}) },
      orderBy: { createdAt: 'desc' },
      take: o.take ?? 50,
      include: { items: { select: { decision: true } } },
    });
    return rows.map(({ items, ...row }) => summaryOf(row, items));
  }

  /** One review of the organization: its counts and each grant with its decision and, while it stands, its why. */
  async review(organizationId: string, reviewId: string) {
    const row = await this.found(organizationId, reviewId);
    const items = await this.db.accessReviewItem.findMany({ where: { reviewId }, orderBy: { grantId: 'asc' } });
    const why = new Map((await this.deps.ledger.entries(organizationId)).map((e) => [e.grantId, e.why]));
    return {
      ...summaryOf(row, items),
      items: items.map((i) => ({
        grantId: i.grantId,
        userId: i.userId,
        decision: i.decision,
        decidedById: i.decidedById,
        decidedAt: i.decidedAt?.toISOString() ?? null,
        why: why.get(i.grantId) ?? null,
      })),
    };
  }

  /** An org admin confirms or revokes one grant; the workflow checks the review's state. */
  async decide(actorUserId: string, organizationId: string, reviewId: string, d: Omit<DecideCommand, 'actorUserId'>) {
    const row = await this.found(organizationId, reviewId);
    // A completed review's run may be gone: the row answers for it.
    if (row.state === 'COMPLETED') throw refuse('conflict', 'The review is closed.', { state: row.state });
    await this.deps.reviews.decide(row.workflowId, row.id, { actorUserId, ...d });
    return this.review(organizationId, reviewId);
  }

  private async found(organizationId: string, reviewId: string) {
    const row = await this.db.accessReview.findUnique({ where: { id: reviewId } });
    const found = row?.organizationId === organizationId ? row : null;
    if (!found) throw refuse('not-found', 'No such access review in this organization.');
    return found;
  }
}

/** A review's facts and its counts of decisions. */
function summaryOf(row: AccessReview, items: Array<{ decision: AccessReviewDecision | null }>) {
  const n = (d: AccessReviewDecision | null) => items.filter((i) => i.decision === d).length;
  return {
    reviewId: row.id,
    organizationId: row.organizationId,
    state: row.state,
    unconfirmed: row.unconfirmed,
    deadline: row.deadline.toISOString(),
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    total: items.length,
    decided: items.length - n(null),
    confirmed: n('CONFIRMED'),
    revoked: n('REVOKED'),
    lapsed: n('LAPSED'),
    kept: n('KEPT'),
  };
}

/**
 * What a review starts with. A lapse is attributed to whoever set the policy; a row nobody set (a
 * seed) is attributed to the org admin acting now, who starts or schedules reviews under it.
 */
function termsOf(row: AccessReviewPolicy, actorUserId: string) {
  return {
    organizationId: row.organizationId,
    deadlineDays: row.deadlineDays,
    unconfirmed: row.unconfirmed,
    policySetByUserId: row.updatedById ?? actorUserId,
  };
}
