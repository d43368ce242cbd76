// A tenant of the authorization matrix: an organization with its own people, a third party with
// access on and one with access off, a partner firm working for it (with a staff user it delegated
// and one it did not), a second firm asking to, and one thing of every kind the routes act on.
// Rows are written directly: the matrix decides, it runs no handler.
import { randomUUID } from 'node:crypto';
import type { Database } from '../../platform/database';
import { uniqueSuffix } from '../support/services';
import { createClientRelationship } from '../support/world';
import { ACTORS, type Actor } from './authorization-matrix.table';

export interface Tenant {
  organizationId: string;
  partnerFirmId: string;
  people: Record<Actor, string>;
  thirdPartyRelationshipId: string;
  clientRelationshipId: string;
  pendingRelationshipId: string;
  taskId: string;
  companyId: string;
  businessPartnerId: string;
  organizationAccessInvitationId: string;
  offboardingId: string;
  portalPartnerId: string;
  /** PA: the organization is a customer account of the firm (automatic access), with a licence each. */
  licenceId: string;
  firmLicenceId: string;
}

export async function createTenant(db: Database): Promise<Tenant> {
  const s = uniqueSuffix();
  const organization = await db.organization.create({
    data: { name: `Tenant ${s}`, domains: { create: [{ domain: `tenant-${s}.example` }] } },
  });
  const firm = await db.partnerFirm.create({ data: { name: `Firm ${s}` } });
  const asking = await db.partnerFirm.create({ data: { name: `Asking firm ${s}` } });
  const user = async (name: string) =>
    (
      await db.user.create({
        data: { email: `${name.toLowerCase()}-${s}@tenant.example`, displayName: `${name} ${s}` },
      })
    ).id;
  const people = Object.fromEntries(
    await Promise.all(ACTORS.map(async (a) => [a, await user(a)] as const)),
  ) as Record<Actor, string>;
  const own = [
    ['orgAdmin', 'ORG_ADMIN'],
    ['productAdmin', 'PRODUCT_ADMIN'],
    ['member', 'MEMBER'],
  ] as const;
  for (const [actor, role] of own)
    await db.membership.create({ data: { userId: people[actor], organizationId: organization.id, role } });
  const practice = [
    ['accountOwner', 'ACCOUNT_OWNER'],
    ['accountManager', 'ACCOUNT_MANAGER'],
    ['userManager', 'USER_MANAGER'],
    ['staffDelegated', 'STAFF'],
    ['staffUndelegated', 'STAFF'],
  ] as const;
  for (const [actor, role] of practice)
    await db.practiceStaffMember.create({ data: { userId: people[actor], partnerFirmId: firm.id, role } });
  const relationship = await createClientRelationship(db, firm.id, organization.id, { roleCeiling: 'PRODUCT_ADMIN' });
  await db.customerAccount.create({ data: { organizationId: organization.id, partnerFirmId: firm.id } });
  const terms = { type: 'SUBSCRIPTION' as const, seats: 5, contractStart: new Date(), contractExpiry: new Date() };
  const licence = await db.licence.create({
    data: { organizationId: organization.id, solution: 'Bizview', ...terms },
  });
  const firmLicence = await db.licence.create({ data: { partnerFirmId: firm.id, solution: 'Bizview', ...terms } });
  await db.membership.create({
    data: {
      userId: people.staffDelegated,
      organizationId: organization.id,
      role: 'MEMBER',
      source: 'DELEGATION',
      clientRelationshipId: relationship.id,
    },
  });
  const pending = await createClientRelationship(db, asking.id, organization.id, {
    roleCeiling: 'MEMBER',
    days: 90,
    state: 'PENDING_APPROVAL',
  });
  const pendingId = pending.id;
  const thirdParty = (actor: 'thirdPartyOn' | 'thirdPartyOff', state: 'ACCESS_ON' | 'LISTED') => {
    const relationshipId = randomUUID().replace(/-/g, '');
    return db.thirdPartyRelationship.create({
      data: {
        organizationId: organization.id,
        relationshipId,
        workflowId: `tpu-${organization.id}-${relationshipId}`,
        runId: randomUUID(),
        transition: 2,
        thirdPartyUserId: people[actor],
        thirdPartyEmail: `${actor}-${s}@tenant.example`,
        thirdPartyName: actor,
        firmName: 'Consulting',
        state,
        origin: 'REQUEST',
        reason: state,
      },
    });
  };
  const on = await thirdParty('thirdPartyOn', 'ACCESS_ON');
  await thirdParty('thirdPartyOff', 'LISTED');
  await db.supportAgent.create({ data: { userId: people.support } });
  await db.portalAdmin.create({ data: { userId: people.portalAdmin, role: 'ADMIN' } });

  const company = await db.businessPartnerCompany.create({
    data: { organizationId: organization.id, ownerUserId: people.member, name: `Partner Co ${s}` },
  });
  const partnerUser = await user('partner');
  const partner = await db.businessPartner.create({
    data: {
      companyId: company.id,
      email: `partner-${s}@tenant.example`,
      firstName: 'Pat',
      lastName: 'Ner',
      userId: partnerUser,
      status: 'ACTIVE',
    },
  });
  const task = await db.task.create({
    data: { organizationId: organization.id, title: 'Quarterly close', createdById: people.member },
  });
  await db.taskGrant.create({ data: { taskId: task.id, userId: partnerUser } });
  const invitationId = randomUUID();
  await db.invitation.create({
    data: {
      id: invitationId,
      workflowId: `invitation-matrix-${invitationId}`,
      kind: 'ORGANIZATION_ACCESS',
      state: 'PENDING',
      email: `staffundelegated-${s}@tenant.example`,
      firstName: 'Staff',
      lastName: 'Undelegated',
      invitedById: people.userManager,
      scopeId: organization.id,
      offer: { role: 'MEMBER', partnerFirmId: firm.id, clientRelationshipId: relationship.id },
      expiresAt: new Date(Date.now() + 86400_000),
      reason: 'Sent.',
      transition: 1,
    },
  });
  const offboardingId = randomUUID();
  await db.offboarding.create({
    data: {
      id: offboardingId,
      workflowId: `offboarding-matrix-${offboardingId}`,
      partnerFirmId: firm.id,
      userId: people.staffUndelegated,
      replacementUserId: people.userManager,
      requestedById: people.accountOwner,
      state: 'COMPLETED',
      reason: 'Done.',
      total: 0,
    },
  });
  const portalPartner = await db.portalPartner.create({
    data: { name: `Reseller ${s}`, email: `reseller-${s}@tenant.example` },
  });
  return {
    organizationId: organization.id,
    partnerFirmId: firm.id,
    people,
    thirdPartyRelationshipId: on.relationshipId,
    clientRelationshipId: relationship.id,
    pendingRelationshipId: pendingId,
    taskId: task.id,
    companyId: company.id,
    businessPartnerId: partner.id,
    organizationAccessInvitationId: invitationId,
    offboardingId,
    portalPartnerId: portalPartner.id,
    licenceId: licence.id,
    firmLicenceId: firmLicence.id,
  };
}
