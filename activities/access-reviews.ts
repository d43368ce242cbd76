// Activities of the access-review workflow (AM-6): snapshot the organization's grants, settle one
// grant (confirm, revoke, lapse), keep the rest, complete, and tell the org admins. Each write is
// keyed by what it changes: a review row by its id, an item by (review, grant) and only while it is
// undecided, completion by the row's state. A retried activity finds its work done and changes
// nothing twice. Revoking goes through the access ledger (AM-4), so a review revokes exactly what an
// org admin revoking by hand would, with the same event; a grant already gone counts as revoked.
import { permanent } from './permanent';
import type { AccessReviewDecision, Prisma } from '@prisma/client';
import type { Database } from '../platform/database';
import type { Mailer } from '../platform/mail';
import { composeFromText } from '../platform/email-layout';
import { recordEvent } from '../events/outbox';
import { AccessLedger } from '../domain/access-ledger';
import { UseCaseRefusal } from '../domain/refusal';
import type { AccessReviewChangedV1 } from '../domain/messages/events/access-review.v1';
import type { ThirdPartyAccessClient } from '../workflows/third-party-access/client';
import { AccessReviewRefusal, type Unconfirmed } from '../workflows/access-review/messages';

const { notInReview, notRevocable } = AccessReviewRefusal;

type Tx = Prisma.TransactionClient;

export interface OpenAccessReview {
  reviewId: string;
  workflowId: string;
  organizationId: string;
  unconfirmed: Unconfirmed;
  /** ISO 8601, by the workflow's clock. */
  deadline: string;
  at: string;
  startedByUserId: string | null;
}

export type OpenedAccessReview =
  | { refused: { reason: 'already-open'; message: string; openReviewId: string } }
  | { refused: null; deadline: string; items: Record<string, AccessReviewDecision | null> };

export interface SettleAccessReviewItem {
  reviewId: string;
  organizationId: string;
  grantId: string;
  outcome: 'CONFIRMED' | 'REVOKED' | 'LAPSED';
  /** The org admin who decided; for a lapse, the one who chose that unconfirmed grants lapse. */
  actorUserId: string;
  /** The revocation's reason in the ledger's event. */
  reason: string;
  at: string;
}

export type AccessReviewNews = 'opened' | 'reminder' | 'completed';

export interface AccessReviewEmail {
  reviewId: string;
  organizationId: string;
  organizationName: string;
  news: AccessReviewNews;
  /** With the news and the recipient, the email's Message-ID (a reminder's number). */
  number: number;
  recipient: { userId: string; email: string };
  deadline: string;
  unconfirmed: Unconfirmed;
  total: number;
  undecided: number;
  confirmed: number;
  revoked: number;
  lapsed: number;
  kept: number;
}

/** An organization's reviews take turns opening: at most one is open at a time. */
const lockOrganization = (tx: Tx, organizationId: string) =>
  tx.$executeRaw`select pg_advisory_xact_lock(hashtextextended(${`access-review:${organizationId}`}, 0))`;

const itemsOf = (rows: Array<{ grantId: string; decision: AccessReviewDecision | null }>) =>
  Object.fromEntries(rows.map((r) => [r.grantId, r.decision]));

/** A review already made (by an earlier attempt), as the workflow continues from it. */
const openedFrom = (row: { deadline: Date; items: Parameters<typeof itemsOf>[0] }): OpenedAccessReview => ({
  refused: null,
  deadline: row.deadline.toISOString(),
  items: itemsOf(row.items),
});

async function counts(tx: Tx, reviewId: string) {
  const groups = await tx.accessReviewItem.groupBy({ by: ['decision'], where: { reviewId }, _count: { _all: true } });
  const n = (d: AccessReviewDecision | null) => groups.find((g) => g.decision === d)?._count._all ?? 0;
  const total = groups.reduce((sum, g) => sum + g._count._all, 0);
  return { total, confirmed: n('CONFIRMED'), revoked: n('REVOKED'), lapsed: n('LAPSED'), kept: n('KEPT') };
}

export function accessReviewActivities(db: Database, mailer: Mailer, thirdPartyAccess?: ThirdPartyAccessClient) {
  // Without the engine's third-party client only grants of other sources can be revoked: revoke()
  // checks before the ledger would reach for it.
  const ledger = new AccessLedger({ db, thirdPartyAccess: thirdPartyAccess as ThirdPartyAccessClient });

  async function revoke(s: SettleAccessReviewItem): Promise<void> {
    if (s.grantId.startsWith('third-party:') && !thirdPartyAccess) {
      // Retryable on purpose: a worker built with the engine picks it up, and nothing is lost.
      throw new Error('This worker has no third-party access client (ActivityDeps.engine) to revoke a third party.');
    }
    try {
      await ledger.revoke(s.actorUserId, s.organizationId, s.grantId, s.reason);
    } catch (err) {
      // Gone already (revoked by hand, its relationship ended, or an earlier attempt of this one).
      if (err instanceof UseCaseRefusal && err.kind === 'not-found') return;
      if (err instanceof UseCaseRefusal) throw permanent(notRevocable, err.message);
      throw err;
    }
  }

  return {
    /**
     * The review row, one item per grant that is not an own membership, and the `opened` event, in one
     * transaction; or the row already there (a retry); or a refusal while another review is open.
     */
    async openAccessReview(o: OpenAccessReview): Promise<OpenedAccessReview> {
      const existing = await db.accessReview.findUnique({ where: { id: o.reviewId }, include: { items: true } });
      if (existing) return openedFrom(existing);
      // Read before the transaction: the ledger reads through its own client. What changes in
      // between is what any snapshot misses; a grant gone by the time it is decided counts as revoked.
      const grants = (await ledger.entries(o.organizationId)).filter((e) => e.source !== 'OWN' && e.revocable);
      return db.$transaction(async (tx) => {
        await lockOrganization(tx, o.organizationId);
        // An earlier attempt of this activity may have committed while this one read the ledger.
        const mine = await tx.accessReview.findUnique({ where: { id: o.reviewId }, include: { items: true } });
        if (mine) return openedFrom(mine);
        const open = await tx.accessReview.findFirst({
          where: { organizationId: o.organizationId, state: 'OPEN' },
          select: { id: true, deadline: true },
        });
        if (open) {
          const message = `Another access review of this organization is open until ${iso(open.deadline)}: use it.`;
          return { refused: { reason: 'already-open' as const, message, openReviewId: open.id } };
        }
        const row = await tx.accessReview.create({
          data: {
            id: o.reviewId,
            workflowId: o.workflowId,
            organizationId: o.organizationId,
            state: 'OPEN',
            unconfirmed: o.unconfirmed,
            deadline: new Date(o.deadline),
            createdAt: new Date(o.at),
          },
        });
        // One grant id per item: a grant the ledger lists twice (it never should) is reviewed once.
        const unique = [...new Map(grants.map((g) => [g.grantId, g])).values()];
        await tx.accessReviewItem.createMany({
          data: unique.map((g) => ({ reviewId: row.id, grantId: g.grantId, userId: g.userId })),
        });
        const data: AccessReviewChangedV1 = {
          reviewId: row.id,
          organizationId: row.organizationId,
          state: 'OPEN',
          unconfirmed: row.unconfirmed,
          deadline: row.deadline.toISOString(),
          total: unique.length,
          confirmed: 0,
          revoked: 0,
          lapsed: 0,
          kept: 0,
          actorUserId: o.startedByUserId,
        };
        await recordEvent(tx, 'partneraccess.access-review.opened.v1', { aggregateId: row.id, data });
        const items = itemsOf(unique.map((g) => ({ grantId: g.grantId, decision: null })));
        return { refused: null, deadline: o.deadline, items };
      });
    },

    /**
     * One grant decided: revoked through the ledger first when it is a revocation or a lapse, then the
     * item and its event. Answers the decision the item holds (a retry finds it already made).
     */
    async settleAccessReviewItem(s: SettleAccessReviewItem): Promise<{ decision: AccessReviewDecision }> {
      const key = { reviewId_grantId: { reviewId: s.reviewId, grantId: s.grantId } };
      const item = await db.accessReviewItem.findUnique({ where: key });
      if (!item) throw permanent(notInReview, `No grant ${s.grantId} in review ${s.reviewId}.`);
      if (item.decision) return { decision: item.decision };
      if (s.outcome !== 'CONFIRMED') await revoke(s);
      return db.$transaction(async (tx) => {
        const { count } = await tx.accessReviewItem.updateMany({
          where: { reviewId: s.reviewId, grantId: s.grantId, decision: null },
          data: { decision: s.outcome, decidedById: s.actorUserId, decidedAt: new Date(s.at) },
        });
        if (count === 0) return { decision: (await tx.accessReviewItem.findUniqueOrThrow({ where: key })).decision! };
        await recordEvent(tx, 'partneraccess.access-review.grant-decided.v1', {
          aggregateId: s.reviewId,
          subject: s.grantId,
          data: {
            reviewId: s.reviewId,
            organizationId: s.organizationId,
            grantId: s.grantId,
            userId: item.userId,
            decision: s.outcome,
            actorUserId: s.actorUserId,
          },
        });
        return { decision: s.outcome };
      });
    },

    /** KEEP at the deadline: every item still undecided is marked KEPT, each with its event. */
    async keepUnconfirmedAccessReviewItems(k: { reviewId: string; organizationId: string; at: string }) {
      return db.$transaction(async (tx) => {
        const undecided = await tx.accessReviewItem.findMany({
          where: { reviewId: k.reviewId, decision: null },
          orderBy: { grantId: 'asc' },
        });
        if (undecided.length === 0) return { kept: 0 };
        await tx.accessReviewItem.updateMany({
          where: { reviewId: k.reviewId, decision: null },
          data: { decision: 'KEPT', decidedAt: new Date(k.at) },
        });
        for (const item of undecided) {
          await recordEvent(tx, 'partneraccess.access-review.grant-decided.v1', {
            aggregateId: k.reviewId,
            subject: item.grantId,
            data: {
              reviewId: k.reviewId,
              organizationId: k.organizationId,
              grantId: item.grantId,
              userId: item.userId,
              decision: 'KEPT',
              actorUserId: null,
            },
          });
        }
        return { kept: undecided.length };
      });
    },

    /** The review COMPLETED with its counts and the `completed` event; a completed one is left as it is. */
    async completeAccessReview(c: { reviewId: string; at: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        const row = await tx.accessReview.findUniqueOrThrow({ where: { id: c.reviewId } });
        if (row.state === 'COMPLETED') return;
        const completedAt = new Date(c.at);
        await tx.accessReview.update({ where: { id: row.id }, data: { state: 'COMPLETED', completedAt } });
        await recordEvent(tx, 'partneraccess.access-review.completed.v1', {
          aggregateId: row.id,
          data: {
            reviewId: row.id,
            organizationId: row.organizationId,
            state: 'COMPLETED',
            unconfirmed: row.unconfirmed,
            deadline: row.deadline.toISOString(),
            ...(await counts(tx, row.id)),
            actorUserId: null,
          },
        });
      });
    },

    /** Who hears about a review: the organization's own org admins, active accounts only. */
    async accessReviewAudience(a: { organizationId: string }) {
      const org = await db.organization.findUnique({ where: { id: a.organizationId }, select: { name: true } });
      if (!org) return { organizationName: '', recipients: [] };
      const admins = await db.membership.findMany({
        where: { organizationId: a.organizationId, role: 'ORG_ADMIN', source: 'OWN', user: { status: 'ACTIVE' } },
        select: { user: { select: { id: true, email: true } } },
        orderBy: { createdAt: 'asc' },
      });
      const recipients = admins.map((m) => ({ userId: m.user.id, email: m.user.email }));
      return { organizationName: org.name, recipients };
    },

    /** One email to one org admin: a retry resends only this one, under the same Message-ID. */
    async sendAccessReviewEmail(e: AccessReviewEmail): Promise<void> {
      const { subject, text } = compose(e);
      await mailer.send({
        to: e.recipient.email,
        subject,
        ...composeFromText(text, subject),
        messageId: `<access-review-${e.reviewId}-${e.news}-${e.number}-${e.recipient.userId}@partner-access.example>`,
      });
    },
  };
}

const iso = (d: Date) => d.toISOString();
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The email's words, per news: the organization, the counts and the deadline named every time. */
function compose(e: AccessReviewEmail) {
  const org = e.organizationName;
  const by = new Date(e.deadline).toUTCString();
  const fate =
    e.unconfirmed === 'LAPSE'
      ? `What is not confirmed by ${by} is revoked, as ${org} chose.`
      : `What is not confirmed by ${by} stays, as ${org} chose, and is marked as kept.`;
  const what = 'access held by people from outside the organization (partner staff, third parties, shared tasks)';
  switch (e.news) {
    case 'opened':
      return {
        subject: `Access review of ${org}: ${plural(e.total, 'grant')} to confirm by ${by}`,
        text:
          `An access review of ${org} is open (review ${e.reviewId}). ${plural(e.total, 'grant')} of ${what} ` +
          `wait for an org admin to confirm or revoke each one.\n\n${fate}`,
      };
    case 'reminder':
      return {
        subject: `Reminder: ${e.undecided} of ${plural(e.total, 'grant')} in the access review of ${org} to decide`,
        text:
          `The access review of ${org} (review ${e.reviewId}) closes on ${by}. So far ${e.confirmed} confirmed and ` +
          `${e.revoked} revoked; ${e.undecided} still wait for a decision.\n\n${fate}`,
      };
    case 'completed':
      return {
        subject: `Access review of ${org} completed`,
        text:
          `The access review of ${org} (review ${e.reviewId}) is complete: of ${plural(e.total, 'grant')}, ` +
          `${e.confirmed} confirmed, ${e.revoked} revoked, ${e.lapsed} lapsed (not confirmed in time) ` +
          `and ${e.kept} kept.`,
      };
  }
}
