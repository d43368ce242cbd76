import { z } from 'zod';
import { OrganizationId, UserId } from '../values/identifiers';
import { TpuOrigin, TpuState } from '../values/third-party-access';

/** One third-party-user relationship as the API shows it. */
export const ThirdPartyAccessV1 = z
  .object({
    relationshipId: z.string(),
    organizationId: OrganizationId,
    organizationName: z.string(),
    thirdPartyUserId: UserId.nullable(),
    thirdPartyName: z.string(),
    firmName: z.string(),
    state: TpuState,
    origin: TpuOrigin,
    /** A plain sentence saying where things stand and what to do next (TPU-6). */
    reason: z.string(),
    /** AM-5: when access turns itself off (null: no end date, or access is off). */
    accessEndsAt: z.iso.datetime().nullable(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'ThirdPartyAccessV1' });
export type ThirdPartyAccessV1 = z.infer<typeof ThirdPartyAccessV1>;
