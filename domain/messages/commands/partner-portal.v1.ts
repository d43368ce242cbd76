import { z } from 'zod';
import { FirmName, PersonName } from '../values/person';
import { EmailAddress } from '../values/invitation';
import { PhoneNumber } from '../values/phone';

/** A partner in the partner portal, with the email that identifies it (PP-2: unique portal-wide). */
export const AddPortalPartnerV1 = z
  .strictObject({ name: FirmName, email: EmailAddress })
  .meta({ id: 'AddPortalPartnerV1' });

/** PP-1: a portal admin or owner adds a partner user on the partner's behalf. */
export const AddPartnerUserV1 = z
  .strictObject({ firstName: PersonName, lastName: PersonName, email: EmailAddress, phone: PhoneNumber })
  .meta({ id: 'AddPartnerUserV1' });

/** PP-2: support frees a wrongly registered email; the reason is kept in the audit trail. */
export const FreePortalEmailV1 = z
  .strictObject({ email: EmailAddress, reason: z.string().trim().min(3).max(500) })
  .meta({ id: 'FreePortalEmailV1' });
