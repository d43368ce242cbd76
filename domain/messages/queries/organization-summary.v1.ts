import { z } from 'zod';
import { OrganizationId } from '../values/identifiers';
import { OrgRoleValue } from '../values/roles';

export const OrganizationSummaryV1 = z
  .object({
    organizationId: OrganizationId,
    name: z.string(),
    status: z.enum(['ACTIVE', 'SUSPENDED']),
    domains: z.array(z.string()),
    memberCount: z.number().int().nonnegative(),
    yourRole: OrgRoleValue,
  })
  .meta({ id: 'OrganizationSummaryV1' });
export type OrganizationSummaryV1 = z.infer<typeof OrganizationSummaryV1>;

export const OrganizationPathV1 = z.strictObject({ organizationId: OrganizationId });
