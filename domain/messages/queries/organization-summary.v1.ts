import { z } from 'zod';
import { OrganizationId } from '../values/identifiers';

export const OrganizationSummaryV1 = z
  .object({
    organizationId: OrganizationId,
    name: z.string(),
    status: z.enum(['ACTIVE', 'SUSPENDED']),
    domains: z.array(z.string()),
    memberCount: z.number().int().nonnegative(),
    /** Your effective access: an org role, or THIRD_PARTY when your third-party access is on. */
    yourAccess: z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'THIRD_PARTY', 'MEMBER']),
  })
  .meta({ id: 'OrganizationSummaryV1' });
export type OrganizationSummaryV1 = z.infer<typeof OrganizationSummaryV1>;

export const OrganizationPathV1 = z.strictObject({ organizationId: OrganizationId });
