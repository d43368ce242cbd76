// Activities of the offboarding workflow (PS-5). Each organization is one transaction that records
// its step: a retried activity (or a new worker after a crash) finds the step and changes nothing
// twice; an organization is either untouched or fully handed over.
//
// AM-1, AM-2: an offboarding touches only what this firm delegated. The leaver's own memberships
// (their employer, another firm's delegations) are not this firm's to move. The replacement gets
// at most what the relationship's ceiling allows, and only under a relationship still in force.
import type { Database } from '../platform/database';
import { recordEvent } from '../events/outbox';
import { replacementProblem } from '../domain/offboarding';
import { cappedAt, relationshipInForce } from '../domain/delegation';
import type { EventData } from '../domain/events';

interface Who {
  offboardingId: string;
  workflowId: string;
  partnerFirmId: string;
  leavingUserId: string;
  replacementUserId: string;
}

type Grant = EventData<'partneraccess.access.grant-revoked.v1'>;

/**
 * The leaver's offers from the firm, revoked once they are off its staff (see revokeOffersOnLeaving in
 * domain/practice-staff.ts).
 */
export type RevokeOffers = (partnerFirmId: string, userId: string, actorUserId: string) => Promise<void>;

export function offboardingActivities(db: Database, revokeOffers?: RevokeOffers) {
  const changed = (o: {
    id: string;
    partnerFirmId: string;
    userId: string;
    replacementUserId: string;
    state: 'RUNNING' | 'COMPLETED' | 'REFUSED';
    total: number;
    done: number;
    reason: string;
  }) => ({
    offboardingId: o.id,
    partnerFirmId: o.partnerFirmId,
    userId: o.userId,
    replacementUserId: o.replacementUserId,
    state: o.state,
    total: o.total,
    done: o.done,
    reason: o.reason,
  });

  return {
    /** Checks the replacement and lists the organizations to hand over; or refuses with nothing changed. */
    async openOffboarding(
      w: Who & { requestedByUserId: string },
    ): Promise<{ refused: string | null; organizationIds: string[] }> {
      return db.$transaction(async (tx) => {
        const existing = await tx.offboarding.findUnique({ where: { id: w.offboardingId } });
        if (existing?.state === 'REFUSED') return { refused: existing.reason, organizationIds: [] };
        const problem = existing
          ? null
          : await replacementProblem(tx, w.partnerFirmId, w.leavingUserId, w.replacementUserId);
        const base = {
          id: w.offboardingId,
          workflowId: w.workflowId,
          partnerFirmId: w.partnerFirmId,
          userId: w.leavingUserId,
          replacementUserId: w.replacementUserId,
          requestedById: w.requestedByUserId,
        };
        if (problem) {
          const row = await tx.offboarding.create({ data: { ...base, state: 'REFUSED', reason: problem, total: 0 } });
          await recordEvent(tx, 'partneraccess.practice.offboarding-refused.v1', {
            aggregateId: row.id,
            data: changed(row),
          });
          return { refused: problem, organizationIds: [] };
        }
        const memberships = await tx.membership.findMany({
          where: {
            userId: w.leavingUserId,
            source: 'DELEGATION',
            clientRelationship: { partnerFirmId: w.partnerFirmId },
          },
          select: { organizationId: true },
          orderBy: { organizationId: 'asc' },
        });
        const organizationIds = memberships.map((m) => m.organizationId);
        if (!existing) {
          const row = await tx.offboarding.create({
            data: {
              ...base,
              state: 'RUNNING',
              reason: 'Handing over, one organization at a time.',
              total: organizationIds.length,
            },
          });
          await recordEvent(tx, 'partneraccess.practice.offboarding-started.v1', {
            aggregateId: row.id,
            data: changed(row),
          });
        }
        return { refused: null, organizationIds };
      });
    },

    /** One organization, whole or not at all: assignments moved, role given where lacking, membership removed. */
    async offboardOrganization(w: Who & { organizationId: string }): Promise<{ moved: number; skipped: boolean }> {
      return db.$transaction(async (tx) => {
        const key = {
          offboardingId_organizationId: { offboardingId: w.offboardingId, organizationId: w.organizationId },
        };
        if (await tx.offboardingStep.findUnique({ where: key })) return { moved: 0, skipped: true };
        const held = await tx.assignment.findMany({
          where: { organizationId: w.organizationId, ownerUserId: w.leavingUserId },
          select: { id: true },
        });
        if (held.length > 0) {
          // The handover key (assignment, offboarding) makes "moved twice" impossible, not just unlikely.
          await tx.assignmentHandover.createMany({
            data: held.map((a) => ({
              assignmentId: a.id,
              offboardingId: w.offboardingId,
              fromUserId: w.leavingUserId,
              toUserId: w.replacementUserId,
            })),
          });
          await tx.assignment.updateMany({
            where: { id: { in: held.map((a) => a.id) } },
            data: { ownerUserId: w.replacementUserId },
          });
        }
        const found = await tx.membership.findUnique({
          where: { userId_organizationId: { userId: w.leavingUserId, organizationId: w.organizationId } },
          include: { clientRelationship: { select: { partnerFirmId: true } } },
        });
        // Only this firm's delegation; anything else they hold there is not the firm's to move.
        const leaving =
          found?.source === 'DELEGATION' && found.clientRelationship?.partnerFirmId === w.partnerFirmId
            ? found
            : null;
        const replacement = await tx.membership.findUnique({
          where: { userId_organizationId: { userId: w.replacementUserId, organizationId: w.organizationId } },
        });
        const relationship = leaving ? await relationshipInForce(tx, w.partnerFirmId, w.organizationId) : null;
        const roleGiven =
          leaving && !replacement && relationship ? cappedAt(leaving.role, relationship.roleCeiling) : null;
        const row = await tx.offboarding.findUniqueOrThrow({
          where: { id: w.offboardingId },
          select: { requestedById: true },
        });
        const grant = (membershipId: string, userId: string, role: typeof roleGiven, reason: string): Grant => ({
          grantId: `membership:${membershipId}`,
          organizationId: w.organizationId,
          userId,
          source: 'DELEGATION',
          clientRelationshipId: relationship?.id ?? leaving?.clientRelationshipId ?? null,
          role,
          actorUserId: row.requestedById,
          reason,
        });
        if (roleGiven && relationship) {
          const given = await tx.membership.create({
            data: {
              userId: w.replacementUserId,
              organizationId: w.organizationId,
              role: roleGiven,
              source: 'DELEGATION',
              clientRelationshipId: relationship.id,
              grantedById: row.requestedById,
            },
          });
          await recordEvent(tx, 'partneraccess.access.grant-given.v1', {
            aggregateId: w.organizationId,
            data: grant(given.id, w.replacementUserId, roleGiven, 'Handed over by an offboarding.'),
          });
        }
        if (leaving) {
          await tx.membership.delete({ where: { id: leaving.id } });
          await recordEvent(tx, 'partneraccess.access.grant-revoked.v1', {
            aggregateId: w.organizationId,
            data: grant(leaving.id, w.leavingUserId, leaving.role, 'Offboarded from the firm.'),
          });
        }
        await tx.offboardingStep.create({
          data: {
            offboardingId: w.offboardingId,
            organizationId: w.organizationId,
            reassigned: held.length,
            roleGiven,
            roleRemoved: leaving?.role ?? null,
          },
        });
        await tx.offboarding.update({ where: { id: w.offboardingId }, data: { done: { increment: 1 } } });
        await recordEvent(tx, 'partneraccess.practice.offboarding-organization-done.v1', {
          aggregateId: w.offboardingId,
          subject: w.organizationId,
          data: {
            offboardingId: w.offboardingId,
            organizationId: w.organizationId,
            userId: w.leavingUserId,
            replacementUserId: w.replacementUserId,
            assignmentsMoved: held.length,
            roleGiven,
            roleRemoved: leaving?.role ?? null,
          },
        });
        return { moved: held.length, skipped: false };
      });
    },

    /** Last: off the Practice Staff, and the offboarding closed. Answers the closing reason. */
    async finishOffboarding(w: Who): Promise<{ reason: string }> {
      const { reason, requestedById } = await db.$transaction(async (tx) => {
        const row = await tx.offboarding.findUniqueOrThrow({ where: { id: w.offboardingId } });
        if (row.state === 'COMPLETED') return row;
        const removed = await tx.practiceStaffMember.deleteMany({
          where: { userId: w.leavingUserId, partnerFirmId: w.partnerFirmId },
        });
        const done = await tx.offboarding.update({
          where: { id: w.offboardingId },
          data: {
            state: 'COMPLETED',
            completedAt: new Date(),
            reason:
              `Offboarded from ${row.total} organization${row.total === 1 ? '' : 's'}; ` +
              'everything they held went to the replacement.',
          },
        });
        if (removed.count > 0) {
          await recordEvent(tx, 'partneraccess.practice.staff-removed.v1', {
            aggregateId: `${w.partnerFirmId}:${w.leavingUserId}`,
            data: {
              partnerFirmId: w.partnerFirmId,
              userId: w.leavingUserId,
              actorUserId: row.requestedById,
              offboardingId: row.id,
            },
          });
        }
        await recordEvent(tx, 'partneraccess.practice.offboarding-completed.v1', {
          aggregateId: row.id,
          data: changed(done),
        });
        return done;
      });
      // Off the staff now, so any offer the firm made them is dead at accept anyway; revoking says so.
      await revokeOffers?.(w.partnerFirmId, w.leavingUserId, requestedById);
      return { reason };
    },
  };
}
