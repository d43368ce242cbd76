// AM-4: the customer's access ledger. Everyone who can act in an organization, at what level, and
// the chain of why, read from the same sources the policy decision point reads; and revocation of
// any grant that is not an own membership. Each revocation is one transaction with its event, or,
// for a third party, the relationship's workflow (which answers at once: AM-7).
//
// Grant ids name their source: `membership:<membership id>`, `third-party:<relationship id>`,
// `task-share:<task id>:<user id>`.
import type { Database } from '../platform/database';
import { recordEvent } from '../events/outbox';
import { UseCaseRefusal } from './refusal';
import type { ThirdPartyAccessClient } from '../workflows/third-party-access/client';

export type GrantSource = 'OWN' | 'DELEGATION' | 'GUEST' | 'THIRD_PARTY' | 'OBJECT_SHARE' | 'PARTNER_ACCOUNT';

export interface LedgerEntry {
  grantId: string;
  userId: string;
  name: string;
  /**
   * The organization role, THIRD_PARTY, VIEWER for an object share (BP-3: only that object), or
   * USER_MANAGEMENT for the partner account's users under the automatic access model (PA-3, PA-4).
   */
  level: 'ORG_ADMIN' | 'PRODUCT_ADMIN' | 'MEMBER' | 'THIRD_PARTY' | 'VIEWER' | 'USER_MANAGEMENT';
  source: GrantSource;
  partnerFirm: { partnerFirmId: string; name: string } | null;
  clientRelationshipId: string | null;
  grantedBy: { userId: string; name: string } | null;
  grantedAt: string;
  expiresAt: string | null;
  /** The object an object share is about. */
  objectId: string | null;
  /** The chain of why, in one sentence. */
  why: string;
  /** Own memberships are the organization's own people: managed as members, not revoked here. */
  revocable: boolean;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export class AccessLedger {
  constructor(private readonly deps: { db: Database; thirdPartyAccess: ThirdPartyAccessClient }) {}

  async entries(organizationId: string, now = new Date()): Promise<LedgerEntry[]> {
    const { db } = this.deps;
    const [memberships, thirdParties, shares, account] = await Promise.all([
      db.membership.findMany({
        // A member deactivated in the account (PA-3) acts in nothing until reactivated.
        where: { organizationId, deactivatedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
        include: {
          user: { select: { displayName: true, practiceRoles: { select: { partnerFirmId: true } } } },
          clientRelationship: { include: { partnerFirm: { select: { name: true } } } },
        },
        orderBy: { createdAt: 'asc' },
      }),
      db.thirdPartyRelationship.findMany({
        where: { organizationId, state: 'ACCESS_ON', thirdPartyUserId: { not: null } },
        orderBy: { createdAt: 'asc' },
      }),
      db.taskGrant.findMany({ where: { task: { organizationId } }, include: { task: { select: { title: true } } } }),
      // PA-3, PA-4: under the automatic model, the partner account's users manage this account's users.
      db.customerAccount.findFirst({
        where: { organizationId, accessModel: 'AUTOMATIC' },
        include: { partnerFirm: { include: { staff: { include: { user: { select: { displayName: true } } } } } } },
      }),
    ]);
    const people = await this.names([
      ...memberships.flatMap((m) => (m.grantedById ? [m.grantedById] : [])),
      ...thirdParties.flatMap((t) => [t.thirdPartyUserId!, ...(t.accessGrantedById ? [t.accessGrantedById] : [])]),
      ...shares.flatMap((s) => [s.userId, ...(s.grantedById ? [s.grantedById] : [])]),
    ]);
    const by = (id: string | null) => (id ? { userId: id, name: people.get(id) ?? 'someone' } : null);
    const granted = (id: string | null, at: Date) =>
      id ? `granted by ${people.get(id) ?? 'someone'} on ${day(at)}` : `since ${day(at)}`;
    const until = (at: Date | null) => (at ? `, until ${day(at)}` : '');

    // A membership's entry, or null for a delegation that no longer stands (its own function: with the
    // delegation rules inline, entries() was far over the complexity budget).
    const membershipEntry = (m: (typeof memberships)[number]): LedgerEntry | null => {
      const relationship = m.clientRelationship;
      if (m.source === 'DELEGATION') {
        // Only what still stands: an active relationship, and a holder still on the firm's staff.
        const onStaff =
          relationship && m.user.practiceRoles.some((r) => r.partnerFirmId === relationship.partnerFirmId);
        const ended =
          !relationship ||
          relationship.state !== 'ACTIVE' ||
          (relationship.expiresAt !== null && relationship.expiresAt <= now);
        if (ended || !onStaff) return null;
      }
      const firm = relationship
        ? { partnerFirmId: relationship.partnerFirmId, name: relationship.partnerFirm.name }
        : null;
      const why = firm
        ? `${m.user.displayName}, ${m.role}, delegated by ${firm.name} under relationship ${relationship!.id}, ` +
          `${granted(m.grantedById, m.createdAt)}${until(m.expiresAt ?? relationship!.expiresAt)}`
        : m.source === 'GUEST'
          ? `${m.user.displayName}, ${m.role}, a guest from the partner account, in only while switched in, ` +
            `${granted(m.grantedById, m.createdAt)}${until(m.expiresAt)}`
          : `${m.user.displayName}, ${m.role}, a member of the organization ` +
            `${granted(m.grantedById, m.createdAt)}${until(m.expiresAt)}`;
      return {
        grantId: `membership:${m.id}`,
        userId: m.userId,
        name: m.user.displayName,
        level: m.role,
        source: m.source,
        partnerFirm: firm,
        clientRelationshipId: relationship?.id ?? null,
        grantedBy: by(m.grantedById),
        grantedAt: m.createdAt.toISOString(),
        expiresAt: (m.expiresAt ?? relationship?.expiresAt)?.toISOString() ?? null,
        objectId: null,
        why,
        revocable: m.source !== 'OWN',
      };
    };

    const entries: LedgerEntry[] = memberships.flatMap((m) => membershipEntry(m) ?? []);
    for (const t of thirdParties) {
      if (t.accessEndsAt && t.accessEndsAt <= now) continue;
      const since = t.accessGrantedAt ?? t.updatedAt;
      entries.push({
        grantId: `third-party:${t.relationshipId}`,
        userId: t.thirdPartyUserId!,
        name: people.get(t.thirdPartyUserId!) ?? t.thirdPartyName,
        level: 'THIRD_PARTY',
        source: 'THIRD_PARTY',
        partnerFirm: null,
        clientRelationshipId: null,
        grantedBy: by(t.accessGrantedById),
        grantedAt: since.toISOString(),
        expiresAt: t.accessEndsAt?.toISOString() ?? null,
        objectId: null,
        why:
          `${t.thirdPartyName} (${t.firmName}), third-party user with access on, ` +
          `${granted(t.accessGrantedById, since)}${until(t.accessEndsAt)}`,
        revocable: true,
      });
    }
    for (const share of shares) {
      const name = people.get(share.userId) ?? 'a business partner';
      entries.push({
        grantId: `task-share:${share.taskId}:${share.userId}`,
        userId: share.userId,
        name,
        level: 'VIEWER',
        source: 'OBJECT_SHARE',
        partnerFirm: null,
        clientRelationshipId: null,
        grantedBy: by(share.grantedById),
        grantedAt: share.grantedAt.toISOString(),
        expiresAt: null,
        objectId: share.taskId,
        why:
          `${name}, business partner, sees the task "${share.task.title}" only, ` +
          granted(share.grantedById, share.grantedAt),
        revocable: true,
      });
    }
    for (const member of account?.partnerFirm.staff ?? []) {
      const firm = account!.partnerFirm;
      entries.push({
        grantId: `partner-account:${firm.id}:${member.userId}`,
        userId: member.userId,
        name: member.user.displayName,
        level: 'USER_MANAGEMENT',
        source: 'PARTNER_ACCOUNT',
        partnerFirm: { partnerFirmId: firm.id, name: firm.name },
        clientRelationshipId: null,
        grantedBy: null,
        grantedAt: account!.createdAt.toISOString(),
        expiresAt: null,
        objectId: null,
        why:
          `${member.user.displayName}, a user of the partner account ${firm.name}, manages this account's users ` +
          'under the automatic access model (it changes only by a support ticket: PA-4)',
        // Not one person's grant: the account's access model is, and a support ticket changes it.
        revocable: false,
      });
    }
    return entries;
  }

  private async names(ids: string[]): Promise<Map<string, string>> {
    const users = await this.deps.db.user.findMany({
      where: { id: { in: [...new Set(ids)] } },
      select: { id: true, displayName: true },
    });
    return new Map(users.map((u) => [u.id, u.displayName]));
  }

  /** Revokes one grant that is not an own membership; answers what was revoked. */
  async revoke(actorUserId: string, organizationId: string, grantId: string, reason: string): Promise<LedgerEntry> {
    const entry = (await this.entries(organizationId)).find((e) => e.grantId === grantId);
    if (!entry) throw new UseCaseRefusal('not-found', 'No such grant in this organization (it may already be gone).');
    if (!entry.revocable) {
      throw new UseCaseRefusal(
        'unprocessable',
        entry.source === 'PARTNER_ACCOUNT'
          ? "The partner account's automatic access is the account's access model: ask support to change it."
          : "This is the organization's own membership: change or remove the member instead.",
      );
    }
    const source = entry.source as Exclude<GrantSource, 'PARTNER_ACCOUNT'>;
    const { db } = this.deps;
    const event = {
      grantId,
      organizationId,
      userId: entry.userId,
      source,
      clientRelationshipId: entry.clientRelationshipId,
      role:
        entry.level === 'ORG_ADMIN' || entry.level === 'PRODUCT_ADMIN' || entry.level === 'MEMBER'
          ? entry.level
          : null,
      actorUserId,
      reason,
    };
    if (entry.source === 'THIRD_PARTY') {
      // The relationship's workflow removes it, and records the removal and its event.
      await this.deps.thirdPartyAccess.remove(
        organizationId,
        grantId.slice('third-party:'.length),
        { userId: actorUserId },
        'organization',
      );
      return entry;
    }
    await db.$transaction(async (tx) => {
      if (entry.source === 'DELEGATION' || entry.source === 'GUEST') {
        // A guest's open switch ends with the grant: its token names a grant that is gone (PA-5).
        const gone = await tx.membership.deleteMany({
          where: { id: grantId.slice('membership:'.length), source: entry.source },
        });
        if (gone.count === 0) return;
        if (entry.source === 'GUEST') {
          await tx.accountSwitch.updateMany({
            where: { userId: entry.userId, organizationId, endedAt: null },
            data: { endedAt: new Date() },
          });
        }
      } else {
        const [, taskId, userId] = grantId.split(':');
        const gone = await tx.taskGrant.deleteMany({ where: { taskId, userId } });
        if (gone.count === 0) return;
      }
      await recordEvent(tx, 'partneraccess.access.grant-revoked.v1', {
        aggregateId: organizationId,
        subject: entry.userId,
        data: event,
      });
    });
    return entry;
  }
}
