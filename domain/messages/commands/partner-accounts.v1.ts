// PA-1 … PA-3: what callers send to manage customer accounts, their users and licences.
import { z } from 'zod';
import { EmailAddress } from '../values/invitation';
import { PersonName } from '../values/person';
import { UserId } from '../values/identifiers';
import { AccountStatusV1 } from '../queries/partner-accounts.v1';

/** PA-2: the Accounts list's filters, page size and cursor (a stable sort: name, then id). */
export const CustomerAccountFilterV1 = z
  .strictObject({
    solution: z.string().trim().min(1).max(100).optional(),
    status: AccountStatusV1.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(500).optional(),
  })
  .meta({ id: 'CustomerAccountFilterV1' });
export type CustomerAccountFilterV1 = z.infer<typeof CustomerAccountFilterV1>;

export const ExportFormatV1 = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });

/** PA-2: why an account is suspended or reactivated (audited, and told to nobody else). */
export const AccountStatusCommandV1 = z
  .strictObject({ reason: z.string().trim().min(3).max(500) })
  .meta({ id: 'AccountStatusCommandV1' });

/** PA-3: create a user of a customer account: an invitation to set up their account. */
export type CreateCustomerUserV1 = z.infer<typeof CreateCustomerUserV1>;
export const CreateCustomerUserV1 = z
  .strictObject({
    firstName: PersonName,
    lastName: PersonName,
    email: EmailAddress,
    role: z.enum(['PRODUCT_ADMIN', 'MEMBER']).default('MEMBER'),
  })
  .meta({ id: 'CreateCustomerUserV1' });

/** PA-3: edit a user's information in the account. Only what is sent changes. */
export const EditCustomerUserV1 = z
  .strictObject({
    displayName: PersonName.optional(),
    role: z.enum(['PRODUCT_ADMIN', 'MEMBER']).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'EditCustomerUserV1' });
export type EditCustomerUserV1 = z.infer<typeof EditCustomerUserV1>;

/** PA-1, PA-3: give a seat of a licence to a user of the licence's account. */
export const AssignLicenceV1 = z.strictObject({ userId: UserId }).meta({ id: 'AssignLicenceV1' });
