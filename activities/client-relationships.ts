// Activities of the client-relationship workflow (AM-2): open it (or find the row the migration or
// the seed made: that is how the worker adopts it), record a transition, and tell people. The row
// and its event are one transaction, and the workflow's transition counter makes a retry a no-op.
// Ending a relationship revokes, in that same transaction, every membership delegated under it
// (AM-1: revoking a source revokes everything derived from it; AM-7: at once, before any email).
import { permanent } from './permanent';
import { Prisma, type ClientRelationshipState as State, type OrgRole } from '@prisma/client';
import type { Database } from '../platform/database';
import type { Mailer } from '../platform/mail';
import { composeFromText } from '../platform/email-layout';
import { recordEvent } from '../events/outbox';
import type { EventType } from '../domain/events';
import type { ClientRelationshipChangedV1 } from '../domain/messages/events/access.v1';
import { ClientRelationshipRefusal } from '../workflows/client-relationship/messages';

type Tx = Prisma.TransactionClient;
type Row = Prisma.ClientRelationshipGetPayload<object>;
type Refused = { reason: string; message: string };

export interface OpenClientRelationship {
  relationshipId: string;
  workflowId: string;
  partnerFirmId: string;
  organizationId: string;
  roleCeiling: OrgRole;
  durationDays: number;
  autoExtend: boolean;
  requestedByUserId: string | null;
  /** When, by the workflow's clock (ISO 8601): the approval window runs from here. */
  at: string;
}

/** The row as the workflow continues from it: new, or adopted in whatever state it was left. */
export type OpenedClientRelationship =
  | { refused: Refused }
  | {
      refused: null;
      created: boolean;
      state: State;
      reason: string;
      transition: number;
      roleCeiling: OrgRole;
      durationDays: number;
      autoExtend: boolean;
      requestedAt: string;
      expiresAt: string | null;
    };

export interface ClientRelationshipTransition {
  relationshipId: string;
  /** The workflow's counter: a transition the row already has is skipped. */
  transition: number;
  to: State;
  reason: string;
  actorUserId: string | null;
  /** When, by the workflow's clock (ISO 8601). */
  at: string;
  /** The end date that approval or an extension sets. */
  expiresAt?: string;
  /** An expiry notice: the state stays ACTIVE and the event says how many days are left. */
  daysLeft?: number;
}

export type ClientRelationshipSide = 'organization' | 'firm';
/** What an email is about: the suffix of the event it follows. */
export type ClientRelationshipNews =
  'requested' | 'approved' | 'declined' | 'expiry-notice' | 'extended' | 'terminated' | 'expired';

export interface ClientRelationshipEmail {
  relationshipId: string;
  news: ClientRelationshipNews;
  /** The transition it follows: with the recipient, the email's Message-ID. */
  transition: number;
  recipient: { userId: string; email: string; side: ClientRelationshipSide };
  firmName: string;
  organizationName: string;
  /** The end date, or for a request the date it is declined unanswered (ISO 8601). */
  date: string | null;
  daysLeft: number | null;
  reason: string;
  /** An extension by hand: the side whose person made it (an org admin). Absent when it extended itself. */
  by?: ClientRelationshipSide;
}

const OPEN: State[] = ['PENDING_APPROVAL', 'ACTIVE'];
const ENDED: readonly State[] = ['DECLINED', 'TERMINATED', 'EXPIRED'];
export const DELEGATION_ENDED = 'The client relationship it was delegated under ended.';

/** Which event a transition records: the state it reaches, or for ACTIVE what made it so. */
function eventFor(from: State, t: ClientRelationshipTransition): EventType {
  if (t.daysLeft !== undefined) return 'partneraccess.client-relationship.expiry-notice.v1';
  if (t.to === 'ACTIVE' && from === 'ACTIVE') return 'partneraccess.client-relationship.extended.v1';
  if (t.to === 'ACTIVE') return 'partneraccess.client-relationship.approved.v1';
  return `partneraccess.client-relationship.${t.to.toLowerCase()}.v1` as EventType;
}

const changed = (row: Row, extra: Partial<ClientRelationshipChangedV1> = {}): ClientRelationshipChangedV1 => ({
  clientRelationshipId: row.id,
  partnerFirmId: row.partnerFirmId,
  organizationId: row.organizationId,
  state: row.state,
  roleCeiling: row.roleCeiling,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  autoExtend: row.autoExtend,
  actorUserId: null,
  reason: row.reason,
  daysLeft: null,
  ...extra,
});

const opened = (row: Row, created: boolean): OpenedClientRelationship => ({
  refused: null,
  created,
  state: row.state,
  reason: row.reason,
  transition: row.transition,
  roleCeiling: row.roleCeiling,
  durationDays: row.durationDays,
  autoExtend: row.autoExtend,
  requestedAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt?.toISOString() ?? null,
});

const alreadyOpen: Refused = {
  reason: 'already-open',
  message:
    'This partner firm already has an open relationship with this organization (waiting for approval or active).',
};

/** Every membership delegated under the relationship, deleted, each with its grant-revoked event. */
async function revokeDelegated(tx: Tx, row: Row, actorUserId: string | null): Promise<number> {
  const held = await tx.membership.findMany({
    where: { clientRelationshipId: row.id },
    orderBy: { createdAt: 'asc' },
  });
  if (held.length === 0) return 0;
  await tx.membership.deleteMany({ where: { id: { in: held.map((m) => m.id) } } });
  for (const m of held) {
    const grantId = `membership:${m.id}`;
    // The organization's access ledger is the aggregate: its grants' events stay in order.
    await recordEvent(tx, 'partneraccess.access.grant-revoked.v1', {
      aggregateId: m.organizationId,
      subject: grantId,
      data: {
        grantId,
        organizationId: m.organizationId,
        userId: m.userId,
        source: 'DELEGATION',
        clientRelationshipId: row.id,
        role: m.role,
        actorUserId,
        reason: DELEGATION_ENDED,
      },
    });
  }
  return held.length;
}

export function clientRelationshipActivities(db: Database, mailer: Mailer) {
  return {
    /**
     * The row and its `requested` event in one transaction; or the row that is already there (adopted
     * as it is); or a refusal when the pair already has an open relationship, or a party is unknown.
     */
    async openClientRelationship(o: OpenClientRelationship): Promise<OpenedClientRelationship> {
      try {
        return await db.$transaction(async (tx) => {
          const existing = await tx.clientRelationship.findUnique({ where: { id: o.relationshipId } });
          if (existing) return opened(existing, false);
          const [firm, org] = await Promise.all([
            tx.partnerFirm.findUnique({ where: { id: o.partnerFirmId }, select: { id: true } }),
            tx.organization.findUnique({ where: { id: o.organizationId }, select: { id: true } }),
          ]);
          if (!firm || !org) {
            return {
              refused: { reason: 'not-found', message: `No such ${firm ? 'organization' : 'partner firm'}.` },
            };
          }
          const open = await tx.clientRelationship.findFirst({
            where: { partnerFirmId: o.partnerFirmId, organizationId: o.organizationId, state: { in: OPEN } },
            select: { id: true },
          });
          if (open) return { refused: alreadyOpen };
          const row = await tx.clientRelationship.create({
            data: {
              id: o.relationshipId,
              workflowId: o.workflowId,
              partnerFirmId: o.partnerFirmId,
              organizationId: o.organizationId,
              state: 'PENDING_APPROVAL',
              roleCeiling: o.roleCeiling,
              durationDays: o.durationDays,
              autoExtend: o.autoExtend,
              requestedById: o.requestedByUserId,
              reason: 'Waiting for an org admin of the organization to approve.',
              transition: 1,
              createdAt: new Date(o.at),
            },
          });
          await recordEvent(tx, 'partneraccess.client-relationship.requested.v1', {
            aggregateId: row.id,
            data: changed(row, { actorUserId: o.requestedByUserId }),
          });
          return opened(row, true);
        });
      } catch (err) {
        // Two requests for the same pair at once: the one-open-per-pair index lets one through.
        const unique = err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
        if (unique) return { refused: alreadyOpen };
        throw err;
      }
    },

    /**
     * The state, the event, and for an ending every delegated membership revoked (one event each),
     * in one transaction. A transition already applied is skipped.
     */
    async recordClientRelationshipTransition(
      t: ClientRelationshipTransition,
    ): Promise<{ applied: boolean; revoked: number }> {
      return db.$transaction(async (tx) => {
        // Attempts at one transition take turns: a retry may overlap a slow first attempt.
        await tx.$executeRaw`select 1 from "ClientRelationship" where id = ${t.relationshipId}::uuid for update`;
        const row = await tx.clientRelationship.findUnique({ where: { id: t.relationshipId } });
        // Deleted with its organization or firm: no retry can bring it back.
        if (!row) {
          const message = `Client relationship ${t.relationshipId} no longer exists.`;
          throw permanent(ClientRelationshipRefusal.gone, message);
        }
        if (row.transition >= t.transition) return { applied: false, revoked: 0 };
        const at = new Date(t.at);
        const notice = t.daysLeft !== undefined;
        const ending = ENDED.includes(t.to);
        const updated = await tx.clientRelationship.update({
          where: { id: row.id },
          data: {
            state: t.to,
            transition: t.transition,
            ...(notice ? {} : { reason: t.reason }),
            ...(t.expiresAt ? { expiresAt: new Date(t.expiresAt) } : {}),
            ...(t.to === 'ACTIVE' && row.state === 'PENDING_APPROVAL'
              ? { approvedById: t.actorUserId, approvedAt: at }
              : {}),
            ...(t.to === 'ACTIVE' && row.state === 'ACTIVE' && !notice ? { extensions: { increment: 1 } } : {}),
            ...(ending ? { endedById: t.actorUserId, endedAt: at } : {}),
          },
        });
        await recordEvent(tx, eventFor(row.state, t), {
          aggregateId: row.id,
          data: changed(updated, { actorUserId: t.actorUserId, reason: t.reason, daysLeft: t.daysLeft ?? null }),
        });
        const revoked = ending ? await revokeDelegated(tx, row, t.actorUserId) : 0;
        return { applied: true, revoked };
      });
    },

    /** Who hears about the relationship on each side: the organization's own org admins, the firm's AO/AMs. */
    async clientRelationshipAudience(a: { relationshipId: string; sides: ClientRelationshipSide[] }) {
      const row = await db.clientRelationship.findUnique({
        where: { id: a.relationshipId },
        select: {
          partnerFirmId: true,
          organizationId: true,
          partnerFirm: { select: { name: true } },
          organization: { select: { name: true } },
        },
      });
      if (!row) return { firmName: '', organizationName: '', recipients: [] };
      const active = { status: 'ACTIVE' as const };
      const [admins, staff] = await Promise.all([
        a.sides.includes('organization')
          ? db.membership.findMany({
              where: { organizationId: row.organizationId, role: 'ORG_ADMIN', source: 'OWN', user: active },
              select: { user: { select: { id: true, email: true } } },
              orderBy: { createdAt: 'asc' },
            })
          : [],
        a.sides.includes('firm')
          ? db.practiceStaffMember.findMany({
              where: {
                partnerFirmId: row.partnerFirmId,
                role: { in: ['ACCOUNT_OWNER', 'ACCOUNT_MANAGER'] },
                user: active,
              },
              select: { user: { select: { id: true, email: true } } },
              orderBy: { userId: 'asc' },
            })
          : [],
      ]);
      const recipients = [
        ...admins.map((m) => ({ userId: m.user.id, email: m.user.email, side: 'organization' as const })),
        ...staff.map((m) => ({ userId: m.user.id, email: m.user.email, side: 'firm' as const })),
      ];
      return { firmName: row.partnerFirm.name, organizationName: row.organization.name, recipients };
    },

    /** One email to one person: a retry resends only this one, under the same Message-ID. */
    async sendClientRelationshipEmail(e: ClientRelationshipEmail): Promise<void> {
      const row = await db.clientRelationship.findUnique({
        where: { id: e.relationshipId },
        select: { roleCeiling: true, durationDays: true },
      });
      if (!row) return;
      const { subject, text } = compose(e, row);
      await mailer.send({
        to: e.recipient.email,
        subject,
        ...composeFromText(text, subject),
        messageId:
          `<client-relationship-${e.relationshipId}-${e.transition}-${e.recipient.userId}` +
          '@partner-access.example>',
      });
    },
  };
}

const utc = (iso: string | null) => (iso ? new Date(iso).toUTCString() : 'an unknown date');
const ROLE_WORDS: Record<OrgRole, string> = {
  ORG_ADMIN: 'org admin',
  PRODUCT_ADMIN: 'product admin',
  MEMBER: 'member',
};

/** The email's words, per news: the firm, the organization and the date named every time. */
function compose(e: ClientRelationshipEmail, row: { roleCeiling: OrgRole; durationDays: number }) {
  const { firmName: firm, organizationName: org } = e;
  const when = utc(e.date);
  switch (e.news) {
    case 'requested':
      return {
        subject: `${firm} asks to work for ${org}`,
        text:
          `${firm} asks to work for ${org} as a partner firm, for ${row.durationDays} days once approved. ` +
          `Its staff could be given at most the ${ROLE_WORDS[row.roleCeiling]} role.\n\n` +
          `As an org admin you can approve or decline it. Unanswered, it is declined on ${when}.`,
      };
    case 'expiry-notice':
      return {
        subject: `${firm} works for ${org} for ${e.daysLeft} more day${e.daysLeft === 1 ? '' : 's'}`,
        text:
          `The client relationship under which ${firm} works for ${org} ends on ${when}. Then every access ` +
          `${firm}'s staff hold in ${org} through it is revoked.\n\n` +
          `To go on, ${org} approves a new relationship. Either side can end this one sooner.`,
      };
    case 'extended':
      return {
        subject: `${firm} works for ${org} until ${when}`,
        text:
          `The client relationship under which ${firm} works for ${org} ` +
          `${e.by === 'organization' ? `was extended by an org admin of ${org}` : 'extended itself, as agreed'}. ` +
          `It now ends on ${when}.`,
      };
    default: {
      const after =
        e.news === 'approved'
          ? `It ends on ${when}.`
          : e.news === 'declined'
            ? `${firm} does not work for ${org}.`
            : `Every access ${firm}'s staff held in ${org} through it is revoked.`;
      return {
        subject: `The client relationship between ${firm} and ${org} was ${e.news}`,
        text: `The client relationship between ${firm} and ${org} was ${e.news}. ${e.reason}\n\n${after}`,
      };
    }
  }
}
