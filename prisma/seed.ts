// The demo world, created only when the database has no users: two customer organizations, a
// partner firm with its Practice Staff (working for both under approved client relationships, one of
// them certified), a support agent, a portal owner and a portal partner. The partner firm is also a
// partner account over both organizations as customer accounts (PA): Acme under the automatic access
// model, Globex under invite-guest, with licences close to their seat limits and one contract renewing
// within 30 days. The processes of the world (Globex's pending guest invitation) are started by
// prisma/seed-processes.ts once the worker runs.
import { randomUUID } from 'node:crypto';
import { createDatabase, type Database } from '../platform/database';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { CERTIFICATION_PROGRAM } from '../domain/certificate';
import { hashPassword } from '../platform/secrets';
import type { Prisma } from '@prisma/client';

export const DemoWorld = {
  organizations: [
    { name: 'Acme Corporation', externalId: 'CRM-ACME-001', domains: ['acme.example'] },
    { name: 'Globex Industries', externalId: 'CRM-GLOBEX-002', domains: ['globex.example', 'globex-mail.example'] },
  ],
  people: [
    { email: 'olivia.admin@acme.example', displayName: 'Olivia Admin', org: 'Acme Corporation', role: 'ORG_ADMIN' },
    { email: 'oscar.admin@acme.example', displayName: 'Oscar Admin', org: 'Acme Corporation', role: 'ORG_ADMIN' },
    {
      email: 'paula.product@acme.example',
      displayName: 'Paula Product',
      org: 'Acme Corporation',
      role: 'PRODUCT_ADMIN',
    },
    { email: 'max.member@acme.example', displayName: 'Max Member', org: 'Acme Corporation', role: 'MEMBER' },
    { email: 'grace.admin@globex.example', displayName: 'Grace Admin', org: 'Globex Industries', role: 'ORG_ADMIN' },
  ],
  partnerFirm: {
    name: 'Northwind Advisory',
    externalId: 'CRM-PARTNER-NW',
    staff: [
      { email: 'ava.owner@northwind.example', displayName: 'Ava Owner', role: 'ACCOUNT_OWNER' },
      { email: 'mark.manager@northwind.example', displayName: 'Mark Manager', role: 'ACCOUNT_MANAGER' },
      { email: 'uma.usermanager@northwind.example', displayName: 'Uma Usermanager', role: 'USER_MANAGER' },
      { email: 'sid.staff@northwind.example', displayName: 'Sid Staff', role: 'STAFF' },
    ],
    /** AM-2: the terms of its relationship with each client organization. */
    clientRelationship: { roleCeiling: 'PRODUCT_ADMIN', durationDays: 365, autoExtend: true },
  },
  supportAgent: { email: 'sam.support@vendor.example', displayName: 'Sam Support' },
  portalOwner: { email: 'pat.portal@vendor.example', displayName: 'Pat Portal' },
  /** A partner in the partner portal, ready for partner users (PP-1). */
  portalPartner: { name: 'Brightside Resellers', email: 'hello@brightside.example' },
  /** PA: Northwind's customer accounts, their access models and licences (seats used = people assigned). */
  customerAccounts: [
    {
      org: 'Acme Corporation',
      accessModel: 'AUTOMATIC',
      licences: [
        {
          solution: 'Bizview',
          seats: 5,
          renewsInDays: 200,
          holders: [
            'olivia.admin@acme.example',
            'oscar.admin@acme.example',
            'paula.product@acme.example',
            'max.member@acme.example',
          ],
        },
        { solution: 'Jet Reports', seats: 2, renewsInDays: 21, holders: ['paula.product@acme.example'] },
      ],
    },
    {
      org: 'Globex Industries',
      accessModel: 'INVITE_GUEST',
      licences: [
        { solution: 'Spreadsheet Server', seats: 1, renewsInDays: 150, holders: ['grace.admin@globex.example'] },
      ],
    },
  ],
  /** PA-1: Northwind's own training and demo licence. */
  partnerLicence: {
    solution: 'Bizview',
    seats: 3,
    holders: ['ava.owner@northwind.example', 'mark.manager@northwind.example'],
  },
  /** PA-5: Globex invites Mark as a guest (prisma/seed-processes.ts); he signs in with this password to switch. */
  guest: {
    email: 'mark.manager@northwind.example',
    invitedBy: 'grace.admin@globex.example',
    org: 'Globex Industries',
  },
  demoPassword: 'partner-access-demo',
  /** A consultant with their own account who belongs to no organization yet (a future TPU). */
  consultant: {
    email: 'carla.consultant@ledgerwise.example',
    displayName: 'Carla Consultant',
    firmName: 'Ledgerwise',
  },
} as const;

/** Creates the demo world in one transaction; returns false (and changes nothing) if any user exists. */
export async function seedDemoWorld(db: Database): Promise<boolean> {
  return db.$transaction(async (tx) => {
    if ((await tx.user.count()) > 0) return false;
    const orgIds = new Map<string, string>();
    for (const o of DemoWorld.organizations) {
      const org = await tx.organization.create({
        data: {
          name: o.name,
          externalId: o.externalId,
          domains: { create: o.domains.map((domain) => ({ domain })) },
        },
      });
      orgIds.set(o.name, org.id);
    }
    for (const p of DemoWorld.people) {
      await tx.user.create({
        data: {
          email: p.email,
          displayName: p.displayName,
          memberships: { create: { organizationId: orgIds.get(p.org)!, role: p.role } },
        },
      });
    }
    const firm = await tx.partnerFirm.create({
      data: { name: DemoWorld.partnerFirm.name, externalId: DemoWorld.partnerFirm.externalId },
    });
    const staffIds = new Map<string, string>();
    for (const s of DemoWorld.partnerFirm.staff) {
      const user = await tx.user.create({
        data: {
          email: s.email,
          displayName: s.displayName,
          firmName: DemoWorld.partnerFirm.name,
          practiceRoles: { create: { partnerFirmId: firm.id, role: s.role } },
        },
      });
      staffIds.set(s.email, user.id);
    }
    // PS-4, AM-2: Northwind works for both organizations, under relationships each organization's
    // first org admin approved (the worker adopts them into their workflows at start). PS-5, AM-1: Sid
    // works in Acme by Northwind's delegation, granted by Uma, and holds two assignments there
    // (offboard him with Mark as the replacement). PS-6: Ava is certified.
    const relationshipIds = new Map<string, string>();
    for (const [orgName, orgId] of orgIds) {
      const approver = DemoWorld.people.find((p) => p.org === orgName && p.role === 'ORG_ADMIN')!;
      const approvedBy = await tx.user.findUniqueOrThrow({ where: { email: approver.email }, select: { id: true } });
      const id = randomUUID();
      const { durationDays, ...terms } = DemoWorld.partnerFirm.clientRelationship;
      const approvedAt = new Date();
      await tx.clientRelationship.create({
        data: {
          id,
          workflowId: `client-relationship-${id}`,
          partnerFirmId: firm.id,
          organizationId: orgId,
          state: 'ACTIVE',
          durationDays,
          ...terms,
          approvedById: approvedBy.id,
          approvedAt,
          expiresAt: new Date(approvedAt.getTime() + durationDays * 24 * 3600 * 1000),
          reason:
            `Approved by an org admin; active for ${durationDays} days, ` +
            'then extends itself by 180 days at a time.',
          transition: 2,
        },
      });
      relationshipIds.set(orgName, id);
    }
    const sid = staffIds.get('sid.staff@northwind.example')!;
    const acme = orgIds.get('Acme Corporation')!;
    await tx.membership.create({
      data: {
        userId: sid,
        organizationId: acme,
        role: 'MEMBER',
        source: 'DELEGATION',
        clientRelationshipId: relationshipIds.get('Acme Corporation')!,
        grantedById: staffIds.get('uma.usermanager@northwind.example')!,
      },
    });
    await tx.assignment.createMany({
      data: ['Month-end close', 'Payroll review'].map((title) => ({ organizationId: acme, title, ownerUserId: sid })),
    });
    await tx.certification.create({
      data: {
        userId: staffIds.get('ava.owner@northwind.example')!,
        program: CERTIFICATION_PROGRAM,
        certifiedAt: new Date('2026-03-02T00:00:00Z'),
      },
    });
    await tx.user.create({ data: { ...DemoWorld.supportAgent, supportAgent: { create: {} } } });
    await tx.user.create({ data: { ...DemoWorld.portalOwner, portalAdmin: { create: { role: 'OWNER' } } } });
    const portalPartner = await tx.portalPartner.create({ data: DemoWorld.portalPartner });
    await tx.portalEmail.create({
      data: { email: portalPartner.email, ownerType: 'portal-partner', ownerId: portalPartner.id },
    });
    await tx.user.create({ data: { ...DemoWorld.consultant } });
    await seedPartnerAccount(tx, firm.id, orgIds);
    return true;
  });
}

const DAY_MS = 24 * 3600 * 1000;

/** PA: Northwind's customer accounts with their licences and seats, and its own demo licence. */
async function seedPartnerAccount(tx: Prisma.TransactionClient, partnerFirmId: string, orgIds: Map<string, string>) {
  const userId = async (email: string) => (await tx.user.findUniqueOrThrow({ where: { email } })).id;
  const now = Date.now();
  const licence = async (
    owner: { organizationId: string } | { partnerFirmId: string },
    l: { solution: string; seats: number; holders: readonly string[]; renewsInDays?: number },
    type: 'SUBSCRIPTION' | 'NOT_FOR_RESALE',
  ) => {
    const renewal = new Date(now + (l.renewsInDays ?? 300) * DAY_MS);
    await tx.licence.create({
      data: {
        ...owner,
        solution: l.solution,
        type,
        seats: l.seats,
        seatsUsed: l.holders.length,
        contractStart: new Date(now - 165 * DAY_MS),
        contractExpiry: renewal,
        nextRenewal: type === 'SUBSCRIPTION' ? renewal : null,
        assignments: { create: await Promise.all(l.holders.map(async (h) => ({ userId: await userId(h) }))) },
      },
    });
  };
  for (const account of DemoWorld.customerAccounts) {
    const organizationId = orgIds.get(account.org)!;
    await tx.customerAccount.create({ data: { organizationId, partnerFirmId, accessModel: account.accessModel } });
    for (const l of account.licences) await licence({ organizationId }, l, 'SUBSCRIPTION');
  }
  await licence({ partnerFirmId }, DemoWorld.partnerLicence, 'NOT_FOR_RESALE');
  // PA-5: the guest signs in again with a password before switching.
  await tx.user.update({
    where: { email: DemoWorld.guest.email },
    data: { passwordHash: await hashPassword(DemoWorld.demoPassword) },
  });
}

if (require.main === module) {
  const config = loadConfig();
  const logger = createLogger('seed', config.LOG_LEVEL);
  const db = createDatabase(config.DATABASE_URL);
  seedDemoWorld(db)
    .then((created) => logger.info(created ? 'demo world created' : 'database already has users: seed skipped'))
    .finally(() => db.$disconnect())
    .catch((err) => {
      logger.fatal({ err }, 'seed failed');
      process.exit(1);
    });
}
