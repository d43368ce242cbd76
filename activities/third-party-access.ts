// Activities of the third-party-access workflow: every read and write of the world it needs.
// Each is idempotent: a retry changes nothing that already happened.
import type { Database } from '../platform/database';
import { recordEvent } from '../events/outbox';
import { permanent, PermanentFailure } from './permanent';
import { isOnOrganizationDomain } from '../domain/third-party-access';
import type { EventType } from '../domain/events';
import type { TpuOrigin, TpuState } from '../domain/messages/values/third-party-access';

export interface TransitionRecord {
  workflowId: string;
  runId: string;
  relationshipId: string;
  organizationId: string;
  thirdParty: { name: string; firmName: string; email: string };
  origin: TpuOrigin;
  ticketId: string | null;
  requestedByUserId: string | null;
  thirdPartyUserId: string | null;
  from: TpuState;
  to: TpuState;
  reason: string;
  transition: number;
  actorUserId: string | null;
  /** AM-5: when access turned on now ends by itself (ISO 8601); absent in transitions recorded before it. */
  accessEndsAt?: string | null;
}

function eventTypeFor(from: TpuState, to: TpuState): EventType {
  switch (to) {
    case 'AWAITING_ACCOUNT':
      return 'partneraccess.tpu.awaiting-account.v1';
    case 'REQUESTED':
      return 'partneraccess.tpu.requested.v1';
    case 'LISTED':
      return from === 'ACCESS_ON' ? 'partneraccess.tpu.access-disabled.v1' : 'partneraccess.tpu.listed.v1';
    case 'ACCESS_ON':
      return 'partneraccess.tpu.access-enabled.v1';
    case 'REJECTED':
      return 'partneraccess.tpu.rejected.v1';
    case 'REMOVED':
      return 'partneraccess.tpu.removed.v1';
    case 'EXPIRED':
      return 'partneraccess.tpu.expired.v1';
  }
}

export function thirdPartyAccessActivities(db: Database) {
  return {
    /**
     * TPU-1: does the third party have an account, and is the email on the organization's own domains?
     * Issue 12: an organization that does not exist fails for good (no retry brings it back); the
     * workflow parks until an operator restores it or ends the run.
     */
    async lookUpThirdParty(args: { organizationId: string; email: string }) {
      const [user, org] = await Promise.all([
        db.user.findUnique({ where: { email: args.email }, select: { id: true, status: true } }),
        db.organization.findUnique({
          where: { id: args.organizationId },
          select: { name: true, domains: { select: { domain: true } } },
        }),
      ]);
      if (!org) throw permanent(PermanentFailure.missingRow, `No organization ${args.organizationId}.`);
      return {
        userId: user && user.status === 'ACTIVE' ? user.id : null,
        emailOnOrganizationDomain: isOnOrganizationDomain(args.email, org.domains),
        organizationName: org.name,
      };
    },

    async organizationAdmins(args: { organizationId: string }) {
      const org = await db.organization.findUniqueOrThrow({
        where: { id: args.organizationId },
        select: {
          name: true,
          memberships: {
            where: { role: 'ORG_ADMIN', user: { status: 'ACTIVE' } },
            select: { user: { select: { id: true, email: true } } },
            orderBy: { createdAt: 'asc' },
          },
        },
      });
      return {
        organizationName: org.name,
        admins: org.memberships.map((m) => ({ userId: m.user.id, email: m.user.email })),
      };
    },

    /** The relationship row and its event, in one transaction; a transition already applied is skipped. */
    async recordThirdPartyAccessTransition(t: TransitionRecord): Promise<{ applied: boolean }> {
      return db.$transaction(async (tx) => {
        const key = { organizationId: t.organizationId, relationshipId: t.relationshipId };
        const row = await tx.thirdPartyRelationship.findUnique({ where: { organizationId_relationshipId: key } });
        if (row && row.runId === t.runId && row.transition >= t.transition) return { applied: false };
        const data = {
          workflowId: t.workflowId,
          runId: t.runId,
          transition: t.transition,
          thirdPartyUserId: t.thirdPartyUserId,
          thirdPartyEmail: t.thirdParty.email,
          thirdPartyName: t.thirdParty.name,
          firmName: t.thirdParty.firmName,
          state: t.to,
          origin: t.origin,
          reason: t.reason,
          ticketId: t.ticketId,
          requestedById: t.requestedByUserId,
          // AM-1, AM-5: who turned access on, when, and until when; access that is not on holds none of it.
          accessGrantedById: t.to === 'ACCESS_ON' ? t.actorUserId : null,
          accessGrantedAt: t.to === 'ACCESS_ON' ? new Date() : null,
          accessEndsAt: t.to === 'ACCESS_ON' && t.accessEndsAt ? new Date(t.accessEndsAt) : null,
        };
        await tx.thirdPartyRelationship.upsert({
          where: { organizationId_relationshipId: key },
          create: { ...key, ...data },
          update: data,
        });
        await recordEvent(tx, eventTypeFor(t.from, t.to), {
          aggregateId: t.workflowId,
          subject: t.thirdPartyUserId ?? undefined,
          data: {
            relationshipId: t.relationshipId,
            organizationId: t.organizationId,
            thirdPartyUserId: t.thirdPartyUserId,
            state: t.to,
            origin: t.origin,
            reason: t.reason,
            ticketId: t.ticketId,
            actorUserId: t.actorUserId,
          },
        });
        return { applied: true };
      });
    },
  };
}
