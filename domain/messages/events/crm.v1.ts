import { z } from 'zod';
import { OrganizationId, UserId } from '../values/identifiers';

/**
 * What the CRM says about a partner user and an organization (INT-2), as the CRM sends it on
 * partner-access.crm-account-owners.v1.
 */
export const CrmAccountOwnerStatusV1 = z
  .strictObject({
    organizationExternalId: z.string().trim().min(1).max(100),
    partnerEmail: z.email().trim().toLowerCase(),
    partnerFirmName: z.string().trim().min(1).max(200),
    isAccountOwner: z.boolean(),
    /** When this became true in the CRM; older news never overwrites newer. */
    asOf: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'CrmAccountOwnerStatusV1' });
export type CrmAccountOwnerStatusV1 = z.infer<typeof CrmAccountOwnerStatusV1>;

/** Our event when the stored Account Owner status changes. Ids only, no email. */
export const AccountOwnerStatusChangedV1 = z
  .strictObject({
    organizationExternalId: z.string(),
    organizationId: OrganizationId.nullable(),
    partnerUserId: UserId.nullable(),
    isAccountOwner: z.boolean(),
    asOf: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'AccountOwnerStatusChangedV1' });
