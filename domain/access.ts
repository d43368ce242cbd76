// Effective access: may user U act in organization O, and at what level? One answer, from
// memberships and third-party relationships, asked by every endpoint that touches an
// organization's data.
//
// A third-party user with access on gets the highest level on every product (TPU-4): everything a
// product admin can do and most of what an org admin can do. The org-admin powers a TPU does NOT
// get: managing third-party users (requesting, toggling, removing), making or unmaking org admins,
// and changing the organization's own settings (email domains, status). Those stay with the
// organization's own admins.
import type { Database } from '../platform/database';

export type AccessLevel = 'ORG_ADMIN' | 'PRODUCT_ADMIN' | 'THIRD_PARTY' | 'MEMBER';

export type Power =
  | 'view-organization'
  | 'use-products'
  | 'administer-products'
  | 'manage-members'
  | 'manage-integrations'
  | 'view-reports-and-billing'
  | 'export-data'
  | 'request-third-party-access'
  | 'manage-third-party-access'
  | 'manage-org-admins'
  | 'change-organization-settings';

const POWERS: Record<AccessLevel, ReadonlySet<Power>> = {
  ORG_ADMIN: new Set<Power>(['view-organization', 'use-products', 'administer-products', 'manage-members', 'manage-integrations', 'view-reports-and-billing', 'export-data', 'request-third-party-access', 'manage-third-party-access', 'manage-org-admins', 'change-organization-settings']),
  THIRD_PARTY: new Set<Power>(['view-organization', 'use-products', 'administer-products', 'manage-members', 'manage-integrations', 'view-reports-and-billing', 'export-data']),
  PRODUCT_ADMIN: new Set<Power>(['view-organization', 'use-products', 'administer-products', 'request-third-party-access']),
  MEMBER: new Set<Power>(['view-organization', 'use-products']),
};

export function can(level: AccessLevel | null, power: Power): boolean {
  return level !== null && POWERS[level].has(power);
}

export interface EffectiveAccess {
  level: AccessLevel;
  via: 'membership' | 'third-party-access';
}

export async function effectiveAccess(db: Database, userId: string, organizationId: string): Promise<EffectiveAccess | null> {
  const [membership, tpu] = await Promise.all([
    db.membership.findUnique({ where: { userId_organizationId: { userId, organizationId } }, select: { role: true } }),
    db.thirdPartyRelationship.findFirst({ where: { organizationId, thirdPartyUserId: userId, state: 'ACCESS_ON' }, select: { state: true } }),
  ]);
  // An organization's own role wins for its admins; a member who is also a TPU gets the TPU level.
  if (membership && membership.role !== 'MEMBER') return { level: membership.role, via: 'membership' };
  if (tpu) return { level: 'THIRD_PARTY', via: 'third-party-access' };
  if (membership) return { level: 'MEMBER', via: 'membership' };
  return null;
}
