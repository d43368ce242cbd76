// Effective access, for showing: at what level does user U act in organization O, and through what?
// It reads the same roles the policy decision point reads (authorization/entities.ts), so what a
// person is shown is what they are allowed. Whether they may do a given thing is the policies' call
// (authorization/policies), never this level's.
//
// A third-party user with access on acts at THIRD_PARTY (TPU-4): everything a product admin can do
// and most of what an org admin can do, without the four powers that stay with the organization's
// own org admins (see policies/organization.cedar).
import type { Reader } from './authorization/entities';
import { roleIds, rolesOf } from './authorization/entities';

export type AccessLevel = 'ORG_ADMIN' | 'PRODUCT_ADMIN' | 'THIRD_PARTY' | 'MEMBER';

export interface EffectiveAccess {
  level: AccessLevel;
  via: 'membership' | 'third-party-access';
}

export async function effectiveAccess(
  db: Reader,
  userId: string,
  organizationId: string,
): Promise<EffectiveAccess | null> {
  const { active, roles } = await rolesOf(db, userId);
  return active ? accessIn(roles, organizationId) : null;
}

/** The level a set of roles (as the decision point read them) gives in an organization. */
export function accessIn(roles: readonly string[], organizationId: string): EffectiveAccess | null {
  const holds = (level: AccessLevel) => roles.includes(roleIds.organization(organizationId, level));
  // An organization's own admin role wins; a member who is also a TPU gets the TPU level.
  if (holds('ORG_ADMIN')) return { level: 'ORG_ADMIN', via: 'membership' };
  if (holds('PRODUCT_ADMIN')) return { level: 'PRODUCT_ADMIN', via: 'membership' };
  if (holds('THIRD_PARTY') && !holds('MEMBER')) return { level: 'THIRD_PARTY', via: 'third-party-access' };
  if (holds('MEMBER')) return { level: 'MEMBER', via: 'membership' };
  return null;
}
