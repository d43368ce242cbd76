// AM-2, PS-4: the rules of a partner firm's delegation into a client organization, asked when a
// manager offers access (refused before any invitation is sent), when the staff user accepts (the
// offer may no longer hold), and when an offboarding hands access over.
import type { ClientRelationship, OrgRole, Prisma } from '@prisma/client';
import { recordEvent } from '../events/outbox';
import { Authorizer } from './authorization/authorizer';
import { inForce, type Reader } from './authorization/entities';

const RANK: Record<OrgRole, number> = { MEMBER: 1, PRODUCT_ADMIN: 2, ORG_ADMIN: 3 };

export const withinCeiling = (role: OrgRole, ceiling: OrgRole) => RANK[role] <= RANK[ceiling];

/** The role itself, or the ceiling when the role is above it. */
export const cappedAt = (role: OrgRole, ceiling: OrgRole): OrgRole => (withinCeiling(role, ceiling) ? role : ceiling);

/** The firm's relationship with the organization that is in force now, if any. */
export function relationshipInForce(db: Reader, partnerFirmId: string, organizationId: string, now = new Date()) {
  return db.clientRelationship.findFirst({ where: { partnerFirmId, organizationId, ...inForce(now) } });
}

export interface DelegationRefusal {
  /** no-relationship, above-ceiling: a business rule (422 when offering). not-allowed: the policy said no (403). */
  kind: 'no-relationship' | 'above-ceiling' | 'not-allowed';
  message: string;
}

export interface Delegation {
  partnerFirmId: string;
  organizationId: string;
  role: OrgRole;
  /** Who offers it (the manager), and to whom (a staff user of the firm). */
  granterId: string;
  inviteeId: string;
}

/** Why this delegation may not be granted now, or null with the relationship it is granted under. */
export async function checkDelegation(
  db: Reader,
  d: Delegation,
): Promise<{ refused: DelegationRefusal; relationship: null } | { refused: null; relationship: ClientRelationship }> {
  const relationship = await relationshipInForce(db, d.partnerFirmId, d.organizationId);
  if (!relationship) {
    const message =
      'The firm has no client relationship in force with this organization: its org admins approve one first.';
    return { refused: { kind: 'no-relationship', message }, relationship: null };
  }
  const decision = await new Authorizer(db).decide({
    principalId: d.granterId,
    action: 'grantOrganizationAccess',
    resource: { type: 'ClientRelationship', id: relationship.id },
    contextUsers: { invitee: d.inviteeId },
  });
  if (!decision.allowed) {
    const message =
      d.granterId === d.inviteeId
        ? 'Nobody grants organization access to themself.'
        : "Only the firm's Account Owner, Account Managers and User Managers grant access, " +
          "to a user on the firm's staff.";
    return { refused: { kind: 'not-allowed', message }, relationship: null };
  }
  // Who may grant comes first (403); then what the organization allows (422).
  if (!withinCeiling(d.role, relationship.roleCeiling)) {
    const message = `${d.role} is above what the organization allows this firm (${relationship.roleCeiling}).`;
    return { refused: { kind: 'above-ceiling', message }, relationship: null };
  }
  return { refused: null, relationship };
}

/**
 * PS-4 at accept: the delegated membership with its provenance and its event, in the caller's
 * transaction; or why the offer no longer holds (nothing written).
 */
export async function grantDelegation(
  tx: Prisma.TransactionClient,
  d: Delegation & { invitationId: string | null; expiresAt?: Date },
): Promise<{ refused: string } | { membershipId: string }> {
  const { refused, relationship } = await checkDelegation(tx, d);
  if (refused) return { refused: `This offer no longer holds: ${refused.message}` };
  if (d.expiresAt && d.expiresAt <= new Date()) return { refused: 'The access this offer gave has already ended.' };
  const key = { userId_organizationId: { userId: d.inviteeId, organizationId: d.organizationId } };
  if (await tx.membership.findUnique({ where: key }))
    return { refused: 'You already have access to this organization.' };
  const membership = await tx.membership.create({
    data: {
      userId: d.inviteeId,
      organizationId: d.organizationId,
      role: d.role,
      source: 'DELEGATION',
      clientRelationshipId: relationship.id,
      grantedById: d.granterId,
      invitationId: d.invitationId,
      expiresAt: d.expiresAt,
    },
  });
  await recordEvent(tx, 'partneraccess.access.grant-given.v1', {
    aggregateId: d.organizationId,
    data: {
      grantId: `membership:${membership.id}`,
      organizationId: d.organizationId,
      userId: d.inviteeId,
      source: 'DELEGATION',
      clientRelationshipId: relationship.id,
      role: d.role,
      actorUserId: d.granterId,
      reason: "Accepted the firm's offer.",
    },
  });
  return { membershipId: membership.id };
}
