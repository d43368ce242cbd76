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
import { readRows, type Database } from '../../platform/database';
import { offerOf } from '../messages/values/invitation-offer';
import { connectedAdmin } from '../business-partners';
import type { InvitationKind } from '../messages/values/invitation';

export type Reader = Database | Prisma.TransactionClient;

export type ResourceRef =
  | { type: 'Organization'; id: string }
  | { type: 'PartnerFirm'; id: string }
  | { type: 'ClientRelationship'; id: string }
  | { type: 'BusinessPartnerCompany'; id: string }
  | { type: 'Task'; id: string }
  | { type: 'ThirdPartyRelationship'; organizationId: string; relationshipId: string }
  | { type: 'Invitation'; id: string }
  /** PA-1, PA-3: a licence of a customer account or of a partner account's own space. */
  | { type: 'Licence'; id: string }
  /** A list of invitations (kind and scope), decided as an invitation of that kind and scope. */
  | { type: 'InvitationList'; kind: InvitationKindName; scopeId: string; partnerFirmId?: string }
  | { type: 'Portal' }
  | { type: 'SupportDesk' }
  | { type: 'Integration' };

type InvitationKindName = InvitationKind;

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
export const inForce = (now: Date) => ({
  state: 'ACTIVE' as const,
  OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
});

export interface PrincipalRow {
  status: string;
  /** In effect now, OWN or DELEGATION under a client relationship in force (its firm, to check staff). */
  memberships: Array<{
    organizationId: string;
    role: OrgRoleName;
    source: 'OWN' | 'DELEGATION';
    delegatingFirmId: string | null;
  }>;
  practiceRoles: Array<{ partnerFirmId: string; role: FirmRoleName }>;
  supportAgent: boolean;
  portalAdmin: boolean;
  /** TPU: organizations where the user's third-party access is on and not past its end. */
  thirdPartyOrganizationIds: string[];
}
type OrgRoleName = 'ORG_ADMIN' | 'PRODUCT_ADMIN' | 'MEMBER' | 'THIRD_PARTY';
type FirmRoleName = 'ACCOUNT_OWNER' | 'ACCOUNT_MANAGER' | 'USER_MANAGER' | 'STAFF';

/**
 * A decision's principal in one statement (issue 13's hot path: every decided route reads it). The
 * filters are those of the Prisma reads it replaces, which took seven statements: a membership counts
 * while not deactivated and not past its end date, OWN, or DELEGATION under an ACTIVE client
 * relationship not past its own end (inForce); third-party access while ACCESS_ON and not past its end.
 * `now` is compared as UTC, the way Prisma stores timestamps, whatever the session's time zone.
 */
async function principalRow(db: Reader, userId: string, now: Date): Promise<PrincipalRow | null> {
  const rows = await readRows<PrincipalRow>(db, 'principal', PRINCIPAL_SQL, [now.toISOString(), userId]);
  return rows[0] ?? null;
}

/**
 * The principal's rows that need `now` (a CTE `t`) and the user `u`: memberships in effect and
 * third-party access on. Shared with the actor's statement (domain/actor.ts), which reads them with the
 * actor so that a request's own decision reads nothing more about its caller.
 */
export const PRINCIPAL_MEMBERSHIPS = `
  coalesce((select json_agg(json_build_object('organizationId', m."organizationId", 'role', m.role,
      'source', m.source, 'delegatingFirmId', cr."partnerFirmId"))
    from "Membership" m left join "ClientRelationship" cr on cr.id = m."clientRelationshipId"
    where m."userId" = u.id and m."deactivatedAt" is null
      and (m."expiresAt" is null or m."expiresAt" > t.now)
      and (m.source = 'OWN' or (m.source = 'DELEGATION' and cr.state = 'ACTIVE'
        and (cr."expiresAt" is null or cr."expiresAt" > t.now)))), '[]'::json)`;
export const PRINCIPAL_THIRD_PARTY_ORGANIZATIONS = `
  coalesce((select json_agg(r."organizationId") from "ThirdPartyRelationship" r
    where r."thirdPartyUserId" = u.id and r.state = 'ACCESS_ON'
      and (r."accessEndsAt" is null or r."accessEndsAt" > t.now)), '[]'::json)`;
/** `now` as Prisma stores timestamps (UTC, without a zone), whatever the session's time zone. */
export const NOW_AS_STORED = (param: string) => `(${param}::timestamptz at time zone 'UTC')`;

/** principalRow's statement; named, so each pooled connection prepares it once (readRows). */
const PRINCIPAL_SQL = `
  with t as (select ${NOW_AS_STORED('$1')} as now)
  select u.status::text as status, ${PRINCIPAL_MEMBERSHIPS} as memberships,
    coalesce((select json_agg(json_build_object('partnerFirmId', p."partnerFirmId", 'role', p.role))
      from "PracticeStaffMember" p where p."userId" = u.id), '[]'::json) as "practiceRoles",
    exists(select 1 from "SupportAgent" a where a."userId" = u.id) as "supportAgent",
    exists(select 1 from "PortalAdmin" pa where pa."userId" = u.id) as "portalAdmin",
    ${PRINCIPAL_THIRD_PARTY_ORGANIZATIONS} as "thirdPartyOrganizationIds"
  from "User" u, t where u.id = $2::uuid`;

/**
 * The roles a user holds now, each as the id of a Role group. Switched into a customer account
 * (PA-5), a user holds only what that account's guest grant gives them there: nothing of their
 * partner account, nothing elsewhere. Not switched, guest grants count for nothing.
 */
export async function rolesOf(
  db: Reader,
  userId: string,
  now = new Date(),
  switchedInto?: string,
): Promise<{ active: boolean; roles: string[] }> {
  const inEffect = { deactivatedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  if (switchedInto) {
    const user = await db.user.findUnique({
      where: { id: userId },
      select: {
        status: true,
        memberships: {
          where: { ...inEffect, organizationId: switchedInto, source: 'GUEST' },
          select: { organizationId: true, role: true },
        },
      },
    });
    if (!user) return { active: false, roles: [] };
    const roles = user.memberships.map((m) => roleIds.organization(m.organizationId, m.role));
    return { active: user.status === 'ACTIVE', roles };
  }
  const user = await principalRow(db, userId, now);
  return user ? rolesFromRow(user) : { active: false, roles: [] };
}

/** The roles a principal's row gives (read by principalRow, or with the actor in domain/actor.ts). */
export function rolesFromRow(user: PrincipalRow): { active: boolean; roles: string[] } {
  const firms = new Set(user.practiceRoles.map((r) => r.partnerFirmId));
  // A delegation stands only while its holder is on the delegating firm's staff.
  const standing = user.memberships.filter(
    (m) => m.source === 'OWN' || (m.delegatingFirmId !== null && firms.has(m.delegatingFirmId)),
  );
  const roles = [
    ...standing.map((m) => roleIds.organization(m.organizationId, m.role)),
    ...standing
      .filter((m) => m.source === 'DELEGATION')
      .map((m) => roleIds.organization(m.organizationId, 'THIRD_PARTY')),
    ...user.thirdPartyOrganizationIds.map((id) => roleIds.organization(id, 'THIRD_PARTY')),
    ...user.practiceRoles.flatMap((r) => [
      roleIds.firm(r.partnerFirmId, r.role),
      roleIds.firm(r.partnerFirmId, 'STAFF'),
    ]),
    ...(user.supportAgent ? [roleIds.support] : []),
    ...(user.portalAdmin ? [roleIds.portalAdmins] : []),
  ];
  return { active: user.status === 'ACTIVE', roles: [...new Set(roles)] };
}

/**
 * The decision's principal. `read`: its row as this same request read it with the actor a moment ago
 * (issue 13: one statement for both); never one kept from an earlier request, so a revoked role counts
 * for nothing from the next request on. Switched in (PA-5), the principal is read here, as a guest.
 */
export async function principalEntity(
  db: Reader,
  userId: string,
  switchedInto?: string,
  read?: PrincipalRow,
): Promise<EntityJson> {
  const { active, roles } =
    read && !switchedInto ? rolesFromRow(read) : await rolesOf(db, userId, new Date(), switchedInto);
  return {
    uid: uid('User', userId),
    attrs: { active, ...(switchedInto ? { switchedInto: ref('Organization', switchedInto) } : {}) },
    parents: roles.map((r) => uid('Role', r)),
  } as EntityJson;
}

/** What the policies know of an organization beyond its roles (PA-2, PA-4): read from its row. */
export interface OrganizationFacts {
  suspended: boolean;
  /** The partner account it is a customer account of, if any, and whether that partner gets in on its own. */
  partnerFirmId?: string;
  automaticPartnerAccess: boolean;
}
const ordinary: OrganizationFacts = { suspended: false, automaticPartnerAccess: false };

const organizationAttrs = (organizationId: string, facts: OrganizationFacts) => ({
  admins: role(roleIds.organization(organizationId, 'ORG_ADMIN')),
  productAdmins: role(roleIds.organization(organizationId, 'PRODUCT_ADMIN')),
  members: role(roleIds.organization(organizationId, 'MEMBER')),
  thirdParties: role(roleIds.organization(organizationId, 'THIRD_PARTY')),
  suspended: facts.suspended,
  automaticPartnerAccess: facts.automaticPartnerAccess,
  ...(facts.partnerFirmId ? { partner: ref('PartnerFirm', facts.partnerFirmId) } : {}),
});
const firmAttrs = (partnerFirmId: string) => ({
  accountOwners: role(roleIds.firm(partnerFirmId, 'ACCOUNT_OWNER')),
  accountManagers: role(roleIds.firm(partnerFirmId, 'ACCOUNT_MANAGER')),
  userManagers: role(roleIds.firm(partnerFirmId, 'USER_MANAGER')),
  staff: role(roleIds.firm(partnerFirmId, 'STAFF')),
});

const entity = (type: string, id: string, attrs: Record<string, unknown>): EntityJson =>
  ({ uid: uid(type, id), attrs, parents: [] }) as EntityJson;
/** An organization and a firm as the policies see them: their roles as groups, and the given facts. */
export const organizationEntity = (id: string, facts: OrganizationFacts = ordinary) =>
  entity('Organization', id, organizationAttrs(id, facts));
export const firmEntity = (id: string) => entity('PartnerFirm', id, firmAttrs(id));
const firm = firmEntity;

/** What of an organization's row its facts need: read with the resource that has it, in one query. */
const organizationFacts = {
  select: { id: true, status: true, customerAccount: { select: { partnerFirmId: true, accessModel: true } } },
} as const;
type OrganizationRow = Prisma.OrganizationGetPayload<typeof organizationFacts>;

/** An organization as the policies see it, from its row, with its partner firm when it has one. */
function organizationOf(row: OrganizationRow): EntityJson[] {
  const partnerFirmId = row.customerAccount?.partnerFirmId;
  const facts: OrganizationFacts = {
    suspended: row.status === 'SUSPENDED',
    partnerFirmId,
    automaticPartnerAccess: row.customerAccount?.accessModel === 'AUTOMATIC',
  };
  return [organizationEntity(row.id, facts), ...(partnerFirmId ? [firm(partnerFirmId)] : [])];
}

/** An organization read by id, for resources without a relation to it (null: no such organization). */
async function organizationEntities(db: Reader, id: string): Promise<EntityJson[] | null> {
  // Every decision on an organization reads this (issue 13's hot path): one statement on the pool, not
  // Prisma's two (the organization, then its customer account).
  const rows = await readRows<{
    id: string;
    status: string;
    partnerFirmId: string | null;
    accessModel: string | null;
  }>(
    db,
    'organization-facts',
    `select o.id::text as id, o.status::text as status, ca."partnerFirmId"::text as "partnerFirmId",
       ca."accessModel"::text as "accessModel"
     from "Organization" o left join "CustomerAccount" ca on ca."organizationId" = o.id where o.id = $1::uuid`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  const { partnerFirmId, accessModel } = row;
  return organizationOf({
    id: row.id,
    status: row.status as OrganizationRow['status'],
    customerAccount: partnerFirmId
      ? { partnerFirmId, accessModel: accessModel as NonNullable<OrganizationRow['customerAccount']>['accessModel'] }
      : null,
  });
}
/** The organization a resource belongs to, which exists (a foreign key says so). */
const organization = async (db: Reader, id: string) => (await organizationEntities(db, id)) ?? [];

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
// eslint-disable-next-line complexity -- one case per resource type of the Cedar schema, each a short read
export async function resourceEntities(
  db: Reader,
  resource: ResourceRef,
): Promise<{ uid: EntityUidJson; entities: EntityJson[] }> {
  switch (resource.type) {
    case 'Organization': {
      const entities = await organizationEntities(db, resource.id);
      if (!entities) throw new MissingResource(resource);
      return { uid: uid('Organization', resource.id), entities };
    }
    case 'PartnerFirm':
      if (!(await db.partnerFirm.findUnique({ where: { id: resource.id }, select: { id: true } })))
        throw new MissingResource(resource);
      return { uid: uid('PartnerFirm', resource.id), entities: [firm(resource.id)] };
    case 'ClientRelationship': {
      const row = await db.clientRelationship.findUnique({
        where: { id: resource.id },
        include: { organization: organizationFacts },
      });
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
          ...organizationOf(row.organization),
        ],
      };
    }
    case 'BusinessPartnerCompany': {
      const row = await db.businessPartnerCompany.findUnique({ where: { id: resource.id }, include: companyFacts });
      if (!row) throw new MissingResource(resource);
      return {
        uid: uid('BusinessPartnerCompany', row.id),
        entities: [companyEntity(row), ...(await organization(db, row.organizationId))],
      };
    }
    case 'Task': {
      const row = await db.task.findUnique({
        where: { id: resource.id },
        include: { grants: { select: { userId: true } } },
      });
      if (!row) throw new MissingResource(resource);
      const sharedWith = await sharesThatCount(
        db,
        row.organizationId,
        row.grants.map((g) => g.userId),
      );
      const attrs = {
        organization: ref('Organization', row.organizationId),
        sharedWith: sharedWith.map((userId) => ref('User', userId)),
      };
      return {
        uid: uid('Task', row.id),
        entities: [entity('Task', row.id, attrs), ...(await organization(db, row.organizationId))],
      };
    }
    case 'ThirdPartyRelationship': {
      const key = { organizationId: resource.organizationId, relationshipId: resource.relationshipId };
      const row = await db.thirdPartyRelationship.findUnique({
        where: { organizationId_relationshipId: key },
        include: { organization: organizationFacts },
      });
      if (!row) throw new MissingResource(resource);
      const attrs = {
        organization: ref('Organization', row.organizationId),
        ...(row.thirdPartyUserId ? { thirdParty: ref('User', row.thirdPartyUserId) } : {}),
      };
      const id = `${row.organizationId}/${row.relationshipId}`;
      return {
        uid: uid('ThirdPartyRelationship', id),
        entities: [entity('ThirdPartyRelationship', id, attrs), ...organizationOf(row.organization)],
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
    case 'Licence': {
      const row = await db.licence.findUnique({
        where: { id: resource.id },
        select: { organizationId: true, partnerFirmId: true, organization: organizationFacts },
      });
      if (!row) throw new MissingResource(resource);
      const attrs = row.organizationId
        ? { organization: ref('Organization', row.organizationId) }
        : { firm: ref('PartnerFirm', row.partnerFirmId!) };
      return {
        uid: uid('Licence', resource.id),
        entities: [
          entity('Licence', resource.id, attrs),
          ...(row.organization ? organizationOf(row.organization) : [firm(row.partnerFirmId!)]),
        ],
      };
    }
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

/** BP-5, BP-6: what the policies ask of a company beyond its row: its connected ADMIN people. */
const companyFacts = {
  people: { where: connectedAdmin, select: { userId: true } },
} satisfies Prisma.BusinessPartnerCompanyInclude;

function companyEntity(row: Prisma.BusinessPartnerCompanyGetPayload<{ include: typeof companyFacts }>): EntityJson {
  return entity('BusinessPartnerCompany', row.id, {
    owner: ref('User', row.ownerUserId),
    organization: ref('Organization', row.organizationId),
    admins: row.people.flatMap((p) => (p.userId ? [ref('User', p.userId)] : [])),
    blocked: row.blockedAt !== null,
    controlled: row.controlledAt !== null,
  });
}

/**
 * BP-5: the users a task's shares still count for. While every business partner company a user is
 * on in the task's organization is blocked, their shares count for nothing; a user on a company that
 * is not blocked, or on none, keeps them. Blocking changes no share, so unblocking gives back exactly
 * what was there.
 */
async function sharesThatCount(db: Reader, organizationId: string, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const partners = await db.businessPartner.findMany({
    where: { userId: { in: userIds }, company: { organizationId } },
    select: { userId: true, company: { select: { blockedAt: true } } },
  });
  return userIds.filter((userId) => {
    const on = partners.filter((p) => p.userId === userId);
    return on.length === 0 || on.some((p) => p.company.blockedAt === null);
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
    const company = await db.businessPartnerCompany.findUnique({ where: { id: scopeId }, include: companyFacts });
    if (company) {
      attrs.company = ref('BusinessPartnerCompany', company.id);
      entities.push(companyEntity(company), ...(await organization(db, company.organizationId)));
    }
  } else if (kind === 'PRACTICE_STAFF') {
    attrs.firm = ref('PartnerFirm', scopeId);
    entities.push(firm(scopeId));
  } else if (kind === 'CUSTOMER_USER' || kind === 'ACCOUNT_GUEST' || kind === 'ORGANIZATION_ACCESS') {
    // An invitation (or a list) of an organization that does not exist is a missing resource (404):
    // naming it in the entities would make Cedar fail on a reference to nothing (a 500).
    const scope = await organizationEntities(db, scopeId);
    if (!scope) throw new MissingResource({ type: 'Organization', id: scopeId });
    attrs.organization = ref('Organization', scopeId);
    entities.push(...scope);
    if (kind === 'ORGANIZATION_ACCESS' && firmId) {
      attrs.firm = ref('PartnerFirm', firmId);
      entities.push(firm(firmId));
    }
  }
  return { uid: uid('Invitation', id), entities: [entity('Invitation', id, attrs), ...entities] };
}
