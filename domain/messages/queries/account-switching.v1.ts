// PA-5: the accounts a partner user can switch into, and the token a switch answers.
import { z } from 'zod';
import { OrganizationId, PartnerFirmId } from '../values/identifiers';
import { OrgRoleValue } from '../values/roles';
import { JWT_TOKEN_TYPE } from '../commands/account-switching.v1';

/** One customer account the caller is a guest of. */
export const SwitchableAccountV1 = z
  .object({
    organizationId: OrganizationId,
    name: z.string(),
    /** The role the guest grant gives while switched in. */
    role: OrgRoleValue,
    /** A suspended account refuses the switch until its partner or support reactivates it. */
    status: z.enum(['ACTIVE', 'SUSPENDED']),
    partnerFirmId: PartnerFirmId.nullable(),
    /** The ledger's id of the guest grant (`membership:<id>`), which the customer can revoke. */
    grantId: z.string(),
    /** The caller's token is switched into this account now. */
    current: z.boolean(),
  })
  .meta({ id: 'SwitchableAccountV1' });

export const SwitchableAccountsV1 = z
  .object({ items: z.array(SwitchableAccountV1) })
  .meta({ id: 'SwitchableAccountsV1' });

/** Where the issued token works: the partner account (home) or one customer account, under one switch. */
export const TokenAccountV1 = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('home') }),
    z.object({
      type: z.literal('customer'),
      organizationId: OrganizationId,
      name: z.string(),
      role: OrgRoleValue,
      switchId: z.uuid(),
    }),
  ])
  .meta({ id: 'TokenAccountV1' });

/** RFC 8693's answer, with the account the token is scoped to. */
export const IssuedTokenV1 = z
  .object({
    access_token: z.string(),
    issued_token_type: z.literal(JWT_TOKEN_TYPE),
    token_type: z.literal('Bearer'),
    /** Seconds: the token ends with the sign-in's session (a switch never lengthens it). */
    expires_in: z.number().int().positive(),
    account: TokenAccountV1,
  })
  .meta({ id: 'IssuedTokenV1' });
export type IssuedTokenV1 = z.infer<typeof IssuedTokenV1>;
