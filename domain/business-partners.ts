// BP-1, BP-2: an employee adds a business partner company and its people to their own list; each
// person with an account is connected at once, anyone else invited (the invitation workflow).
// BP-5, BP-6: what happens to the company once it is on the list: its people's profiles and rights are
// edited, the inviter blocks and unblocks it or deletes it, and one of its own admins takes full control
// of it, for good. Who may do each is the policy decision point's (policies/business-partners.cedar);
// what the company's state allows is decided here, on the row, inside the transaction that changes it,
// so a block and a take-control racing each other cannot both land. Every change is one transaction
// with its event; a block and a take-control also with their audit entry.
import type { z } from 'zod';
import type { Prisma } from '@prisma/client';
import type { Database } from '../platform/database';
import { recordEvent } from '../events/outbox';
import type { AddBusinessPartnerPeopleV1, EditBusinessPartnerV1 } from './messages/commands/business-partners.v1';
import type { InvitationsClient } from '../workflows/invitation/client';
import type { BusinessPartnerAddOutcomeV1 } from './messages/queries/business-partners.v1';
import { UseCaseRefusal } from './refusal';

export type PartnerChanges = z.infer<typeof EditBusinessPartnerV1>;
type Tx = Prisma.TransactionClient;

/** The detail of every refusal because the partner took control (the policy's, and a race's). */
export const PARTNER_IN_CONTROL =
  "This business partner took full control of their organization's account: the employee who added it " +
  'can no longer edit its people, block it, add people to it or delete it. Control cannot be handed back.';

/** BP-6: the inviter acted on a company whose partner took control a moment before (the policy said yes). */
export class PartnerInControl extends UseCaseRefusal {
  constructor() {
    super('partner-in-control', PARTNER_IN_CONTROL);
  }
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** BP-6: who acts for a company: its people with ADMIN rights, connected to their own active account. */
export const connectedAdmin = {
  rights: 'ADMIN',
  status: 'ACTIVE',
  userId: { not: null },
} satisfies Prisma.BusinessPartnerWhereInput;

/** BP-1, BP-2: what became of one person added to a company (the API's answer for them). */
export type PersonAdded = BusinessPartnerAddOutcomeV1;

type People = z.infer<typeof AddBusinessPartnerPeopleV1>['people'];

export class BusinessPartners {
  constructor(
    private readonly db: Database,
    private readonly invitations: InvitationsClient,
  ) {}

  /** BP-1: a company on the employee's own list, with its first people (addPeople). */
  async addCompany(
    actorUserId: string,
    company: { organizationId: string; name: string },
    people: People,
  ): Promise<{ companyId: string; results: PersonAdded[] }> {
    const { id } = await this.db.businessPartnerCompany.create({
      data: { organizationId: company.organizationId, ownerUserId: actorUserId, name: company.name },
    });
    return { companyId: id, results: await this.addPeople(actorUserId, id, people) };
  }

  /**
   * BP-1, BP-2, BP-5: each person is connected (an active account has their email: no invitation),
   * invited (the invitation workflow), or already on the company. One after another, in the order
   * given; a person connected stays connected if a later one's invitation is refused.
   */
  async addPeople(actorUserId: string, companyId: string, people: People): Promise<PersonAdded[]> {
    const results: PersonAdded[] = [];
    for (const person of people) {
      const answer = (outcome: PersonAdded['outcome'], message: string, invitationId: string | null = null) =>
        results.push({ email: person.email, outcome, message, invitationId });
      const account = await this.db.user.findUnique({
        where: { email: person.email },
        select: { id: true, status: true },
      });
      if (account?.status === 'ACTIVE') {
        if (await this.connect(actorUserId, companyId, person, account.id))
          answer('connected', 'An account already exists for this email: connected to it, no invitation sent.');
        else answer('already-added', 'Already on this company.');
        continue;
      }
      const { view } = await this.invitations.open({
        kind: 'BUSINESS_PARTNER',
        scopeId: companyId,
        invitee: person,
        invitedByUserId: actorUserId,
      });
      if (view.refused) answer('already-added', view.refused.message);
      else answer('invited', 'Invitation sent.', view.invitationId);
    }
    return results;
  }

  /** BP-2: the person, connected to their account at once, with its event; false if already on the company. */
  private async connect(actorUserId: string, companyId: string, person: People[number], userId: string) {
    return this.db.$transaction(async (tx) => {
      const exists = await tx.businessPartner.findUnique({
        where: { companyId_email: { companyId, email: person.email } },
      });
      if (exists) return false;
      const partner = await tx.businessPartner.create({
        data: {
          companyId,
          email: person.email,
          firstName: person.firstName,
          lastName: person.lastName,
          userId,
          status: 'ACTIVE',
        },
      });
      await recordEvent(tx, 'partneraccess.business-partner.connected.v1', {
        aggregateId: partner.id,
        data: { businessPartnerId: partner.id, companyId, userId, actorUserId },
      });
      return true;
    });
  }

  /**
   * BP-5, BP-6: edits a partner's profile and rights; answers the company's id. Only what differs is
   * an edit: sending the same values changes nothing and records nothing.
   */
  async edit(actorUserId: string, businessPartnerId: string, changes: PartnerChanges): Promise<string> {
    return this.db.$transaction(async (tx) => {
      const before = await tx.businessPartner.findUnique({ where: { id: businessPartnerId } });
      if (!before) throw new UseCaseRefusal('not-found', 'No such business partner.');
      const fields = (Object.keys(changes) as Array<keyof PartnerChanges>).filter((f) => changes[f] !== before[f]);
      if (fields.length === 0) return before.companyId;
      const connected = before.userId !== null && before.status === 'ACTIVE';
      if (fields.includes('rights') && changes.rights === 'MEMBER' && connected) await this.keepAnAdmin(tx, before);
      const after = await tx.businessPartner.update({ where: { id: before.id }, data: changes });
      await recordEvent(tx, 'partneraccess.business-partner.edited.v1', {
        aggregateId: after.id,
        data: { businessPartnerId: after.id, companyId: after.companyId, fields, rights: after.rights, actorUserId },
      });
      return after.companyId;
    });
  }

  /**
   * BP-6: a company in its partner's control keeps someone who can act for it, so its last connected
   * admin stays one. The company's row is locked first: two admins demoting each other at once take
   * turns, and the second finds itself the last.
   */
  private async keepAnAdmin(tx: Tx, partner: { id: string; companyId: string }): Promise<void> {
    await tx.$executeRaw`select 1 from "BusinessPartnerCompany" where id = ${partner.companyId}::uuid for update`;
    const company = await tx.businessPartnerCompany.findUniqueOrThrow({ where: { id: partner.companyId } });
    if (!company.controlledAt) return;
    const others = await tx.businessPartner.count({
      where: { ...connectedAdmin, companyId: company.id, id: { not: partner.id } },
    });
    if (others === 0) {
      throw new UseCaseRefusal(
        'conflict',
        `"${company.name}" is in its own control and this is its last admin with an account: make someone else an ` +
          'admin first, or nobody could manage its people.',
      );
    }
  }

  /** BP-5: the inviter blocks the company: its people see nothing shared with them until unblocked. */
  block(actorUserId: string, companyId: string) {
    return this.setBlocked(actorUserId, companyId, true);
  }

  /** BP-5: the inviter unblocks the company: what was shared with its people counts again. */
  unblock(actorUserId: string, companyId: string) {
    return this.setBlocked(actorUserId, companyId, false);
  }

  private async setBlocked(actorUserId: string, companyId: string, blocked: boolean): Promise<void> {
    await this.db.$transaction(async (tx) => {
      // On the row, in one statement: a block cannot land on a company whose partner just took control.
      const { count } = await tx.businessPartnerCompany.updateMany({
        where: { id: companyId, controlledAt: null, blockedAt: blocked ? null : { not: null } },
        data: { blockedAt: blocked ? new Date() : null },
      });
      const company = await tx.businessPartnerCompany.findUnique({ where: { id: companyId } });
      if (!company) throw new UseCaseRefusal('not-found', 'No such business partner company.');
      if (count === 0) {
        if (company.controlledAt) throw new PartnerInControl();
        throw new UseCaseRefusal(
          'conflict',
          blocked
            ? `"${company.name}" is already blocked (since ${day(company.blockedAt!)}).`
            : `"${company.name}" is not blocked.`,
        );
      }
      const audit = await tx.auditEntry.create({
        data: {
          actorId: actorUserId,
          action: blocked ? 'business-partner-company.blocked' : 'business-partner-company.unblocked',
          subjectId: company.id,
          detail: { organizationId: company.organizationId, ownerUserId: company.ownerUserId },
        },
      });
      const type = blocked
        ? 'partneraccess.business-partner.company-blocked.v1'
        : 'partneraccess.business-partner.company-unblocked.v1';
      await recordEvent(tx, type, {
        aggregateId: company.id,
        data: {
          companyId: company.id,
          organizationId: company.organizationId,
          blocked,
          actorUserId,
          auditEntryId: audit.id,
        },
      });
    });
  }

  /**
   * BP-6: one of the company's own connected admins takes full control of it, confirmed by typing its
   * exact name. It cannot be undone: taking it again is a conflict, and the database refuses any
   * change of the control once set. Not while the company is blocked: control would make the block
   * one that nobody may ever lift.
   */
  async takeControl(actorUserId: string, companyId: string, confirmName: string): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const company = await tx.businessPartnerCompany.findUnique({ where: { id: companyId } });
      if (!company) throw new UseCaseRefusal('not-found', 'No such business partner company.');
      if (company.controlledAt) {
        throw new UseCaseRefusal(
          'conflict',
          `"${company.name}" has been in its own control since ${day(company.controlledAt)}; that is for good.`,
          { controlledAt: company.controlledAt.toISOString() },
        );
      }
      if (company.blockedAt) {
        throw new UseCaseRefusal(
          'conflict',
          `"${company.name}" is blocked by the employee who added it; control cannot be taken while it is blocked.`,
        );
      }
      if (confirmName !== company.name) {
        throw new UseCaseRefusal(
          'unprocessable',
          `Taking full control of "${company.name}" cannot be undone: the employee who added it will no longer ` +
            'edit its people, block it or add people to it. To confirm, send its exact name as confirmName.',
        );
      }
      const where = { ...connectedAdmin, companyId, userId: actorUserId };
      const admin = await tx.businessPartner.findFirst({ where });
      if (!admin) throw new UseCaseRefusal('forbidden', 'Only an admin of this company takes control of it.');
      const controlledAt = new Date();
      // On the row, in one statement: of two admins at once, or a block at the same moment, one wins.
      const { count } = await tx.businessPartnerCompany.updateMany({
        where: { id: companyId, controlledAt: null, blockedAt: null },
        data: { controlledAt, controlledById: actorUserId },
      });
      if (count === 0) {
        throw new UseCaseRefusal('conflict', `"${company.name}" was taken control of, or blocked, a moment ago.`);
      }
      const audit = await tx.auditEntry.create({
        data: {
          actorId: actorUserId,
          action: 'business-partner-company.control-taken',
          subjectId: company.id,
          detail: {
            organizationId: company.organizationId,
            ownerUserId: company.ownerUserId,
            businessPartnerId: admin.id,
            confirmedName: confirmName,
          },
        },
      });
      await recordEvent(tx, 'partneraccess.business-partner.company-control-taken.v1', {
        aggregateId: company.id,
        data: {
          companyId: company.id,
          organizationId: company.organizationId,
          ownerUserId: company.ownerUserId,
          businessPartnerId: admin.id,
          controlledById: actorUserId,
          controlledAt: controlledAt.toISOString(),
          auditEntryId: audit.id,
        },
      });
    });
  }

  /**
   * BP-5: deletes the company and its people for good, confirmed by typing its exact name; answers how
   * many people were on it. Its open invitations are revoked first (by `revoke`, the invitation
   * workflow's command), so nobody can accept into a company that is going away. BP-3: what its people
   * were shown goes with them, unless they are also a partner through another company of the
   * organization. BP-6: never a company in its own control, not even one taken a moment ago.
   */
  async deleteCompany(
    actorUserId: string,
    companyId: string,
    confirmName: string,
    revoke: (invitation: { id: string; workflowId: string }) => Promise<unknown>,
  ): Promise<number> {
    const company = await this.db.businessPartnerCompany.findUnique({ where: { id: companyId } });
    if (!company) throw new UseCaseRefusal('not-found', 'No such business partner company.');
    if (company.controlledAt) throw new PartnerInControl();
    if (confirmName !== company.name) {
      throw new UseCaseRefusal(
        'unprocessable',
        `Deleting "${company.name}" and its people cannot be undone. To confirm, send its exact name as confirmName.`,
      );
    }
    // Counted before the revocations, which take the invited people off the list.
    const people = await this.db.businessPartner.count({ where: { companyId } });
    const open = await this.db.invitation.findMany({
      where: { kind: 'BUSINESS_PARTNER', scopeId: companyId, state: { in: ['PENDING', 'EXPIRED'] } },
    });
    for (const invitation of open) await revoke(invitation);
    await this.db.$transaction(async (tx) => {
      const { organizationId } = company;
      const members = await tx.businessPartner.findMany({ where: { companyId }, select: { userId: true } });
      const userIds = members.flatMap((m) => (m.userId ? [m.userId] : []));
      const stillPartners = await tx.businessPartner.findMany({
        where: { userId: { in: userIds }, companyId: { not: companyId }, company: { organizationId } },
        select: { userId: true },
      });
      const leaving = userIds.filter((u) => !stillPartners.some((s) => s.userId === u));
      // On the row, in one statement: a take-control a moment ago wins over the delete.
      const { count } = await tx.businessPartnerCompany.deleteMany({ where: { id: companyId, controlledAt: null } });
      if (count === 0) {
        const still = await tx.businessPartnerCompany.count({ where: { id: companyId } });
        throw still ? new PartnerInControl() : new UseCaseRefusal('not-found', 'No such business partner company.');
      }
      await tx.taskGrant.deleteMany({ where: { userId: { in: leaving }, task: { organizationId } } });
      await recordEvent(tx, 'partneraccess.business-partner.company-deleted.v1', {
        aggregateId: companyId,
        data: { companyId, organizationId, ownerUserId: company.ownerUserId, people, actorUserId },
      });
    });
    return people;
  }
}
