// PA-2, PA-3: customer accounts, their users and licence seats as domain events (ids only).
import { z } from 'zod';
import { OrganizationId, PartnerFirmId, UserId } from '../values/identifiers';

/** PA-2: an account was suspended or reactivated (by its partner or support), through its workflow. */
export const AccountStatusChangedV1 = z
  .strictObject({
    organizationId: OrganizationId,
    partnerFirmId: PartnerFirmId.nullable(),
    status: z.enum(['ACTIVE', 'SUSPENDED']),
    actorUserId: UserId,
    transition: z.number().int(),
  })
  .meta({ id: 'AccountStatusChangedV1' });

/** PA-3: a user of a customer account was edited, deactivated, reactivated or removed. */
export const CustomerUserChangedV1 = z
  .strictObject({
    organizationId: OrganizationId,
    userId: UserId,
    change: z.enum(['edited', 'deactivated', 'reactivated', 'removed']),
    actorUserId: UserId,
  })
  .meta({ id: 'CustomerUserChangedV1' });

/** PA-1, PA-3: a seat of a licence was given or taken back. */
export const LicenceSeatChangedV1 = z
  .strictObject({
    licenceId: z.uuid(),
    /** The account the licence belongs to: a customer organization or a partner account. */
    accountId: z.uuid(),
    userId: UserId,
    seats: z.number().int(),
    seatsUsed: z.number().int(),
    actorUserId: UserId,
  })
  .meta({ id: 'LicenceSeatChangedV1' });
