// AM-6: an organization with something to review, as rows (the way test/support/world.ts builds one):
// two own org admins, a partner firm's staff member holding a delegated membership under an ACTIVE
// client relationship, and a business partner a task is shared with.
import type { Database } from '../../platform/database';
import { uniqueSuffix } from './services';
import { createClientRelationship, createOrganization } from './world';

export async function reviewableOrganization(db: Database) {
  const s = uniqueSuffix();
  const { org, members } = await createOrganization(db, { ORG_ADMIN: 2 });
  const [admin, otherAdmin] = members.ORG_ADMIN;
  const firm = await db.partnerFirm.create({ data: { name: `Firm ${s}` } });
  const staff = await db.user.create({
    data: {
      email: `staff-${s}@firm-${s}.example`,
      displayName: `Staff ${s}`,
      practiceRoles: { create: { partnerFirmId: firm.id, role: 'STAFF' } },
    },
  });
  const { id: relationshipId } = await createClientRelationship(db, firm.id, org.id, {
    roleCeiling: 'PRODUCT_ADMIN',
  });
  const membership = await db.membership.create({
    data: {
      userId: staff.id,
      organizationId: org.id,
      role: 'MEMBER',
      source: 'DELEGATION',
      clientRelationshipId: relationshipId,
      grantedById: admin.id,
    },
  });
  const partner = await db.user.create({
    data: { email: `partner-${s}@partner-${s}.example`, displayName: `Partner ${s}` },
  });
  const task = await db.task.create({
    data: { organizationId: org.id, title: `Quarterly close ${s}`, createdById: admin.id },
  });
  await db.taskGrant.create({ data: { taskId: task.id, userId: partner.id, grantedById: admin.id } });
  return {
    org,
    admin,
    otherAdmin,
    staff,
    partner,
    membership,
    task,
    grants: { delegated: `membership:${membership.id}`, share: `task-share:${task.id}:${partner.id}` },
  };
}
