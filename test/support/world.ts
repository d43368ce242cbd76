// Builds a small, unique world per test in the real database, so tests never depend on each other.
import type { OrgRole } from '@prisma/client';
import type { Database } from '../../platform/database';
import { uniqueSuffix } from './services';

export async function createOrganization(db: Database, people: Partial<Record<OrgRole, number>> = { ORG_ADMIN: 1 }) {
  const s = uniqueSuffix();
  const domain = `org-${s}.example`;
  const org = await db.organization.create({ data: { name: `Org ${s}`, domains: { create: [{ domain }] } } });
  const members: Record<OrgRole, Array<{ id: string; email: string }>> = {
    ORG_ADMIN: [],
    PRODUCT_ADMIN: [],
    MEMBER: [],
  };
  for (const [role, count] of Object.entries(people) as Array<[OrgRole, number]>) {
    for (let i = 0; i < count; i++) {
      const user = await db.user.create({
        data: {
          email: `${role.toLowerCase()}-${i}@${domain}`,
          displayName: `${role} ${i}`,
          memberships: { create: { organizationId: org.id, role } },
        },
      });
      members[role].push({ id: user.id, email: user.email });
    }
  }
  return { org, domain, members };
}

export async function createUser(db: Database, data: { firmName?: string; status?: 'ACTIVE' | 'DEACTIVATED' } = {}) {
  const s = uniqueSuffix();
  return db.user.create({ data: { email: `person-${s}@firm-${s}.example`, displayName: `Person ${s}`, ...data } });
}

/**
 * AM-2: a client relationship in force between a firm and an organization, as a row (what the
 * migration and the seed write). Tests that end it through its workflow adopt it first.
 */
export async function createClientRelationship(
  db: Database,
  partnerFirmId: string,
  organizationId: string,
  o: { roleCeiling?: OrgRole; days?: number; autoExtend?: boolean; state?: 'ACTIVE' | 'PENDING_APPROVAL' } = {},
) {
  const { randomUUID } = await import('node:crypto');
  const id = randomUUID();
  const days = o.days ?? 365;
  return db.clientRelationship.create({
    data: {
      id,
      workflowId: `client-relationship-${id}`,
      partnerFirmId,
      organizationId,
      roleCeiling: o.roleCeiling ?? 'ORG_ADMIN',
      durationDays: days,
      autoExtend: o.autoExtend ?? false,
      ...(o.state === 'PENDING_APPROVAL'
        ? { state: 'PENDING_APPROVAL' as const, reason: 'Waiting for approval (test world).' }
        : {
            state: 'ACTIVE' as const,
            approvedAt: new Date(),
            expiresAt: new Date(Date.now() + days * 86400_000),
            reason: 'Approved by the organization (test world).',
          }),
      transition: 1,
    },
  });
}

/**
 * PA: a partner account (a partner firm) with its own users on the staff, the given practice roles.
 * The first ACCOUNT_OWNER is created unless `roles` says otherwise.
 */
export async function createPartnerAccount(
  db: Database,
  roles: Array<'ACCOUNT_OWNER' | 'ACCOUNT_MANAGER' | 'USER_MANAGER' | 'STAFF'> = ['ACCOUNT_OWNER', 'STAFF'],
) {
  const s = uniqueSuffix();
  const firm = await db.partnerFirm.create({ data: { name: `Partner ${s}` } });
  const staff: Array<{ id: string; email: string; role: (typeof roles)[number] }> = [];
  for (const [i, role] of roles.entries()) {
    const user = await db.user.create({
      data: {
        email: `${role.toLowerCase()}-${i}@partner-${s}.example`,
        displayName: `${role} ${i}`,
        practiceRoles: { create: { partnerFirmId: firm.id, role } },
      },
    });
    staff.push({ id: user.id, email: user.email, role });
  }
  return { firm, staff };
}

/** PA-2: an organization that is a customer account of the partner firm, with licences per solution. */
export async function createCustomerAccount(
  db: Database,
  partnerFirmId: string,
  o: {
    people?: Partial<Record<OrgRole, number>>;
    accessModel?: 'AUTOMATIC' | 'INVITE_GUEST';
    licences?: Array<{ solution: string; seats: number; renewsInDays?: number; type?: 'SUBSCRIPTION' | 'TRIAL' }>;
  } = {},
) {
  const { org, domain, members } = await createOrganization(db, o.people ?? { ORG_ADMIN: 1, MEMBER: 1 });
  await db.customerAccount.create({
    data: { organizationId: org.id, partnerFirmId, accessModel: o.accessModel ?? 'AUTOMATIC' },
  });
  const day = 86400_000;
  const licences = [];
  for (const l of o.licences ?? [{ solution: 'Bizview', seats: 5 }]) {
    const renewal = new Date(Date.now() + (l.renewsInDays ?? 200) * day);
    licences.push(
      await db.licence.create({
        data: {
          organizationId: org.id,
          solution: l.solution,
          type: l.type ?? 'SUBSCRIPTION',
          seats: l.seats,
          contractStart: new Date(Date.now() - 165 * day),
          contractExpiry: renewal,
          nextRenewal: renewal,
        },
      }),
    );
  }
  return { org, domain, members, licences };
}
