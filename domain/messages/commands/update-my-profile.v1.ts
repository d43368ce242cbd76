import { z } from 'zod';
import { FirmName, PersonName } from '../values/person';

/** A user edits their own profile. Strict: an unknown field is refused, never ignored. */
export const UpdateMyProfileV1 = z
  .strictObject({
    displayName: PersonName.optional(),
    firmName: FirmName.nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one field to change' })
  // A PATCH that changes nothing is refused (a client bug, and no event to record); the document says so.
  .meta({ id: 'UpdateMyProfileV1', minProperties: 1 });
export type UpdateMyProfileV1 = z.infer<typeof UpdateMyProfileV1>;
