// PP-1, PP-4: the portal's partners: a portal admin adds a partner (its email claimed once across the
// portal) and invites users on its behalf; the list of partners. PP-2: support frees a wrongly
// registered portal email, so the right account can register it. One use case for both ways support
// acts: an agent over HTTP (POST /support/portal-emails/free) and a `duplicate-email-fix` ticket from
// the help desk (its workflow's activity). The routes (api/routes/partner-portal.ts) are adapters.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { AddPartnerUserV1 } from './messages/commands/partner-portal.v1';
import type { Database } from '../platform/database';
import type { InvitationsClient } from '../workflows/invitation/client';
import { recordEvent } from '../events/outbox';
import { UseCaseRefusal } from './refusal';
import { endSessionsOf } from './session-validity';
import { actorIdOf, auditOfTicket, revokeUnlessClosed, ticketIdOf, type SupportActor } from './support-actions';

export const PORTAL_EMAIL_FREED = 'portal-email.freed';
export const NO_SUCH_PORTAL_EMAIL = 'No partner or partner user in the portal has this email.';

type OwnerType = 'portal-partner' | 'portal-partner-user';

export interface FreedPortalEmail {
  auditEntryId: string;
  /** The partner or partner user that held the email. */
  ownerId: string;
  /** The open invitation that was revoked with it (an invited user who never accepted). */
  invitationRevoked: string | null;
}

export function portalEmails(deps: { db: Database; invitations: InvitationsClient }) {
  const { db, invitations } = deps;
  const freedBefore = async (ticketId: string | null): Promise<FreedPortalEmail | null> => {
    if (!ticketId) return null;
    const audit = await db.$transaction((tx) => auditOfTicket(tx, ticketId, PORTAL_EMAIL_FREED));
    return audit && freed(audit);
  };

  return {
    /**
     * Changes the email to an invalid placeholder wherever it is held (the claim, the partner or
     * partner user, their account), audited with its reason, with its event. A ticket that already
     * did it answers what it did (a retried activity frees nothing twice).
     */
    async free(cmd: { email: string; reason: string; by: SupportActor }): Promise<FreedPortalEmail> {
      const ticketId = ticketIdOf(cmd.by);
      const before = await freedBefore(ticketId);
      if (before) return before;
      const entry = await db.portalEmail.findUnique({ where: { email: cmd.email } });
      if (!entry) throw new UseCaseRefusal('not-found', NO_SUCH_PORTAL_EMAIL);
      const ownerType = entry.ownerType as OwnerType;
      // An invited user who never accepted: revoking the invitation lets go of the email altogether.
      const open =
        ownerType === 'portal-partner-user'
          ? await db.invitation.findFirst({
              where: { kind: 'PORTAL_USER', targetId: entry.ownerId, state: { in: ['PENDING', 'EXPIRED'] } },
            })
          : null;
      const actorId = actorIdOf(cmd.by);
      if (open) await revokeUnlessClosed(invitations, open, 'userId' in cmd.by ? cmd.by.userId : null);
      return db.$transaction(async (tx) => {
        const again = ticketId ? await auditOfTicket(tx, ticketId, PORTAL_EMAIL_FREED) : null;
        if (again) return freed(again);
        const placeholder = `freed-${randomUUID()}@invalid.invalid`;
        const still = await tx.portalEmail.findUnique({ where: { email: cmd.email } });
        if (still) {
          await tx.portalEmail.delete({ where: { email: cmd.email } });
          const { ownerType: type, ownerId } = still;
          await tx.portalEmail.create({ data: { email: placeholder, ownerType: type, ownerId } });
          if (ownerType === 'portal-partner') {
            await tx.portalPartner.update({ where: { id: entry.ownerId }, data: { email: placeholder } });
          } else {
            const u = await tx.portalPartnerUser.update({
              where: { id: entry.ownerId },
              data: { email: placeholder },
            });
            if (u.userId) {
              // Issue 12: a provider's subject was linked to this account by this very email; it goes
              // with the email, so the provider's user reaches the right account once it is registered.
              await tx.user.update({
                where: { id: u.userId },
                data: { email: placeholder, externalIssuer: null, externalSubject: null },
              });
              // Issue 12: whoever held the freed email is signed out everywhere with it.
              await endSessionsOf(tx, u.userId);
            }
          }
        }
        const detail = {
          ownerType,
          reason: cmd.reason,
          placeholderSet: Boolean(still),
          invitationRevoked: open?.id ?? null,
          ...(ticketId ? { ticketId } : {}),
        };
        const audit = await tx.auditEntry.create({
          data: { actorId, action: PORTAL_EMAIL_FREED, subjectId: entry.ownerId, detail },
        });
        await recordEvent(tx, 'partneraccess.portal.email-freed.v1', {
          aggregateId: entry.ownerId,
          data: { ownerType, ownerId: entry.ownerId, actorUserId: actorId, auditEntryId: audit.id },
        });
        return freed(audit);
      });
    },
  };
}

/** PP-1: the refusal when an email is taken: one email is one account in the portal. */
export const DUPLICATE_PORTAL_EMAIL =
  'This email already belongs to a partner or partner user in the portal; one email is one account. ' +
  'If it was registered by mistake, ask support to free it.';

/**
 * PP-1: adds a partner to the portal; answers its id. Its email is claimed in the same transaction
 * (the portal's one table of emails, shared with partner users), so two partners racing for one email
 * cannot both be added.
 */
export async function addPortalPartner(db: Database, partner: { name: string; email: string }): Promise<string> {
  const id = randomUUID();
  await db.$transaction(async (tx) => {
    const claimed = await tx.$executeRaw`
      insert into "PortalEmail" (email, "ownerType", "ownerId")
      values (${partner.email}, 'portal-partner', ${id}::uuid)
      on conflict do nothing`;
    if (claimed === 0) throw new UseCaseRefusal('duplicate-email', DUPLICATE_PORTAL_EMAIL);
    await tx.portalPartner.create({ data: { id, name: partner.name, email: partner.email } });
  });
  return id;
}

/**
 * PP-1, PP-4: a portal admin adds a user on a partner's behalf: an invitation to set a password (the
 * invitation workflow); answers its id once the first email is out. The email check here is a quick
 * answer for the common case; the email's unique claim in the invitation's first step decides races.
 */
export async function invitePartnerUser(
  deps: { db: Database; invitations: InvitationsClient },
  actorUserId: string,
  user: { partnerId: string } & z.infer<typeof AddPartnerUserV1>,
): Promise<string> {
  const partner = await deps.db.portalPartner.findUnique({ where: { id: user.partnerId } });
  if (!partner) throw new UseCaseRefusal('not-found', 'No such partner.');
  if (await deps.db.portalEmail.findUnique({ where: { email: user.email } }))
    throw new UseCaseRefusal('duplicate-email', DUPLICATE_PORTAL_EMAIL);
  const { view } = await deps.invitations.open({
    kind: 'PORTAL_USER',
    scopeId: partner.id,
    invitee: { email: user.email, firstName: user.firstName, lastName: user.lastName },
    invitedByUserId: actorUserId,
    details: { phone: user.phone },
  });
  if (view.refused) throw new UseCaseRefusal('duplicate-email', DUPLICATE_PORTAL_EMAIL);
  return view.invitationId;
}

/** A partner in the portal's list (PP-1): who it is and how many of its users are in. */
export interface PortalPartnerSummary {
  partnerId: string;
  name: string;
  email: string;
  /** Its partner users, and of those, the ones who have not set a password yet. */
  userCount: number;
  invitedCount: number;
  addedAt: Date;
}

/** PP-1: every partner in the portal, by name, with its user counts (the portal admin's list). */
export async function listPortalPartners(db: Database): Promise<PortalPartnerSummary[]> {
  const [partners, counts] = await Promise.all([
    db.portalPartner.findMany({ orderBy: [{ name: 'asc' }, { createdAt: 'asc' }] }),
    db.portalPartnerUser.groupBy({ by: ['portalPartnerId', 'status'], _count: { _all: true } }),
  ]);
  const count = (partnerId: string, status?: 'INVITED' | 'ACTIVE') =>
    counts
      .filter((c) => c.portalPartnerId === partnerId && (!status || c.status === status))
      .reduce((sum, c) => sum + c._count._all, 0);
  return partners.map((p) => ({
    partnerId: p.id,
    name: p.name,
    email: p.email,
    userCount: count(p.id),
    invitedCount: count(p.id, 'INVITED'),
    addedAt: p.createdAt,
  }));
}

function freed(audit: { id: string; subjectId: string; detail: unknown }): FreedPortalEmail {
  const detail = (audit.detail ?? {}) as { invitationRevoked?: string | null };
  return { auditEntryId: audit.id, ownerId: audit.subjectId, invitationRevoked: detail.invitationRevoked ?? null };
}
