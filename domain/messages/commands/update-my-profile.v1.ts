import { z } from 'zod';
import { FirmName, PersonName } from '../values/person';

/** A user edits their own profile. Strict: an unknown field is refused, never ignored. */
export const UpdateMyProfileV1 = z
  .strictObject({
    displayName: PersonName.optional(),
    firmName: FirmName.nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one field to change' })
  .meta({ id: 'UpdateMyProfileV1' });
export type UpdateMyProfileV1 = z.infer<typeof UpdateMyProfileV1>;
