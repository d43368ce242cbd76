// PA-1, PA-2, PA-3: what a partner account and its customer accounts look like from the outside.
import { z } from 'zod';
import { OrganizationId, PartnerFirmId, UserId } from '../values/identifiers';

export const AccountStatusV1 = z.enum(['ACTIVE', 'SUSPENDED']).meta({ id: 'AccountStatusV1' });
export const AccessModelV1 = z.enum(['AUTOMATIC', 'INVITE_GUEST']).meta({ id: 'AccessModelV1' });

/** PA-1, PA-2: one licence in a licence summary: its type, usage and contract dates. */
export const LicenceV1 = z
  .object({
    licenceId: z.uuid(),
    solution: z.string(),
    type: z.enum(['SUBSCRIPTION', 'PERPETUAL', 'TRIAL', 'NOT_FOR_RESALE']),
    seats: z.number().int(),
    seatsUsed: z.number().int(),
    seatsFree: z.number().int(),
    contractStart: z.iso.datetime(),
    contractExpiry: z.iso.datetime(),
    nextRenewal: z.iso.datetime().nullable(),
  })
  .meta({ id: 'LicenceV1' });
export type LicenceV1 = z.infer<typeof LicenceV1>;

export const LicenceSummaryV1 = z.object({ items: z.array(LicenceV1) }).meta({ id: 'LicenceSummaryV1' });

/** PA-1: the My Account summary of the partner account (its own training and demo space). */
export const PartnerAccountV1 = z
  .object({
    partnerAccountId: PartnerFirmId,
    name: z.string(),
    userCount: z.number().int(),
    licensedProducts: z.array(z.string()),
    /** The earliest contract expiry of its licences (null: no licence). */
    expiresAt: z.iso.datetime().nullable(),
    licences: z.array(LicenceV1),
  })
  .meta({ id: 'PartnerAccountV1' });

/** PA-2: one row of the Accounts list. */
export const CustomerAccountV1 = z
  .object({
    organizationId: OrganizationId,
    name: z.string(),
    totalUsers: z.number().int(),
    licensedProducts: z.array(z.string()),
    status: AccountStatusV1,
    /** The soonest renewal among its licences (null: none renews). */
    nextRenewal: z.iso.datetime().nullable(),
    accessModel: AccessModelV1,
  })
  .meta({ id: 'CustomerAccountV1' });
export type CustomerAccountV1 = z.infer<typeof CustomerAccountV1>;

export const CustomerAccountPageV1 = z
  .object({
    items: z.array(CustomerAccountV1),
    /** Pass as `cursor` for the next page; null on the last page. */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'CustomerAccountPageV1' });

/** PA-2: an account's details, as exported (JSON; the CSV has one line per licence). */
export const CustomerAccountExportV1 = z
  .object({
    account: CustomerAccountV1,
    suspension: z.object({ since: z.iso.datetime(), reason: z.string() }).nullable(),
    licences: z.array(LicenceV1),
    exportedAt: z.iso.datetime(),
  })
  .meta({ id: 'CustomerAccountExportV1' });
export type CustomerAccountExportV1 = z.infer<typeof CustomerAccountExportV1>;

/** PA-3: a user of a customer account, with the licences they hold there. */
export const CustomerUserV1 = z
  .object({
    userId: UserId,
    displayName: z.string(),
    email: z.string(),
    role: z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'MEMBER']),
    status: z.enum(['ACTIVE', 'DEACTIVATED']),
    licences: z.array(z.string()),
  })
  .meta({ id: 'CustomerUserV1' });
export type CustomerUserV1 = z.infer<typeof CustomerUserV1>;

export const CustomerUserListV1 = z.object({ items: z.array(CustomerUserV1) }).meta({ id: 'CustomerUserListV1' });

/** PA-2: the account's status after a suspend or reactivate, as its workflow recorded it. */
export const AccountStatusChangeV1 = z
  .object({
    organizationId: OrganizationId,
    status: AccountStatusV1,
    reason: z.string(),
    changed: z.boolean().describe('false when the account already had this status: nothing changed'),
  })
  .meta({ id: 'AccountStatusChangeV1' });
export type AccountStatusChangeV1 = z.infer<typeof AccountStatusChangeV1>;

export const LicenceAssignmentV1 = z
  .object({ licence: LicenceV1, userId: UserId, assigned: z.boolean() })
  .meta({ id: 'LicenceAssignmentV1' });
