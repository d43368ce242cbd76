import { z } from 'zod';
import { PersonName } from '../values/person';
import { EmailAddress } from '../values/invitation';
import { OrganizationId, UserId } from '../values/identifiers';

/** The practice roles an invitation can offer (there is one Account Owner, never invited). */
export const InvitablePracticeRole = z
  .enum(['ACCOUNT_MANAGER', 'USER_MANAGER', 'STAFF'])
  .meta({ id: 'InvitablePracticeRole' });

/** PS-2: add a user to Practice Staff, by invitation. */
export const InvitePracticeStaffV1 = z
  .strictObject({
    firstName: PersonName,
    lastName: PersonName,
    email: EmailAddress,
    role: InvitablePracticeRole.default('STAFF'),
  })
  .meta({ id: 'InvitePracticeStaffV1' });

/** PS-3: the Account Owner changes a user's practice role. */
export const ChangePracticeRoleV1 = z
  .strictObject({ role: InvitablePracticeRole })
  .meta({ id: 'ChangePracticeRoleV1' });

/** PS-4: client organizations for a staff user, each with an organization-based role; each becomes an invitation. */
export const GrantOrganizationAccessV1 = z
  .strictObject({
    organizations: z
      .array(
        z.strictObject({
          organizationId: OrganizationId,
          role: z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'MEMBER']),
          /** AM-5: the access ends then (it ends with the client relationship in any case). */
          until: z.iso
            .datetime()
            .refine((at) => Date.parse(at) > Date.now(), 'must be in the future')
            .refine((at) => Date.parse(at) <= Date.now() + 730 * 86400_000, 'at most two years ahead')
            .optional(),
        }),
      )
      .min(1)
      .max(100)
      .refine((list) => new Set(list.map((o) => o.organizationId)).size === list.length, 'each organization once'),
  })
  .meta({ id: 'GrantOrganizationAccessV1' });

/** PS-5: offboard a user, naming the replacement who takes over what they held. */
export const OffboardPracticeStaffV1 = z
  .strictObject({ userId: UserId, replacementUserId: UserId })
  .meta({ id: 'OffboardPracticeStaffV1' });

/** PS-6: invite users who are not certified to the certification. */
export const InviteToCertificationV1 = z
  .strictObject({ userIds: z.array(UserId).min(1).max(200) })
  .meta({ id: 'InviteToCertificationV1' });
