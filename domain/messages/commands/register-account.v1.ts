import { z } from 'zod';
import { FirmName, PersonName } from '../values/person';

/** TPU-1: a third party creates their own account, with their own business email. */
export const RegisterAccountV1 = z
  .strictObject({
    email: z.email().trim().toLowerCase(),
    displayName: PersonName,
    firmName: FirmName.optional(),
  })
  .meta({ id: 'RegisterAccountV1' });
