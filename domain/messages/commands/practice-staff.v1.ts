import { z } from 'zod';
import { PersonName } from '../values/person';
import { EmailAddress } from '../values/invitation';

/** The practice roles an invitation can offer (there is one Account Owner, never invited). */
export const InvitablePracticeRole = z.enum(['ACCOUNT_MANAGER', 'USER_MANAGER', 'STAFF']).meta({ id: 'InvitablePracticeRole' });

/** PS-2: add a user to Practice Staff, by invitation. */
export const InvitePracticeStaffV1 = z
  .strictObject({ firstName: PersonName, lastName: PersonName, email: EmailAddress, role: InvitablePracticeRole.default('STAFF') })
  .meta({ id: 'InvitePracticeStaffV1' });
