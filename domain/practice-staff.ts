// The use cases of a partner firm's Practice Staff (PS-2..PS-6) and its delegation into client
// organizations (AM-2). Routes, consumers and activities call these; who may call them is decided
// before, by the policy decision point (domain/authorization). What stays here are the business
// rules: the relationship in force and its ceiling, what a leaver still holds, certificates.
import type { OrgRole, PracticeRole } from '@prisma/client';
import type { Database } from '../platform/database';
import type { Mailer } from '../platform/mail';
import { composeEmail } from '../platform/email-layout';
import { recordEvent } from '../events/outbox';
import type { InvitationsClient } from '../workflows/invitation/client';
import { CERTIFICATION_PROGRAM, renderCertificatePdf } from './certificate';
import { checkDelegation } from './delegation';
import { revokeUnlessClosed } from './support-actions';
import { replacementProblem } from './offboarding';
import { UseCaseRefusal, type RefusalKind } from './refusal';

const refuse = (kind: RefusalKind, message: string) => new UseCaseRefusal(kind, message);

/** The organization-access offers a firm made to an email that are still open (pending or renewable). */
function openOffers(db: Database, partnerFirmId: string, email: string) {
  return db.invitation.findMany({
    where: {
      kind: 'ORGANIZATION_ACCESS',
      email,
      state: { in: ['PENDING', 'EXPIRED'] },
      offer: { path: ['partnerFirmId'], equals: partnerFirmId },
    },
    include: { sends: true },
  });
}

/** Revokes open offers through their workflows; one already closed meanwhile is left as it is. */
async function revokeOffers(
  invitations: InvitationsClient,
  open: Array<{ id: string; workflowId: string }>,
  actorUserId: string | null,
) {
  // One that closed meanwhile is done; an outage is thrown, so the caller (an activity) retries.
  for (const invitation of open) await revokeUnlessClosed(invitations, invitation, actorUserId);
}

/** The offers a firm made a user who has left its staff are revoked (PS-5, after the offboarding). */
export function revokeOffersOnLeaving(db: Database, invitations: InvitationsClient) {
  return async (partnerFirmId: string, userId: string, actorUserId: string) => {
    const user = await db.user.findUnique({ where: { id: userId }, select: { email: true } });
    if (user) await revokeOffers(invitations, await openOffers(db, partnerFirmId, user.email), actorUserId);
  };
}

export interface OrganizationOffer {
  organizationId: string;
  role: OrgRole;
  /** AM-5: when the access ends (ISO 8601). */
  until?: string;
}

export class PracticeStaff {
  constructor(private readonly deps: { db: Database; invitations: InvitationsClient; mailer: Mailer }) {}

  private get db() {
    return this.deps.db;
  }

  async member(partnerFirmId: string, userId: string) {
    const found = await this.db.practiceStaffMember.findUnique({
      where: { userId_partnerFirmId: { userId, partnerFirmId } },
      include: { user: true },
    });
    if (!found) throw refuse('not-found', 'No such user on this Practice Staff.');
    return found;
  }

  /** PS-1, PS-2: members, and everyone invited who has not joined, with their status. */
  async staffList(partnerFirmId: string) {
    const [members, invites] = await Promise.all([
      this.db.practiceStaffMember.findMany({
        where: { partnerFirmId },
        include: { user: true },
        orderBy: { createdAt: 'asc' },
      }),
      this.db.invitation.findMany({
        where: { kind: 'PRACTICE_STAFF', scopeId: partnerFirmId, state: { in: ['PENDING', 'EXPIRED', 'REJECTED'] } },
        include: { sends: true },
        orderBy: { createdAt: 'asc' },
      }),
    ]);
    const joined = new Set(members.map((m) => m.user.email.toLowerCase()));
    return { members, invites: invites.filter((i) => !joined.has(i.email.toLowerCase())) };
  }

  /** AM-2: the organizations the firm works for now, with what each allows and until when. */
  clients(partnerFirmId: string) {
    return this.db.clientRelationship.findMany({
      where: { partnerFirmId, state: 'ACTIVE', OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
      include: { organization: { select: { name: true } } },
      orderBy: { organization: { name: 'asc' } },
    });
  }

  /** What a staff user holds through this firm: memberships it delegated, and open offers of it. */
  async delegatedTo(partnerFirmId: string, userId: string) {
    const member = await this.member(partnerFirmId, userId);
    const [memberships, invitations] = await Promise.all([
      this.db.membership.findMany({
        where: { userId, source: 'DELEGATION', clientRelationship: { partnerFirmId } },
        include: { organization: { select: { name: true } } },
      }),
      openOffers(this.db, partnerFirmId, member.user.email),
    ]);
    return { member, memberships, invitations };
  }

  /** PS-3: the Account Owner changes a role (never the Account Owner's own, which is handed over). */
  async changeRole(actorUserId: string, partnerFirmId: string, userId: string, role: PracticeRole) {
    const member = await this.member(partnerFirmId, userId);
    if (member.role === 'ACCOUNT_OWNER') {
      throw refuse('conflict', "The Account Owner's role is not changed here; hand the account over first.");
    }
    if (member.role === role) return;
    await this.db.$transaction(async (tx) => {
      await tx.practiceStaffMember.update({ where: { id: member.id }, data: { role } });
      await recordEvent(tx, 'partneraccess.practice.role-changed.v1', {
        aggregateId: `${partnerFirmId}:${userId}`,
        data: { partnerFirmId, userId, from: member.role, to: role, actorUserId },
      });
    });
  }

  /**
   * PS-3: removal is for someone who holds nothing this firm delegated; anyone else is offboarded,
   * so nothing they hold is stranded. What they hold of their own (their employer) is not the
   * firm's business. Their open offers from the firm are revoked.
   */
  async remove(actorUserId: string, partnerFirmId: string, userId: string) {
    const { member, memberships, invitations } = await this.delegatedTo(partnerFirmId, userId);
    if (member.role === 'ACCOUNT_OWNER') throw refuse('conflict', 'The Account Owner cannot be removed.');
    if (memberships.length > 0) {
      const n = memberships.length;
      throw refuse(
        'conflict',
        `This user still has access to ${n} client organization${n === 1 ? '' : 's'} through this firm: offboard ` +
          'them with a replacement (POST /partner-firms/{id}/offboardings).',
      );
    }
    await this.db.$transaction(async (tx) => {
      await tx.practiceStaffMember.delete({ where: { id: member.id } });
      await recordEvent(tx, 'partneraccess.practice.staff-removed.v1', {
        aggregateId: `${partnerFirmId}:${userId}`,
        data: { partnerFirmId, userId, actorUserId, offboardingId: null },
      });
    });
    await revokeOffers(this.deps.invitations, invitations, actorUserId);
  }

  /**
   * PS-4: one invitation per organization, each checked first: a relationship in force, a role within
   * its ceiling, and a manager granting to someone else on the staff. Nothing is sent unless every
   * organization passes, so a refused request leaves nothing behind.
   */
  async offerOrganizationAccess(
    actorUserId: string,
    partnerFirmId: string,
    userId: string,
    offers: OrganizationOffer[],
  ) {
    const member = await this.member(partnerFirmId, userId);
    const checked = [];
    for (const offer of offers) {
      const delegation = {
        partnerFirmId,
        organizationId: offer.organizationId,
        role: offer.role,
        granterId: actorUserId,
        inviteeId: userId,
      };
      const { refused, relationship } = await checkDelegation(this.db, delegation);
      if (refused) {
        const kind = refused.kind === 'not-allowed' ? 'forbidden' : 'unprocessable';
        throw refuse(kind, `${refused.message} (${offer.organizationId})`);
      }
      checked.push({ offer, relationship });
    }
    const [first, ...rest] = member.user.displayName.split(' ');
    const opened = [];
    for (const { offer, relationship } of checked) {
      opened.push(
        await this.deps.invitations.open({
          kind: 'ORGANIZATION_ACCESS',
          scopeId: offer.organizationId,
          invitee: {
            email: member.user.email,
            firstName: first || member.user.displayName,
            lastName: rest.join(' ') || '-',
          },
          invitedByUserId: actorUserId,
          offer: {
            role: offer.role,
            partnerFirmId,
            clientRelationshipId: relationship.id,
            ...(offer.until ? { until: offer.until } : {}),
          },
        }),
      );
    }
    return opened;
  }

  /** PS-5: checked here first for a clear answer; the workflow's first activity checks again. */
  replacementProblem(partnerFirmId: string, userId: string, replacementUserId: string) {
    return replacementProblem(this.db, partnerFirmId, userId, replacementUserId);
  }

  /** PS-6: each staff user's certification: certified (with date), invited, or not. */
  async certifications(partnerFirmId: string) {
    const staff = await this.db.practiceStaffMember.findMany({
      where: { partnerFirmId },
      include: { user: true },
      orderBy: { createdAt: 'asc' },
    });
    const ids = staff.map((s) => s.userId);
    const [certificates, invites] = await Promise.all([
      this.db.certification.findMany({ where: { userId: { in: ids } } }),
      this.db.certificationInvite.findMany({ where: { userId: { in: ids }, partnerFirmId } }),
    ]);
    return staff.map((s) => {
      const certificate = certificates.find((c) => c.userId === s.userId);
      const invite = invites.find((i) => i.userId === s.userId);
      return {
        userId: s.userId,
        name: s.user.displayName,
        status: certificate ? ('CERTIFIED' as const) : invite ? ('INVITED' as const) : ('NOT_CERTIFIED' as const),
        certifiedAt: certificate?.certifiedAt.toISOString() ?? null,
        invitedAt: invite?.sentAt.toISOString() ?? null,
        certificateId: certificate?.id ?? null,
      };
    });
  }

  /** PS-6: emails the users who are not certified; the certified ones are skipped. */
  async inviteToCertification(actorUserId: string, partnerFirmId: string, userIds: string[]) {
    const outcomes: Array<{ userId: string; outcome: 'invited' | 'already-certified' }> = [];
    for (const userId of userIds) {
      const member = await this.member(partnerFirmId, userId);
      if (await this.db.certification.findUnique({ where: { userId } })) {
        outcomes.push({ userId, outcome: 'already-certified' });
        continue;
      }
      await this.db.$transaction(async (tx) => {
        const data = { userId, partnerFirmId, invitedById: actorUserId, sentAt: new Date() };
        await tx.certificationInvite.upsert({
          where: { userId_partnerFirmId: { userId, partnerFirmId } },
          create: data,
          update: data,
        });
        await recordEvent(tx, 'partneraccess.practice.certification-invited.v1', {
          aggregateId: `${partnerFirmId}:${userId}`,
          data: { partnerFirmId, userId, actorUserId },
        });
      });
      const subject = `You are invited to the ${CERTIFICATION_PROGRAM} certification`;
      await this.deps.mailer.send({
        to: member.user.email,
        subject,
        ...composeEmail({
          title: subject,
          greeting: `Hello ${member.user.displayName},`,
          paragraphs: [
            `Your practice invites you to take the ${CERTIFICATION_PROGRAM} ` +
              'certification. Once you pass, your certificate can be downloaded from Practice Staff.',
          ],
        }),
      });
      outcomes.push({ userId, outcome: 'invited' });
    }
    return outcomes;
  }

  /** PS-6: the certificate as a PDF generated on request. */
  async certificate(partnerFirmId: string, userId: string) {
    const member = await this.member(partnerFirmId, userId);
    const certification = await this.db.certification.findUnique({ where: { userId } });
    if (!certification) {
      throw refuse(
        'conflict',
        `${member.user.displayName} is not certified, so there is no certificate. ` +
          'Invite them to the certification first.',
      );
    }
    const firm = await this.db.partnerFirm.findUniqueOrThrow({ where: { id: partnerFirmId } });
    const pdf = await renderCertificatePdf({
      name: member.user.displayName,
      program: certification.program,
      certifiedAt: certification.certifiedAt,
      certificateId: certification.id,
      firmName: firm.name,
    });
    return { certificateId: certification.id, pdf };
  }
}
