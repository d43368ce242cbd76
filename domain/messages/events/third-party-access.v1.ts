import { z } from 'zod';
import { OrganizationId, UserId } from '../values/identifiers';
import { TpuOrigin, TpuState } from '../values/third-party-access';

/** Every transition of a third-party-user relationship. Ids only: no email, no name. */
export const ThirdPartyAccessChangedV1 = z
  .strictObject({
    relationshipId: z.string(),
    organizationId: OrganizationId,
    thirdPartyUserId: UserId.nullable(),
    state: TpuState,
    origin: TpuOrigin,
    reason: z.string(),
    ticketId: z.string().nullable(),
    /** Who caused it, when a person did. */
    actorUserId: UserId.nullable(),
  })
  .meta({ id: 'ThirdPartyAccessChangedV1' });
