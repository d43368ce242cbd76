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

/** AM-5: how far ahead an end date may lie. */
export const MAX_ACCESS_YEARS = 2;

/** The latest end date a grant made at `now` may have (AM-5). */
export function latestAccessEnd(now: Date): Date {
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_ACCESS_YEARS);
  return latest;
}

/** TPU-4: an org admin turns access on or off; AM-5: "on" may end by itself on a date. */
export const SetThirdPartyAccessV1 = z
  .discriminatedUnion('access', [
    z
      .strictObject({
        access: z.literal('on'),
        /** AM-5: when the access turns itself off. Without it, access lasts until turned off. */
        until: z.iso.datetime({ offset: true }).optional(),
      })
      // Checked against the caller's clock when the command is made: an end date must still lie ahead.
      .superRefine((v, ctx) => {
        if (v.until === undefined) return;
        const until = new Date(v.until);
        const now = new Date();
        if (until <= now) ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be in the future' });
        else if (until > latestAccessEnd(now)) {
          const message = `must be at most ${MAX_ACCESS_YEARS} years ahead`;
          ctx.addIssue({ code: 'custom', path: ['until'], message });
        }
      }),
    z.strictObject({ access: z.literal('off') }),
  ])
  .meta({ id: 'SetThirdPartyAccessV1' });
export type SetThirdPartyAccessV1 = z.infer<typeof SetThirdPartyAccessV1>;
