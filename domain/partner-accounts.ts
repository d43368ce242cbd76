// PA-1 … PA-3: a partner account over its customer accounts. The use cases of the area, called alike
// by the routes and anything else that needs them; who may call them was decided before (AM-3).
//
// A partner account is a partner firm: its users are the firm's staff, its own licences are its
// training and demo space and never touch a customer's. A customer account is an organization whose
// CustomerAccount row names that firm. Seats are counted by the database: a conditional increment
// under the licence row's lock, with a CHECK behind it, so parallel assignments never over-assign.
import type { Licence, Prisma } from '@prisma/client';
import type { Database } from '../platform/database';
import { recordEvent } from '../events/outbox';
import { UseCaseRefusal } from './refusal';
import { endSessionsOf } from './session-validity';
import type {
  CustomerAccountExportV1,
  CustomerAccountV1,
  CustomerUserV1,
  LicenceV1,
} from './messages/queries/partner-accounts.v1';
import type {
  CreateCustomerUserV1,
  CustomerAccountFilterV1,
  EditCustomerUserV1,
} from './messages/commands/partner-accounts.v1';
import type { NewInvitation } from '../workflows/invitation/client';

type Tx = Prisma.TransactionClient;

export function licenceView(l: Licence): LicenceV1 {
  return {
    licenceId: l.id,
    solution: l.solution,
    type: l.type,
    seats: l.seats,
    seatsUsed: l.seatsUsed,
    seatsFree: l.seats - l.seatsUsed,
    contractStart: l.contractStart.toISOString(),
    contractExpiry: l.contractExpiry.toISOString(),
    nextRenewal: l.nextRenewal?.toISOString() ?? null,
  };
}

const byRenewal = (a: Date | null, b: Date | null) => (a && b ? a.getTime() - b.getTime() : a ? -1 : b ? 1 : 0);

/** The Accounts list's cursor: the last row's sort key (name, id), opaque to callers. */
const Cursor = {
  encode: (name: string, id: string) => Buffer.from(JSON.stringify([name, id])).toString('base64url'),
  decode(cursor: string): { name: string; id: string } {
    try {
      const [name, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
      if (typeof name === 'string' && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) return { name, id };
    } catch {
      // falls through to the refusal
    }
    throw new UseCaseRefusal(
      'unprocessable',
      'This cursor is not one this list gave out; start from the first page.',
    );
  },
};

export class PartnerAccounts {
  constructor(private readonly db: Database) {}

  /** PA-3: a new user of a customer account is an invitation through the invitation workflow. */
  static newUserInvitation(actorUserId: string, organizationId: string, person: CreateCustomerUserV1): NewInvitation {
    const { role, ...invitee } = person;
    return { kind: 'CUSTOMER_USER', scopeId: organizationId, invitee, invitedByUserId: actorUserId, offer: { role } };
  }

  /** PA-1: the My Account summary: users, licensed products, the earliest contract expiry, licences. */
  async summary(partnerFirmId: string) {
    const firm = await this.db.partnerFirm.findUniqueOrThrow({
      where: { id: partnerFirmId },
      include: { licences: { orderBy: { solution: 'asc' } }, _count: { select: { staff: true } } },
    });
    const expiries = firm.licences.map((l) => l.contractExpiry.getTime());
    return {
      partnerAccountId: firm.id,
      name: firm.name,
      userCount: firm._count.staff,
      licensedProducts: firm.licences.map((l) => l.solution),
      expiresAt: expiries.length ? new Date(Math.min(...expiries)).toISOString() : null,
      licences: firm.licences.map(licenceView),
    };
  }

  /** PA-1, PA-2: the licence summary of a customer account. */
  async customerLicences(organizationId: string): Promise<LicenceV1[]> {
    const licences = await this.db.licence.findMany({ where: { organizationId }, orderBy: { solution: 'asc' } });
    return licences.map(licenceView);
  }

  /** PA-2: the Accounts list, filtered by solution and status, in a stable order (name, then id). */
  async customers(partnerFirmId: string, filter: CustomerAccountFilterV1) {
    const after = filter.cursor ? Cursor.decode(filter.cursor) : null;
    const where: Prisma.OrganizationWhereInput = {
      customerAccount: { partnerFirmId },
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.solution ? { licences: { some: { solution: filter.solution } } } : {}),
      ...(after ? { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] } : {}),
    };
    const rows = await this.db.organization.findMany({
      where,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: filter.limit + 1,
      include: {
        customerAccount: { select: { accessModel: true } },
        licences: { select: { solution: true, nextRenewal: true }, orderBy: { solution: 'asc' } },
        _count: { select: { memberships: { where: { source: 'OWN' } } } },
      },
    });
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((o) => this.row(o)),
      nextCursor: rows.length > filter.limit && last ? Cursor.encode(last.name, last.id) : null,
    };
  }

  private row(o: {
    id: string;
    name: string;
    status: 'ACTIVE' | 'SUSPENDED';
    customerAccount: { accessModel: 'AUTOMATIC' | 'INVITE_GUEST' } | null;
    licences: Array<{ solution: string; nextRenewal: Date | null }>;
    _count: { memberships: number };
  }): CustomerAccountV1 {
    const renewals = o.licences.map((l) => l.nextRenewal).sort(byRenewal);
    return {
      organizationId: o.id,
      name: o.name,
      // The customer's own users; guests are the partner's people.
      totalUsers: o._count.memberships,
      licensedProducts: o.licences.map((l) => l.solution),
      status: o.status,
      nextRenewal: renewals[0]?.toISOString() ?? null,
      accessModel: o.customerAccount?.accessModel ?? 'AUTOMATIC',
    };
  }

  /** PA-2: one account's details, for export. */
  async details(organizationId: string): Promise<CustomerAccountExportV1> {
    const organization = await this.db.organization.findUniqueOrThrow({
      where: { id: organizationId },
      include: {
        customerAccount: { select: { accessModel: true } },
        licences: { orderBy: { solution: 'asc' } },
        _count: { select: { memberships: { where: { source: 'OWN' } } } },
      },
    });
    return {
      account: this.row(organization),
      suspension:
        organization.status === 'SUSPENDED' && organization.suspendedAt
          ? { since: organization.suspendedAt.toISOString(), reason: organization.suspensionReason ?? '' }
          : null,
      licences: organization.licences.map(licenceView),
      exportedAt: new Date().toISOString(),
    };
  }

  /** PA-3: the account's own users, with their status there and the licences they hold. */
  async users(organizationId: string): Promise<CustomerUserV1[]> {
    const members = await this.db.membership.findMany({
      where: { organizationId, source: 'OWN' },
      include: {
        user: {
          select: {
            displayName: true,
            email: true,
            licences: { where: { licence: { organizationId } }, select: { licence: { select: { solution: true } } } },
          },
        },
      },
      orderBy: { createdAt: 'asc' },
    });
    return members.map((m) => ({
      userId: m.userId,
      displayName: m.user.displayName,
      email: m.user.email,
      role: m.role,
      status: m.deactivatedAt ? 'DEACTIVATED' : 'ACTIVE',
      licences: m.user.licences.map((l) => l.licence.solution).sort(),
    }));
  }

  /**
   * The role of one of the account's own users: which action the decision point is asked (admins are the
   * customer's).
   */
  async userRole(organizationId: string, userId: string) {
    const membership = await this.db.membership.findUnique({
      where: { userId_organizationId: { userId, organizationId } },
      select: { role: true, source: true },
    });
    return membership?.source === 'OWN' ? membership.role : null;
  }

  /** PA-3: edit a user's name (when their profile is theirs to this account alone) or role. */
  async editUser(actorUserId: string, organizationId: string, userId: string, edit: EditCustomerUserV1) {
    await this.db.$transaction(async (tx) => {
      const member = await ownMember(tx, organizationId, userId);
      if (edit.displayName !== undefined) {
        // A person who also works elsewhere owns their profile: one account does not rename them for all.
        const elsewhere = await tx.membership.count({ where: { userId, organizationId: { not: organizationId } } });
        const staff = await tx.practiceStaffMember.count({ where: { userId } });
        if (elsewhere + staff > 0) {
          throw new UseCaseRefusal(
            'conflict',
            'This person also belongs to another account, so their name is theirs to change (PATCH /me).',
          );
        }
        await tx.user.update({ where: { id: userId }, data: { displayName: edit.displayName } });
      }
      if (edit.role !== undefined) {
        if (member.role === 'ORG_ADMIN') {
          throw new UseCaseRefusal('conflict', "An org admin's role is changed by the account's own org admins.");
        }
        await tx.membership.update({ where: { id: member.id }, data: { role: edit.role } });
      }
      await userChanged(tx, organizationId, userId, 'edited', actorUserId);
    });
  }

  /** PA-3: deactivate or reactivate a user in this account (their membership and seats are kept). */
  async setUserActive(actorUserId: string, organizationId: string, userId: string, active: boolean) {
    if (!active && actorUserId === userId) {
      throw new UseCaseRefusal('conflict', 'You cannot deactivate yourself; ask another admin.');
    }
    await this.db.$transaction(async (tx) => {
      const member = await ownMember(tx, organizationId, userId);
      if (Boolean(member.deactivatedAt) === !active) return; // already so: nothing changes, nothing is told
      await tx.membership.update({ where: { id: member.id }, data: { deactivatedAt: active ? null : new Date() } });
      // Issue 12: a deactivation ends the user's tokens and browser sessions, wherever they were signed in.
      if (!active) await endSessionsOf(tx, userId);
      await userChanged(tx, organizationId, userId, active ? 'reactivated' : 'deactivated', actorUserId);
    });
  }

  /** PA-3: remove a user from the account: their membership and the seats they held there go. */
  async removeUser(actorUserId: string, organizationId: string, userId: string) {
    if (actorUserId === userId)
      throw new UseCaseRefusal('conflict', 'You cannot remove yourself; ask another admin.');
    await this.db.$transaction(async (tx) => {
      const member = await ownMember(tx, organizationId, userId);
      const seats = await tx.licenceAssignment.findMany({
        where: { userId, licence: { organizationId } },
        select: { licenceId: true },
      });
      for (const { licenceId } of seats) await releaseSeat(tx, licenceId, userId, actorUserId);
      await tx.membership.delete({ where: { id: member.id } });
      await userChanged(tx, organizationId, userId, 'removed', actorUserId);
    });
  }

  /**
   * PA-1, PA-3: a seat for a user of the licence's account. Assigning twice changes nothing; a full
   * licence answers 409 with the numbers, decided by the database under the licence row's lock.
   */
  async assign(actorUserId: string, licenceId: string, userId: string) {
    return this.db.$transaction(async (tx) => {
      const licence = await tx.licence.findUniqueOrThrow({ where: { id: licenceId } });
      await mustBeUserOf(tx, licence, userId);
      const inserted = await tx.$executeRaw`
        insert into "LicenceAssignment" ("licenceId", "userId", "assignedById") values (${licenceId}::uuid,
          ${userId}::uuid, ${actorUserId}::uuid)
        on conflict do nothing`;
      if (inserted === 0) return { licence: licenceView(licence), userId, assigned: false };
      // The conditional increment waits for, then re-reads, a concurrent one: exact under any race.
      const taken = await tx.$queryRaw<Licence[]>`
        update "Licence" set "seatsUsed" = "seatsUsed" + 1 where id = ${licenceId}::uuid and "seatsUsed" < seats
        returning *`;
      if (taken.length === 0) {
        const now = await tx.licence.findUniqueOrThrow({ where: { id: licenceId } });
        throw new UseCaseRefusal(
          'seats-full',
          `Every seat of this ${now.solution} licence is taken (${now.seatsUsed} of ${now.seats}). ` +
            'Unassign a seat first, or add seats at the next renewal.',
          { seats: now.seats, seatsUsed: now.seatsUsed, solution: now.solution },
        );
      }
      await seatEvent(tx, 'partneraccess.licence.seat-assigned.v1', taken[0], userId, actorUserId);
      return { licence: licenceView(taken[0]), userId, assigned: true };
    });
  }

  /** PA-1, PA-3: take a seat back. Unassigning a seat the user does not hold changes nothing. */
  async unassign(actorUserId: string, licenceId: string, userId: string) {
    return this.db.$transaction(async (tx) => {
      await releaseSeat(tx, licenceId, userId, actorUserId);
      const licence = await tx.licence.findUniqueOrThrow({ where: { id: licenceId } });
      return { licence: licenceView(licence), userId, assigned: false };
    });
  }
}

async function ownMember(tx: Tx, organizationId: string, userId: string) {
  const member = await tx.membership.findUnique({ where: { userId_organizationId: { userId, organizationId } } });
  if (!member || member.source !== 'OWN') {
    throw new UseCaseRefusal('not-found', 'No such user in this account.');
  }
  return member;
}

/** A licence's seats go to its own account's users: a customer's own users, or the partner's staff. */
async function mustBeUserOf(tx: Tx, licence: Licence, userId: string) {
  const member = licence.organizationId
    ? await tx.membership.findFirst({
        where: { userId, organizationId: licence.organizationId, source: 'OWN', deactivatedAt: null },
      })
    : await tx.practiceStaffMember.findFirst({ where: { userId, partnerFirmId: licence.partnerFirmId! } });
  if (!member) {
    throw new UseCaseRefusal(
      'unprocessable',
      licence.organizationId
        ? "A seat goes to an active user of the licence's own account."
        : "A seat of the partner account's own licence goes to one of its own users.",
    );
  }
}

async function releaseSeat(tx: Tx, licenceId: string, userId: string, actorUserId: string) {
  const gone = await tx.licenceAssignment.deleteMany({ where: { licenceId, userId } });
  if (gone.count === 0) return false;
  const [licence] = await tx.$queryRaw<Licence[]>`
    update "Licence" set "seatsUsed" = "seatsUsed" - 1 where id = ${licenceId}::uuid returning *`;
  await seatEvent(tx, 'partneraccess.licence.seat-unassigned.v1', licence, userId, actorUserId);
  return true;
}

async function seatEvent(
  tx: Tx,
  type: 'partneraccess.licence.seat-assigned.v1' | 'partneraccess.licence.seat-unassigned.v1',
  licence: Licence,
  userId: string,
  actorUserId: string,
) {
  await recordEvent(tx, type, {
    aggregateId: licence.id,
    subject: userId,
    data: {
      licenceId: licence.id,
      accountId: (licence.organizationId ?? licence.partnerFirmId)!,
      userId,
      seats: licence.seats,
      seatsUsed: licence.seatsUsed,
      actorUserId,
    },
  });
}

async function userChanged(
  tx: Tx,
  organizationId: string,
  userId: string,
  change: 'edited' | 'deactivated' | 'reactivated' | 'removed',
  actorUserId: string,
) {
  await tx.auditEntry.create({
    data: { actorId: actorUserId, action: `customer-user.${change}`, subjectId: userId, detail: { organizationId } },
  });
  await recordEvent(tx, 'partneraccess.customer-account.user-changed.v1', {
    aggregateId: organizationId,
    subject: userId,
    data: { organizationId, userId, change, actorUserId },
  });
}
