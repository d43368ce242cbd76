import { z } from 'zod';
import { OrganizationId, PartnerFirmId, UserId } from '../values/identifiers';
import { OrgRoleValue, PortalRoleValue, PracticeRoleValue } from '../values/roles';

/** Who the caller is and what roles the database gives them. */
export const MyIdentityV1 = z
  .object({
    userId: UserId,
    email: z.email(),
    displayName: z.string(),
    firmName: z.string().nullable(),
    memberships: z.array(
      z.object({ organizationId: OrganizationId, organizationName: z.string(), role: OrgRoleValue }),
    ),
    practiceRoles: z.array(
      z.object({ partnerFirmId: PartnerFirmId, partnerFirmName: z.string(), role: PracticeRoleValue }),
    ),
    isSupportAgent: z.boolean(),
    portalRole: PortalRoleValue.nullable(),
  })
  .meta({ id: 'MyIdentityV1' });
export type MyIdentityV1 = z.infer<typeof MyIdentityV1>;
