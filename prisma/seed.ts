// The demo world, created only when the database has no users: two customer organizations, a
// partner firm with its Practice Staff (working for both under approved client relationships, one of
// them certified), a support agent, a portal owner and a portal partner.
import { randomUUID } from 'node:crypto';
import { createDatabase, type Database } from '../platform/database';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { CERTIFICATION_PROGRAM } from '../domain/certificate';

export const DemoWorld = {
  organizations: [
    { name: 'Acme Corporation', externalId: 'CRM-ACME-001', domains: ['acme.example'] },
    { name: 'Globex Industries', externalId: 'CRM-GLOBEX-002', domains: ['globex.example', 'globex-mail.example'] },
  ],
  people: [
    { email: 'olivia.admin@acme.example', displayName: 'Olivia Admin', org: 'Acme Corporation', role: 'ORG_ADMIN' },
    { email: 'oscar.admin@acme.example', displayName: 'Oscar Admin', org: 'Acme Corporation', role: 'ORG_ADMIN' },
    { email: 'paula.product@acme.example', displayName: 'Paula Product', org: 'Acme Corporation', role: 'PRODUCT_ADMIN' },
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
  /** A consultant with their own account who belongs to no organization yet (a future TPU). */
  consultant: { email: 'carla.consultant@ledgerwise.example', displayName: 'Carla Consultant', firmName: 'Ledgerwise' },
} as const;

/** Creates the demo world in one transaction; returns false (and changes nothing) if any user exists. */
export async function seedDemoWorld(db: Database): Promise<boolean> {
  return db.$transaction(async (tx) => {
    if ((await tx.user.count()) > 0) return false;
    const orgIds = new Map<string, string>();
    for (const o of DemoWorld.organizations) {
      const org = await tx.organization.create({
        data: { name: o.name, externalId: o.externalId, domains: { create: o.domains.map((domain) => ({ domain })) } },
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
    const firm = await tx.partnerFirm.create({ data: { name: DemoWorld.partnerFirm.name, externalId: DemoWorld.partnerFirm.externalId } });
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
            `Approved by an org admin; active for ${durationDays} days, then extends itself by 180 days at a time.`,
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
    await tx.assignment.createMany({ data: ['Month-end close', 'Payroll review'].map((title) => ({ organizationId: acme, title, ownerUserId: sid })) });
    await tx.certification.create({ data: { userId: staffIds.get('ava.owner@northwind.example')!, program: CERTIFICATION_PROGRAM, certifiedAt: new Date('2026-03-02T00:00:00Z') } });
    await tx.user.create({ data: { ...DemoWorld.supportAgent, supportAgent: { create: {} } } });
    await tx.user.create({ data: { ...DemoWorld.portalOwner, portalAdmin: { create: { role: 'OWNER' } } } });
    const portalPartner = await tx.portalPartner.create({ data: DemoWorld.portalPartner });
    await tx.portalEmail.create({ data: { email: portalPartner.email, ownerType: 'portal-partner', ownerId: portalPartner.id } });
    await tx.user.create({ data: { ...DemoWorld.consultant } });
    return true;
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
