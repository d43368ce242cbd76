// PA-5: what a caller sends to be invited as a guest and to switch into a customer account and back.
import { z } from 'zod';
import { EmailAddress } from '../values/invitation';
import { PersonName } from '../values/person';
import { OrganizationId } from '../values/identifiers';
import { OfferByKind } from '../values/invitation-offer';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/**
 * A token exchange in the spirit of RFC 8693 (JSON rather than a form): the caller's token for one
 * scoped to a customer account they are a guest of, or, with `home`, back to their partner account.
 */
export const TokenExchangeV1 = z
  .strictObject({
    grant_type: z.literal(TOKEN_EXCHANGE_GRANT),
    /** The caller's current token: the credential of the exchange. */
    subject_token: z.string().min(1).max(4096),
    subject_token_type: z.literal(JWT_TOKEN_TYPE),
    /** A customer account (organization id) to switch into, or `home` to switch back. */
    requested_account: z.union([OrganizationId, z.literal('home')]),
  })
  .meta({ id: 'TokenExchangeV1' });
export type TokenExchangeV1 = z.infer<typeof TokenExchangeV1>;

/**
 * PA-5: a customer's org admin invites a user of its partner account as a guest: the person, and the
 * role the guest offer carries (below org admin).
 */
export const InviteAccountGuestV1 = OfferByKind.ACCOUNT_GUEST.extend({
  firstName: PersonName,
  lastName: PersonName,
  email: EmailAddress,
}).meta({ id: 'InviteAccountGuestV1' });
export type InviteAccountGuestV1 = z.infer<typeof InviteAccountGuestV1>;
