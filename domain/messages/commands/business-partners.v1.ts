import { z } from 'zod';
import { FirmName, PersonName } from '../values/person';
import { EmailAddress } from '../values/invitation';
import { PhoneNumber } from '../values/phone';

export const BusinessPartnerPersonV1 = z
  .strictObject({ firstName: PersonName, lastName: PersonName, email: EmailAddress })
  .meta({ id: 'BusinessPartnerPersonV1' });

/** BP-1: the partner organization's name, then one or more people. */
export const AddBusinessPartnerV1 = z
  .strictObject({ companyName: FirmName, people: z.array(BusinessPartnerPersonV1).min(1).max(50) })
  .meta({ id: 'AddBusinessPartnerV1' });

/** BP-5: add more people of the same partner organization. */
export const AddBusinessPartnerPeopleV1 = z
  .strictObject({ people: z.array(BusinessPartnerPersonV1).min(1).max(50) })
  .meta({ id: 'AddBusinessPartnerPeopleV1' });

/** BP-5, BP-6: a partner's rights in their own organization; an ADMIN may take full control of it. */
export const BusinessPartnerRights = z.enum(['ADMIN', 'MEMBER']).meta({ id: 'BusinessPartnerRights' });

/**
 * BP-5: edit a partner's profile and rights. Only the fields sent change; null clears an optional one.
 * Strict: nothing else of the company (its block, its control) is set through a profile.
 */
export const EditBusinessPartnerV1 = z
  .strictObject({
    firstName: PersonName.optional(),
    lastName: PersonName.optional(),
    title: PersonName.nullable().optional(),
    department: PersonName.nullable().optional(),
    phone: PhoneNumber.nullable().optional(),
    rights: BusinessPartnerRights.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'EditBusinessPartnerV1' });

/** BP-5: deleting cannot be undone, so the caller confirms by typing the company's name. */
export const DeleteBusinessPartnerCompanyV1 = z
  .strictObject({ confirmName: z.string().trim().min(1) })
  .meta({ id: 'DeleteBusinessPartnerCompanyV1' });

/**
 * BP-6: taking full control cannot be undone, so the partner's admin confirms twice: by typing their
 * company's exact name, and by saying they know it is for good.
 */
export const TakeBusinessPartnerControlV1 = z
  .strictObject({ confirmName: z.string().trim().min(1), irreversible: z.literal(true) })
  .meta({ id: 'TakeBusinessPartnerControlV1' });

/** BP-3: a minimal shared object, and the explicit grant that lets a business partner see it. */
export const CreateTaskV1 = z.strictObject({ title: z.string().trim().min(1).max(300) }).meta({ id: 'CreateTaskV1' });
export const GrantTaskV1 = z.strictObject({ businessPartnerId: z.uuid() }).meta({ id: 'GrantTaskV1' });
