// The facts a decision needs, read from the database for each decision (AM-3): the principal with
// the roles they hold today, and the resource with what the policies ask of it. Nothing comes from
// the request but ids.
//
// A role counts only while its source stands (AM-1, AM-5): a delegated membership only under an
// ACTIVE client relationship of a firm whose staff the holder is still on, and nothing past its end
// date. Revocation removes the rows too; reading it here as well means a missed revocation still
// grants nothing.
import type { EntityJson, EntityUidJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { Prisma } from '@prisma/client';
import type { Database } from '../../platform/database';
import { offerOf } from '../messages/values/invitation-offer';

export type Reader = Database | Prisma.TransactionClient;

export type ResourceRef =
  | { type: 'Organization'; id: string }
  | { type: 'PartnerFirm'; id: string }
  | { type: 'ClientRelationship'; id: string }
  | { type: 'BusinessPartnerCompany'; id: string }
  | { type: 'Task'; id: string }
  | { type: 'ThirdPartyRelationship'; organizationId: string; relationshipId: string }
  | { type: 'Invitation'; id: string }
  /** A list of invitations (kind and scope), decided as an invitation of that kind and scope. */
  | { type: 'InvitationList'; kind: InvitationKindName; scopeId: string; partnerFirmId?: string }
  | { type: 'Portal' }
  | { type: 'SupportDesk' }
  | { type: 'Integration' };

type InvitationKindName = 'BUSINESS_PARTNER' | 'PORTAL_USER' | 'PRACTICE_STAFF' | 'ORGANIZATION_ACCESS';

export const uid = (type: string, id: string): EntityUidJson => ({ type: `PartnerAccess::${type}`, id });
const ref = (type: string, id: string) => ({ __entity: uid(type, id) });
const role = (id: string) => ref('Role', id);

export const roleIds = {
  organization: (organizationId: string, level: 'ORG_ADMIN' | 'PRODUCT_ADMIN' | 'MEMBER' | 'THIRD_PARTY') =>
    `org/${organizationId}/${level}`,
  firm: (partnerFirmId: string, level: 'ACCOUNT_OWNER' | 'ACCOUNT_MANAGER' | 'USER_MANAGER' | 'STAFF') =>
    `firm/${partnerFirmId}/${level}`,
  support: 'support',
  portalAdmins: 'portal/admins',
};

/** A client relationship in force: ACTIVE and not past its end date. */
export const inForce = (now: Date) => ({ state: 'ACTIVE' as const, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });

/** The roles a user holds now, each as the id of a Role group. */
export async function rolesOf(
  db: Reader,
  userId: string,
  now = new Date(),
): Promise<{ active: boolean; roles: string[] }> {
  // The person and their third-party access at once: a decision's principal is one round of reads.
  const [user, thirdParty] = await Promise.all([
    db.user.findUnique({
      where: { id: userId },
      select: {
        status: true,
        memberships: {
          where: {
            OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
            // A relationship past its end date grants nothing, even before its workflow records the expiry.
            AND: [{ OR: [{ source: 'OWN' }, { source: 'DELEGATION', clientRelationship: inForce(now) }] }],
          },
          select: {
            organizationId: true,
            role: true,
            source: true,
            clientRelationship: { select: { partnerFirmId: true } },
          },
        },
        practiceRoles: { select: { partnerFirmId: true, role: true } },
        supportAgent: { select: { userId: true } },
        portalAdmin: { select: { role: true } },
      },
    }),
    db.thirdPartyRelationship.findMany({
      where: {
        thirdPartyUserId: userId,
        state: 'ACCESS_ON',
        OR: [{ accessEndsAt: null }, { accessEndsAt: { gt: now } }],
      },
      select: { organizationId: true },
    }),
  ]);
  if (!user) return { active: false, roles: [] };
  const firms = new Set(user.practiceRoles.map((r) => r.partnerFirmId));
  // A delegation stands only while its holder is on the delegating firm's staff.
  const standing = user.memberships.filter(
    (m) => m.source === 'OWN' || (m.clientRelationship && firms.has(m.clientRelationship.partnerFirmId)),
  );
  const roles = [
    ...standing.map((m) => roleIds.organization(m.organizationId, m.role)),
    ...standing
      .filter((m) => m.source === 'DELEGATION')
      .map((m) => roleIds.organization(m.organizationId, 'THIRD_PARTY')),
    ...thirdParty.map((t) => roleIds.organization(t.organizationId, 'THIRD_PARTY')),
    ...user.practiceRoles.flatMap((r) => [
      roleIds.firm(r.partnerFirmId, r.role),
      roleIds.firm(r.partnerFirmId, 'STAFF'),
    ]),
    ...(user.supportAgent ? [roleIds.support] : []),
    ...(user.portalAdmin ? [roleIds.portalAdmins] : []),
  ];
  return { active: user.status === 'ACTIVE', roles: [...new Set(roles)] };
}

export async function principalEntity(db: Reader, userId: string): Promise<EntityJson> {
  const { active, roles } = await rolesOf(db, userId);
  return { uid: uid('User', userId), attrs: { active }, parents: roles.map((r) => uid('Role', r)) };
}

const organizationAttrs = (organizationId: string) => ({
  admins: role(roleIds.organization(organizationId, 'ORG_ADMIN')),
  productAdmins: role(roleIds.organization(organizationId, 'PRODUCT_ADMIN')),
  members: role(roleIds.organization(organizationId, 'MEMBER')),
  thirdParties: role(roleIds.organization(organizationId, 'THIRD_PARTY')),
});
const firmAttrs = (partnerFirmId: string) => ({
  accountOwners: role(roleIds.firm(partnerFirmId, 'ACCOUNT_OWNER')),
  accountManagers: role(roleIds.firm(partnerFirmId, 'ACCOUNT_MANAGER')),
  userManagers: role(roleIds.firm(partnerFirmId, 'USER_MANAGER')),
  staff: role(roleIds.firm(partnerFirmId, 'STAFF')),
});

const entity = (type: string, id: string, attrs: Record<string, unknown>): EntityJson =>
  ({ uid: uid(type, id), attrs, parents: [] }) as EntityJson;
/** An organization and a firm as the policies see them: their roles as groups (no database read). */
export const organizationEntity = (id: string) => entity('Organization', id, organizationAttrs(id));
export const firmEntity = (id: string) => entity('PartnerFirm', id, firmAttrs(id));
const organization = organizationEntity;
const firm = firmEntity;

/** A resource that does not exist: the caller answers 404. */
export class MissingResource extends Error {
  constructor(readonly resource: ResourceRef) {
    super(`no such ${resource.type}`);
  }
}

/**
 * The resource's uid and the entities the policies read about it. A staff member of the firm is
 * `in` the firm's STAFF role whatever their practice role, so "invitee is on the staff" is one test.
 */
export async function resourceEntities(
  db: Reader,
  resource: ResourceRef,
): Promise<{ uid: EntityUidJson; entities: EntityJson[] }> {
  switch (resource.type) {
    case 'Organization':
      if (!(await db.organization.findUnique({ where: { id: resource.id }, select: { id: true } })))
        throw new MissingResource(resource);
      return { uid: uid('Organization', resource.id), entities: [organization(resource.id)] };
    case 'PartnerFirm':
      if (!(await db.partnerFirm.findUnique({ where: { id: resource.id }, select: { id: true } })))
        throw new MissingResource(resource);
      return { uid: uid('PartnerFirm', resource.id), entities: [firm(resource.id)] };
    case 'ClientRelationship': {
      const row = await db.clientRelationship.findUnique({ where: { id: resource.id } });
      if (!row) throw new MissingResource(resource);
      const attrs = {
        firm: ref('PartnerFirm', row.partnerFirmId),
        organization: ref('Organization', row.organizationId),
        active: row.state === 'ACTIVE' && (!row.expiresAt || row.expiresAt > new Date()),
        pending: row.state === 'PENDING_APPROVAL',
      };
      return {
        uid: uid('ClientRelationship', row.id),
        entities: [
          entity('ClientRelationship', row.id, attrs),
          firm(row.partnerFirmId),
          organization(row.organizationId),
        ],
      };
    }
    case 'BusinessPartnerCompany': {
      const row = await db.businessPartnerCompany.findUnique({ where: { id: resource.id } });
      if (!row) throw new MissingResource(resource);
      return {
        uid: uid('BusinessPartnerCompany', row.id),
        entities: [companyEntity(row), organization(row.organizationId)],
      };
    }
    case 'Task': {
      const row = await db.task.findUnique({
        where: { id: resource.id },
        include: { grants: { select: { userId: true } } },
      });
      if (!row) throw new MissingResource(resource);
      const attrs = {
        organization: ref('Organization', row.organizationId),
        sharedWith: row.grants.map((g) => ref('User', g.userId)),
      };
      return {
        uid: uid('Task', row.id),
        entities: [entity('Task', row.id, attrs), organization(row.organizationId)],
      };
    }
    case 'ThirdPartyRelationship': {
      const key = { organizationId: resource.organizationId, relationshipId: resource.relationshipId };
      const row = await db.thirdPartyRelationship.findUnique({ where: { organizationId_relationshipId: key } });
      if (!row) throw new MissingResource(resource);
      const attrs = {
        organization: ref('Organization', row.organizationId),
        ...(row.thirdPartyUserId ? { thirdParty: ref('User', row.thirdPartyUserId) } : {}),
      };
      const id = `${row.organizationId}/${row.relationshipId}`;
      return {
        uid: uid('ThirdPartyRelationship', id),
        entities: [entity('ThirdPartyRelationship', id, attrs), organization(row.organizationId)],
      };
    }
    case 'Invitation': {
      const row = await db.invitation.findUnique({
        where: { id: resource.id },
        select: { kind: true, scopeId: true, offer: true },
      });
      if (!row) throw new MissingResource(resource);
      const firmId =
        row.kind === 'ORGANIZATION_ACCESS' ? offerOf('ORGANIZATION_ACCESS', row.offer).partnerFirmId : undefined;
      return invitationEntities(db, resource.id, row.kind, row.scopeId, firmId);
    }
    case 'InvitationList':
      return invitationEntities(
        db,
        `list/${resource.kind}/${resource.scopeId}`,
        resource.kind,
        resource.scopeId,
        resource.partnerFirmId,
      );
    case 'Portal':
      return {
        uid: uid('Portal', 'portal'),
        entities: [entity('Portal', 'portal', { admins: role(roleIds.portalAdmins) })],
      };
    case 'SupportDesk':
      return {
        uid: uid('SupportDesk', 'desk'),
        entities: [entity('SupportDesk', 'desk', { agents: role(roleIds.support) })],
      };
    case 'Integration':
      return { uid: uid('Integration', 'inbound'), entities: [entity('Integration', 'inbound', {})] };
  }
}

function companyEntity(row: { id: string; ownerUserId: string; organizationId: string }): EntityJson {
  return entity('BusinessPartnerCompany', row.id, {
    owner: ref('User', row.ownerUserId),
    organization: ref('Organization', row.organizationId),
  });
}

async function invitationEntities(
  db: Reader,
  id: string,
  kind: InvitationKindName,
  scopeId: string,
  firmId?: string,
) {
  const attrs: Record<string, unknown> = { kind };
  const entities: EntityJson[] = [];
  if (kind === 'BUSINESS_PARTNER') {
    const company = await db.businessPartnerCompany.findUnique({ where: { id: scopeId } });
    if (company) {
      attrs.company = ref('BusinessPartnerCompany', company.id);
      entities.push(companyEntity(company), organization(company.organizationId));
    }
  } else if (kind === 'PRACTICE_STAFF') {
    attrs.firm = ref('PartnerFirm', scopeId);
    entities.push(firm(scopeId));
  } else if (kind === 'ORGANIZATION_ACCESS') {
    attrs.organization = ref('Organization', scopeId);
    entities.push(organization(scopeId));
    if (firmId) {
      attrs.firm = ref('PartnerFirm', firmId);
      entities.push(firm(firmId));
    }
  }
  return { uid: uid('Invitation', id), entities: [entity('Invitation', id, attrs), ...entities] };
}
