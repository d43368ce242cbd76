// PA-5: switching into a customer account and back, as domain events (ids only, never names or emails).
import { z } from 'zod';
import { OrganizationId, UserId } from '../values/identifiers';

/** A partner user switched into a customer account, under its guest grant. */
export const AccountSwitchedInV1 = z
  .strictObject({
    switchId: z.uuid(),
    userId: UserId,
    organizationId: OrganizationId,
    /** The ledger's id of the guest grant the switch is under (`membership:<id>`). */
    grantId: z.string(),
    auditEntryId: z.uuid(),
  })
  .meta({ id: 'AccountSwitchedInV1' });

/** A partner user switched back to their partner account; the switched-in token is dead. */
export const AccountSwitchedBackV1 = z
  .strictObject({
    switchId: z.uuid(),
    userId: UserId,
    organizationId: OrganizationId,
    auditEntryId: z.uuid(),
  })
  .meta({ id: 'AccountSwitchedBackV1' });
