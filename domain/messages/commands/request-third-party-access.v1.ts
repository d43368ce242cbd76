import { z } from 'zod';
import { FirmName, PersonName } from '../values/person';

/** TPU-2: an org admin or product admin asks for a third party to be added. */
export const RequestThirdPartyAccessV1 = z
  .strictObject({
    thirdPartyName: PersonName,
    firmName: FirmName,
    /** The email of the third party's own account: their business email, never one of the organization's. */
    email: z.email().trim().toLowerCase(),
  })
  .meta({ id: 'RequestThirdPartyAccessV1' });
export type RequestThirdPartyAccessV1 = z.infer<typeof RequestThirdPartyAccessV1>;

/** TPU-3: support's decision; a rejection carries its reason. */
export const ReviewThirdPartyAccessV1 = z
  .discriminatedUnion('decision', [
    z.strictObject({ decision: z.literal('approve') }),
    z.strictObject({ decision: z.literal('reject'), reason: z.string().trim().min(3).max(500) }),
  ])
  .meta({ id: 'ReviewThirdPartyAccessV1' });
export type ReviewThirdPartyAccessV1 = z.infer<typeof ReviewThirdPartyAccessV1>;

/** TPU-4: an org admin turns access on or off. */
export const SetThirdPartyAccessV1 = z.strictObject({ access: z.enum(['on', 'off']) }).meta({ id: 'SetThirdPartyAccessV1' });
export type SetThirdPartyAccessV1 = z.infer<typeof SetThirdPartyAccessV1>;
