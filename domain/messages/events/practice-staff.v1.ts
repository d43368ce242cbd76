import { z } from 'zod';
import { OrganizationId, PartnerFirmId, UserId } from '../values/identifiers';

const PracticeRole = z.enum(['ACCOUNT_OWNER', 'ACCOUNT_MANAGER', 'USER_MANAGER', 'STAFF']);
const OrgRole = z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'MEMBER']);

/** PS-3: the Account Owner changed a user's practice role. */
export const PracticeRoleChangedV1 = z
  .strictObject({
    partnerFirmId: PartnerFirmId,
    userId: UserId,
    from: PracticeRole,
    to: PracticeRole,
    actorUserId: UserId,
  })
  .meta({ id: 'PracticeRoleChangedV1' });

/** PS-3, PS-5: a user left the Practice Staff (removed, or at the end of an offboarding). */
export const PracticeStaffRemovedV1 = z
  .strictObject({
    partnerFirmId: PartnerFirmId,
    userId: UserId,
    actorUserId: UserId,
    offboardingId: z.uuid().nullable(),
  })
  .meta({ id: 'PracticeStaffRemovedV1' });

/** PS-5: an offboarding started, was refused, or completed. */
export const OffboardingChangedV1 = z
  .strictObject({
    offboardingId: z.uuid(),
    partnerFirmId: PartnerFirmId,
    userId: UserId,
    replacementUserId: UserId,
    state: z.enum(['RUNNING', 'COMPLETED', 'REFUSED']),
    total: z.number().int().nonnegative(),
    done: z.number().int().nonnegative(),
    reason: z.string(),
  })
  .meta({ id: 'OffboardingChangedV1' });

/** PS-5: one organization handed over to the replacement. */
export const OffboardingOrganizationDoneV1 = z
  .strictObject({
    offboardingId: z.uuid(),
    organizationId: OrganizationId,
    userId: UserId,
    replacementUserId: UserId,
    assignmentsMoved: z.number().int().nonnegative(),
    roleGiven: OrgRole.nullable(),
    roleRemoved: OrgRole.nullable(),
  })
  .meta({ id: 'OffboardingOrganizationDoneV1' });

/** PS-6: a user was invited to the certification. */
export const CertificationInvitedV1 = z
  .strictObject({ partnerFirmId: PartnerFirmId, userId: UserId, actorUserId: UserId })
  .meta({ id: 'CertificationInvitedV1' });
