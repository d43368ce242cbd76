// Activities of the invitation workflow: open it, send a link, record a transition (granting what
// was offered on accept). Each is idempotent: keyed by the workflow's send number or transition
// counter, a retry changes nothing that already happened.
import { permanent } from './permanent';
import type { InvitationKind as Kind, InvitationState as State, Prisma } from '@prisma/client';
import type { Database } from '../platform/database';
import type { Mailer } from '../platform/mail';
import { composeEmail } from '../platform/email-layout';
import { recordEvent } from '../events/outbox';
import { hashToken, newToken } from '../platform/secrets';
import type { EventType } from '../domain/events';
import type { InvitationChangedV1 } from '../domain/messages/events/invitation.v1';
import { InvitationRefusal } from '../workflows/invitation/messages';
import { grantDelegation } from '../domain/delegation';
import { offerOf } from '../domain/messages/values/invitation-offer';
import { Authorizer } from '../domain/authorization/authorizer';

type Tx = Prisma.TransactionClient;
type SendKind = 'INITIAL' | 'RESEND' | 'RENEWAL' | 'REMINDER';

interface Base {
  invitationId: string;
  workflowId: string;
  kind: Kind;
}

export interface OpenInvitation extends Base {
  scopeId: string;
  invitee: { email: string; firstName: string; lastName: string };
  invitedByUserId: string | null;
  offer: Record<string, string>;
  details: Record<string, string>;
  expiresAt: string;
}

export interface InvitationTransition extends Base {
  transition: number;
  from: State;
  to: State;
  reason: string;
  actorUserId: string | null;
  acceptedUserId: string | null;
}

type Refused = { reason: string; message: string };

/** What each kind does when the invitation opens, when it is accepted, and when it ends unaccepted. */
const KINDS: Record<
  Kind,
  {
    open(tx: Tx, o: OpenInvitation): Promise<{ targetId: string | null } | { refused: Refused }>;
    grant(tx: Tx, row: InvitationRow, userId: string): Promise<void>;
    release(tx: Tx, row: InvitationRow): Promise<void>;
    /** The list's name for emails, and what the link offers, in the invitee's words. */
    scope(db: Tx | Database, scopeId: string): Promise<{ name: string; invitedTo: string }>;
    email(scopeName: string): { subject: string; action: string };
  }
> = {
  // BP-1: a person of a business partner company; accepting connects their account.
  BUSINESS_PARTNER: {
    async open(tx, opening) {
      const taken = await tx.businessPartner.findUnique({
        where: { companyId_email: { companyId: opening.scopeId, email: opening.invitee.email } },
      });
      if (taken)
        return {
          refused: { reason: 'already-added', message: 'This person is already on this business partner company.' },
        };
      const businessPartner = await tx.businessPartner.create({
        data: {
          companyId: opening.scopeId,
          email: opening.invitee.email,
          firstName: opening.invitee.firstName,
          lastName: opening.invitee.lastName,
          status: 'INVITED',
        },
      });
      return { targetId: businessPartner.id };
    },
    async grant(tx, row, userId) {
      await tx.businessPartner.update({ where: { id: row.targetId! }, data: { status: 'ACTIVE', userId } });
    },
    async release(tx, row) {
      await tx.businessPartner.deleteMany({ where: { id: row.targetId!, status: 'INVITED' } });
    },
    async scope(db, scopeId) {
      const partnerCompany = await db.businessPartnerCompany.findUnique({ where: { id: scopeId } });
      const org = partnerCompany
        ? await db.organization.findUnique({ where: { id: partnerCompany.organizationId } })
        : null;
      const name = partnerCompany?.name ?? 'a business partner company';
      return {
        name,
        invitedTo:
          `work with ${org?.name ?? 'an organization'} ` +
          `as a business partner (${partnerCompany?.name ?? 'partner company'})`,
      };
    },
    email: (company) => ({
      subject: `You are invited to work with us as a business partner (${company})`,
      action: 'accept the invitation',
    }),
  },
  // PP-1, PP-2: a partner user; the email is unique across the portal (the PortalEmail key).
  PORTAL_USER: {
    async open(tx, opening) {
      const claimed = await tx.$executeRaw`
        insert into "PortalEmail" (email, "ownerType", "ownerId")
        values (${opening.invitee.email}, 'portal-partner-user', ${opening.invitationId}::uuid)
        on conflict do nothing`;
      if (claimed === 0) {
        return {
          refused: {
            reason: 'duplicate-email',
            message:
              'This email already belongs to a partner or partner user in the portal. One email is one account. ' +
              'If it was registered by mistake, ask support to free it.',
          },
        };
      }
      const partnerUser = await tx.portalPartnerUser.create({
        data: {
          portalPartnerId: opening.scopeId,
          email: opening.invitee.email,
          firstName: opening.invitee.firstName,
          lastName: opening.invitee.lastName,
          phone: opening.details.phone,
          status: 'INVITED',
        },
      });
      await tx.portalEmail.update({ where: { email: opening.invitee.email }, data: { ownerId: partnerUser.id } });
      return { targetId: partnerUser.id };
    },
    async grant(tx, row, userId) {
      await tx.portalPartnerUser.update({ where: { id: row.targetId! }, data: { status: 'ACTIVE', userId } });
    },
    async release(tx, row) {
      // The email is free again for whoever should have it.
      const gone = await tx.portalPartnerUser.deleteMany({ where: { id: row.targetId!, status: 'INVITED' } });
      if (gone.count > 0) await tx.portalEmail.deleteMany({ where: { ownerId: row.targetId! } });
    },
    async scope(db, scopeId) {
      const name = (await db.portalPartner.findUnique({ where: { id: scopeId } }))?.name ?? 'a partner';
      return { name, invitedTo: `the partner portal, as a user of ${name}` };
    },
    email: (partner) => ({
      subject: `Set your password for the partner portal (${partner})`,
      action: 'set your password and finish setting up your account',
    }),
  },
  // PS-2: a place on a partner firm's Practice Staff, with the offered role.
  PRACTICE_STAFF: {
    async open(tx, opening) {
      const member = await tx.practiceStaffMember.findFirst({
        where: { partnerFirmId: opening.scopeId, user: { email: opening.invitee.email } },
      });
      if (member)
        return { refused: { reason: 'already-staff', message: 'This person is already on the Practice Staff.' } };
      return { targetId: null };
    },
    async grant(tx, row, userId) {
      const { role } = offerOf('PRACTICE_STAFF', row.offer);
      await tx.practiceStaffMember.upsert({
        where: { userId_partnerFirmId: { userId, partnerFirmId: row.scopeId } },
        create: { userId, partnerFirmId: row.scopeId, role },
        update: {},
      });
    },
    async release() {},
    async scope(db, scopeId) {
      const name = (await db.partnerFirm.findUnique({ where: { id: scopeId } }))?.name ?? 'a partner firm';
      return { name, invitedTo: `the Practice Staff of ${name}` };
    },
    email: (firm) => ({ subject: `Join the Practice Staff of ${firm}`, action: 'join the Practice Staff' }),
  },
  // PS-4: access to one of the partner firm's client organizations, with an organization role.
  ORGANIZATION_ACCESS: {
    async open(tx, opening) {
      const member = await tx.membership.findFirst({
        where: { organizationId: opening.scopeId, user: { email: opening.invitee.email } },
      });
      if (member)
        return {
          refused: { reason: 'already-member', message: 'This person already has access to this organization.' },
        };
      return { targetId: null };
    },
    // AM-2: the offer is checked again now. Since it was sent the relationship may have ended or
    // shrunk, the invitee may have left the staff, the inviter may have lost the right to grant.
    async grant(tx, row, userId) {
      const offer = offerOf('ORGANIZATION_ACCESS', row.offer);
      const role = offer.role;
      const withdrawn = (message: string) => permanent(InvitationRefusal.grantWithdrawn, message);
      if (!row.invitedById) throw withdrawn('This offer names nobody who made it; ask for a new one.');
      const granted = await grantDelegation(tx, {
        partnerFirmId: offer.partnerFirmId,
        organizationId: row.scopeId,
        role,
        granterId: row.invitedById,
        inviteeId: userId,
        invitationId: row.id,
        expiresAt: offer.until ? new Date(offer.until) : undefined,
      });
      if ('refused' in granted) throw withdrawn(granted.refused);
    },
    async release() {},
    async scope(db, scopeId) {
      const name = (await db.organization.findUnique({ where: { id: scopeId } }))?.name ?? 'an organization';
      return { name, invitedTo: `work in ${name} for your partner firm` };
    },
    email: (org) => ({ subject: `You are invited to work in ${org}`, action: `accept access to ${org}` }),
  },
  // PA-3: a user of a customer account, created from its partner account or by its own org admins:
  // the customer's own user (AM-1: OWN), with who created it on record.
  CUSTOMER_USER: accountPlace({
    source: 'OWN',
    decidedBy: 'manageCustomerUsers',
    invitedTo: (org) => `join ${org} as one of its users`,
    email: (org) => ({ subject: `Your account at ${org} is ready`, action: `set up your account at ${org}` }),
  }),
  // PA-5: a partner user invited by the customer as a guest: in only when switched in.
  ACCOUNT_GUEST: accountPlace({
    source: 'GUEST',
    decidedBy: 'inviteAccountGuest',
    invitedTo: (org) => `work in ${org} as a guest, by switching into it from your partner account`,
    email: (org) => ({ subject: `${org} invites you as a guest`, action: `accept the guest invitation to ${org}` }),
  }),
};

/**
 * A place in a customer account (PA-3, PA-5): a membership of the kind's source with the offered role.
 * A person already in the account is not invited into it again; whoever invited must still be allowed.
 */
function accountPlace(o: {
  source: 'OWN' | 'GUEST';
  decidedBy: 'manageCustomerUsers' | 'inviteAccountGuest';
  invitedTo: (org: string) => string;
  email: (org: string) => { subject: string; action: string };
}) {
  return {
    async open(tx: Tx, invitation: OpenInvitation) {
      const member = await tx.membership.findFirst({
        where: { organizationId: invitation.scopeId, user: { email: invitation.invitee.email } },
      });
      if (member) {
        return { refused: { reason: 'already-member', message: 'This person is already a user of this account.' } };
      }
      return { targetId: null };
    },
    async grant(tx: Tx, row: InvitationRow, userId: string) {
      await stillAllowed(tx, row, o.decidedBy);
      const { role } = offerOf(row.kind as 'CUSTOMER_USER' | 'ACCOUNT_GUEST', row.offer);
      await tx.membership.create({
        data: {
          userId,
          organizationId: row.scopeId,
          role,
          source: o.source,
          grantedById: row.invitedById,
          invitationId: row.id,
        },
      });
    },
    async release() {},
    async scope(db: Tx | Database, scopeId: string) {
      const name = (await db.organization.findUnique({ where: { id: scopeId } }))?.name ?? 'an account';
      return { name, invitedTo: o.invitedTo(name) };
    },
    email: o.email,
  };
}

/**
 * AM-3 at accept time: whoever sent the invitation must still be allowed to, now (a partner's
 * automatic access may have ended by ticket, an org admin may have left, the account may be
 * suspended). The decision point decides, inside the accepting transaction.
 */
async function stillAllowed(tx: Tx, row: InvitationRow, action: 'manageCustomerUsers' | 'inviteAccountGuest') {
  const withdrawn = (message: string) => permanent(InvitationRefusal.grantWithdrawn, message);
  if (!row.invitedById) throw withdrawn('This invitation names nobody who sent it; ask for a new one.');
  const decision = await new Authorizer(tx).decide({
    principalId: row.invitedById,
    action,
    resource: { type: 'Organization', id: row.scopeId },
  });
  if (!decision.allowed) {
    throw withdrawn(
      'Whoever invited you may no longer do so for this account; ask the account for a new invitation.',
    );
  }
}

type InvitationRow = Prisma.InvitationGetPayload<object>;

/** Whose list an invitation is on, by name, and what its link offers (emails and the link page). */
export function describeInvitationScope(db: Database, row: Pick<InvitationRow, 'kind' | 'scopeId'>) {
  return KINDS[row.kind].scope(db, row.scopeId);
}

const eventData = (row: InvitationRow, extra: Partial<InvitationChangedV1> = {}): InvitationChangedV1 => ({
  invitationId: row.id,
  kind: row.kind,
  scopeId: row.scopeId,
  state: row.state,
  sendNumber: null,
  expiresAt: row.state === 'PENDING' ? row.expiresAt.toISOString() : null,
  actorUserId: null,
  acceptedUserId: row.acceptedUserId,
  ...extra,
});

/** The email's button says what the sentence says: "accept the invitation" becomes "Accept the invitation". */
const capitalized = (words: string) => words.charAt(0).toUpperCase() + words.slice(1);

const SEND_EVENT: Record<SendKind, EventType> = {
  INITIAL: 'partneraccess.invitation.sent.v1',
  RESEND: 'partneraccess.invitation.resent.v1',
  RENEWAL: 'partneraccess.invitation.sent.v1',
  REMINDER: 'partneraccess.invitation.reminded.v1',
};

function transitionEvent(from: State, to: State): EventType {
  if (to === 'PENDING')
    return from === 'EXPIRED' ? 'partneraccess.invitation.renewed.v1' : 'partneraccess.invitation.created.v1';
  return `partneraccess.invitation.${to.toLowerCase()}.v1` as EventType;
}

export function invitationActivities(db: Database, mailer: Mailer, publicBaseUrl: string) {
  return {
    /** The invitation row, the kind's own record and the `created` event, in one transaction; or a refusal. */
    async openInvitation(opening: OpenInvitation): Promise<{ refused: Refused | null }> {
      return db.$transaction(async (tx) => {
        if (await tx.invitation.findUnique({ where: { id: opening.invitationId } })) return { refused: null };
        const opened = await KINDS[opening.kind].open(tx, opening);
        if ('refused' in opened) return { refused: opened.refused };
        const row = await tx.invitation.create({
          data: {
            id: opening.invitationId,
            workflowId: opening.workflowId,
            kind: opening.kind,
            state: 'PENDING',
            email: opening.invitee.email,
            firstName: opening.invitee.firstName,
            lastName: opening.invitee.lastName,
            invitedById: opening.invitedByUserId,
            scopeId: opening.scopeId,
            targetId: opened.targetId,
            offer: opening.offer,
            expiresAt: new Date(opening.expiresAt),
            reason: 'Sent; waiting for the invitee to accept.',
            transition: 1,
          },
        });
        await recordEvent(tx, 'partneraccess.invitation.created.v1', {
          aggregateId: row.id,
          data: eventData(row, { actorUserId: opening.invitedByUserId }),
        });
        return { refused: null };
      });
    },

    /**
     * A fresh link: a new token whose hash replaces the old one (the old link is dead at once), the
     * send recorded under the workflow's send number, then the email. A retry makes yet another
     * token and re-sends: only the newest email's link works, and the history counts the send once.
     */
    async sendInvitation(
      a: Base & { number: number; sendKind: SendKind; expiresAt: string },
    ): Promise<{ tokenHash: string }> {
      const token = newToken();
      const tokenHash = hashToken(token);
      const row = await db.$transaction(async (tx) => {
        // A retried send updates its own row (new link), so the history counts it once.
        const [{ inserted }] = await tx.$queryRaw<Array<{ inserted: boolean }>>`
          insert into "InvitationSend" ("invitationId", number, kind, "tokenHash")
          values (${a.invitationId}::uuid, ${a.number}, ${a.sendKind}::"InvitationSendKind", ${tokenHash})
          on conflict ("invitationId", number) do update set "tokenHash" = excluded."tokenHash", "sentAt" = now()
          returning (xmax = 0) as inserted`;
        const now = new Date();
        const counted = inserted && a.sendKind !== 'REMINDER';
        const current = await tx.invitation.findUniqueOrThrow({ where: { id: a.invitationId } });
        const updated = await tx.invitation.update({
          where: { id: a.invitationId },
          data: {
            tokenHash,
            expiresAt: new Date(a.expiresAt),
            ...(counted
              ? { sendCount: { increment: 1 }, lastSentAt: now, firstSentAt: current.firstSentAt ?? now }
              : {}),
            ...(a.sendKind === 'REMINDER' ? { remindedAt: now } : {}),
          },
        });
        if (inserted)
          await recordEvent(tx, SEND_EVENT[a.sendKind], {
            aggregateId: a.invitationId,
            data: eventData(updated, { sendNumber: a.number }),
          });
        return updated;
      });
      const { name } = await describeInvitationScope(db, row);
      const { subject, action } = KINDS[row.kind].email(name);
      // The hosted page: it shows the invitation and accepts or declines it through the API.
      const link = `${publicBaseUrl}/invite/${row.id}?token=${token}`;
      const until = row.expiresAt.toUTCString();
      const reminder = a.sendKind === 'REMINDER';
      const fullSubject = reminder ? `Reminder: ${subject}` : subject;
      const { text, html } = composeEmail({
        title: fullSubject,
        greeting: `Hello ${row.firstName},`,
        paragraphs: reminder
          ? [`Your invitation expires on ${until}. This email carries a fresh link; earlier links no longer work.`]
          : [],
        action: { label: capitalized(action), lead: `Open this link to ${action}:`, url: link },
        after: [
          `The link works once and until ${until}. ` +
            'If you did not expect this, ignore this email or decline the invitation from the link.',
        ],
      });
      await mailer.send({
        to: row.email,
        subject: fullSubject,
        text,
        html,
        messageId: `<invitation-${row.id}-${a.number}@partner-access.example>`,
      });
      return { tokenHash };
    },

    /**
     * The state, what it grants or releases, and its event, in one transaction; a transition already applied
     * is skipped.
     */
    async recordInvitationTransition(
      t: InvitationTransition,
    ): Promise<{ applied: boolean; acceptedUserId: string | null }> {
      return db.$transaction(async (tx) => {
        const row = await tx.invitation.findUniqueOrThrow({ where: { id: t.invitationId } });
        if (row.transition >= t.transition) return { applied: false, acceptedUserId: row.acceptedUserId };
        let acceptedUserId = row.acceptedUserId;
        if (t.to === 'ACCEPTED') {
          acceptedUserId = await accountFor(tx, row, t.acceptedUserId);
          await KINDS[row.kind].grant(tx, row, acceptedUserId);
        }
        if (t.to === 'REJECTED' || t.to === 'REVOKED') await KINDS[row.kind].release(tx, row);
        const updated = await tx.invitation.update({
          where: { id: row.id },
          data: {
            state: t.to,
            reason: t.reason,
            transition: t.transition,
            acceptedUserId,
            ...(t.to === 'PENDING' ? {} : { tokenHash: null }),
          },
        });
        await recordEvent(tx, transitionEvent(t.from, t.to), {
          aggregateId: row.id,
          data: eventData(updated, { actorUserId: t.actorUserId }),
        });
        return { applied: true, acceptedUserId };
      });
    },

    /** The renewal window closed on an expired invitation: what it held is let go. */
    async releaseInvitation(a: Base): Promise<void> {
      await db.$transaction(async (tx) => {
        const row = await tx.invitation.findUniqueOrThrow({ where: { id: a.invitationId } });
        await KINDS[row.kind].release(tx, row);
      });
    },
  };
}

/**
 * The account that accepts: the signed-in user (the API checked it is the invitee's), the existing
 * account with the invitee's email, or a new one with the password chosen while accepting.
 */
async function accountFor(tx: Tx, row: InvitationRow, signedInUserId: string | null): Promise<string> {
  const existing = await tx.user.findUnique({ where: { email: row.email }, select: { id: true, status: true } });
  const credential = await tx.pendingCredential.findUnique({ where: { invitationId: row.id } });
  if (credential) await tx.pendingCredential.delete({ where: { invitationId: row.id } });
  if (existing) {
    if (signedInUserId !== existing.id) {
      throw permanent(
        InvitationRefusal.needsPassword,
        'An account with this email exists: sign in as that account, then accept.',
      );
    }
    return existing.id;
  }
  if (!credential) {
    throw permanent(InvitationRefusal.needsPassword, 'Choose a password to create your account while accepting.');
  }
  const user = await tx.user.create({
    data: {
      email: row.email,
      displayName: `${row.firstName} ${row.lastName}`,
      passwordHash: credential.passwordHash,
    },
  });
  return user.id;
}
