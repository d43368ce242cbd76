// Who is acting, and with which roles. Roles are read from the database for every request; the
// token carries only the user id.
import type { OrgRole, PracticeRole, PortalRole, UserStatus } from '@prisma/client';
import { readRows, type Database } from '../platform/database';
import type { MyIdentityV1 } from './messages/queries/my-identity.v1';
import {
  NOW_AS_STORED,
  PRINCIPAL_MEMBERSHIPS,
  PRINCIPAL_THIRD_PARTY_ORGANIZATIONS,
  type PrincipalRow,
} from './authorization/entities';

export interface Actor {
  userId: string;
  /** Used only to match invitations to their invitee; never logged. */
  email: string;
  status: UserStatus;
  memberships: ReadonlyArray<{ organizationId: string; role: OrgRole }>;
  practiceRoles: ReadonlyArray<{ partnerFirmId: string; role: PracticeRole }>;
  isSupportAgent: boolean;
  portalRole: PortalRole | null;
  /** Issue 12: tokens and browser sessions from before this no longer count (null: none ended). */
  sessionsValidAfter: Date | null;
  /** When the token's holder last signed in with their password, if the token says (PA-5). */
  authTime?: Date;
  /** PA-5: switched into this customer account (the token is scoped to it), under this switch. */
  switchedInto?: string;
  switchId?: string;
}

/** What else the actor's statement read, for this request only: never kept beyond it. */
export interface ActorReads {
  /** GET /me's answer (names and the order roles were granted in): it reads nothing more. */
  identity: MyIdentityV1;
  /** The principal as the decision point reads it now, for the request's own check (not switched in). */
  principal: PrincipalRow;
}

interface ActorRow {
  id: string;
  email: string;
  status: UserStatus;
  sessionsValidAfter: Date | null;
  displayName: string;
  firmName: string | null;
  memberships: Array<{ organizationId: string; organizationName: string; role: OrgRole }>;
  practiceRoles: Array<{ partnerFirmId: string; partnerFirmName: string; role: PracticeRole }>;
  isSupportAgent: boolean;
  portalRole: PortalRole | null;
  principalMemberships: PrincipalRow['memberships'];
  thirdPartyOrganizationIds: string[];
}

/**
 * What a user shows of themself (GET /me's identity, MyIdentityV1): every membership and practice role
 * with its name, in the order they were granted, and the vendor's roles. Over `u`, a "User" row.
 */
export const IDENTITY_COLUMNS = `
    coalesce((select json_agg(json_build_object('organizationId', m."organizationId",
        'organizationName', o.name, 'role', m.role) order by m."createdAt")
      from "Membership" m join "Organization" o on o.id = m."organizationId" where m."userId" = u.id),
      '[]'::json) as memberships,
    coalesce((select json_agg(json_build_object('partnerFirmId', p."partnerFirmId",
        'partnerFirmName', f.name, 'role', p.role) order by p."createdAt")
      from "PracticeStaffMember" p join "PartnerFirm" f on f.id = p."partnerFirmId" where p."userId" = u.id),
      '[]'::json) as "practiceRoles",
    exists(select 1 from "SupportAgent" a where a."userId" = u.id) as "isSupportAgent",
    (select pa.role::text from "PortalAdmin" pa where pa."userId" = u.id) as "portalRole"`;

/**
 * The actor's statement; named, so each pooled connection prepares it once. Every membership and
 * practice role with its name (GET /me shows them, in the order they were granted), and the principal's
 * roles in effect `now` (entities.ts filters them so).
 */
const ACTOR_SQL = `
  with t as (select ${NOW_AS_STORED('$2')} as now)
  select u.id::text as id, u.email::text as email, u.status::text as status,
    (u."sessionsValidAfter" at time zone 'UTC') as "sessionsValidAfter", u."displayName", u."firmName",
    ${IDENTITY_COLUMNS},
    ${PRINCIPAL_MEMBERSHIPS} as "principalMemberships",
    ${PRINCIPAL_THIRD_PARTY_ORGANIZATIONS} as "thirdPartyOrganizationIds"
  from "User" u, t where u.id = $1::uuid`;

/**
 * The user and every role, in one statement: every authenticated request runs this first. Prisma's
 * nested select sent five statements one after another (the user, then each relation), about 5 ms of
 * CPU on this 2-core machine and five round trips; the subqueries here give the same rows in one, read
 * on the pool itself (readRows). The same statement reads what GET /me answers and what the request's
 * own decision needs of its principal (issue 13: one statement before a decided route's own reads).
 * `sessionsValidAfter` is stored as UTC without a zone: read as UTC.
 */
export async function loadActorAndReads(
  db: Database,
  userId: string,
  now = new Date(),
): Promise<{ actor: Actor; reads: ActorReads } | null> {
  const rows = await readRows<ActorRow>(db, 'actor', ACTOR_SQL, [userId, now.toISOString()]);
  const user = rows[0];
  if (!user) return null;
  const actor: Actor = {
    userId: user.id,
    email: user.email,
    status: user.status,
    memberships: user.memberships.map(({ organizationId, role }) => ({ organizationId, role })),
    practiceRoles: user.practiceRoles.map(({ partnerFirmId, role }) => ({ partnerFirmId, role })),
    isSupportAgent: user.isSupportAgent,
    portalRole: user.portalRole,
    sessionsValidAfter: user.sessionsValidAfter,
  };
  const identity: MyIdentityV1 = {
    userId: user.id,
    email: user.email,
    displayName: user.displayName,
    firmName: user.firmName,
    memberships: user.memberships,
    practiceRoles: user.practiceRoles,
    isSupportAgent: user.isSupportAgent,
    portalRole: user.portalRole,
  };
  const principal: PrincipalRow = {
    status: user.status,
    memberships: user.principalMemberships,
    practiceRoles: actor.practiceRoles.map((r) => ({ ...r })),
    supportAgent: user.isSupportAgent,
    portalAdmin: user.portalRole !== null,
    thirdPartyOrganizationIds: user.thirdPartyOrganizationIds,
  };
  return { actor, reads: { identity, principal } };
}

/** The user and every role (see loadActorAndReads). */
export async function loadActor(db: Database, userId: string): Promise<Actor | null> {
  return (await loadActorAndReads(db, userId))?.actor ?? null;
}

export function orgRoleOf(actor: Actor, organizationId: string): OrgRole | null {
  return actor.memberships.find((m) => m.organizationId === organizationId)?.role ?? null;
}

export function practiceRoleOf(actor: Actor, partnerFirmId: string | undefined): PracticeRole | null {
  return actor.practiceRoles.find((r) => r.partnerFirmId === partnerFirmId)?.role ?? null;
}
