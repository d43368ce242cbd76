// PA-5 over HTTP: a customer's org admins invite a user of its partner account as a guest; the
// guest lists the accounts they can switch into, switches in with a token exchange (in the spirit
// of RFC 8693, JSON rather than a form, RFC 9457 problems rather than OAuth errors) and back.
import { z } from 'zod';
import type { Database } from '../../platform/database';
import type { InvitationsClient } from '../../workflows/invitation/client';
import { AccountSwitching, SwitchRefusal, type TokenHolder } from '../../domain/account-switching';
import {
  InviteAccountGuestV1,
  JWT_TOKEN_TYPE,
  TokenExchangeV1,
} from '../../domain/messages/commands/account-switching.v1';
import { IssuedTokenV1, SwitchableAccountsV1 } from '../../domain/messages/queries/account-switching.v1';
import { OrganizationId } from '../../domain/messages/values/identifiers';
import { InvitationV1 } from '../../domain/messages/queries/invitation.v1';
import { actorFromToken, mintToken, type TokenSettings } from '../identity';
import { denialProblem, SWITCH_BACK } from '../denials';
import { onOrganization, route } from '../routes';
import { Problem } from '../problem';
import { invitationCommand, loadInvitation, toInvitationV1 } from './invitations';

/** As long as POST /sessions makes a session last: no token a switch issues outlives its sign-in. */
const SESSION_MS = 8 * 60 * 60_000;
/** RFC 6749 5.1: a token answer is never cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** A switch's refusal as the answer that says what to do next (the console's switch answers it too). */
export function switchProblem(refusal: SwitchRefusal): Problem {
  switch (refusal.kind) {
    case 'not-found':
      return new Problem('not-found', refusal.message);
    case 'not-a-guest':
      // A named forbid (a suspended account) answers its own problem; else the guest invitation is missing.
      return denialProblem(refusal.policies) ?? new Problem('forbidden', refusal.message);
    case 'stale-sign-in':
      return new Problem('reauthentication-required', refusal.message, {
        signIn: { method: 'POST', href: '/sessions' },
        maxAgeSeconds: 300,
      });
    case 'switched-in':
      return new Problem('switched-in', refusal.message, SWITCH_BACK);
    case 'not-switched-in':
      return new Problem('conflict', refusal.message);
  }
}

/** The holder of the subject token, with when their sessions last ended (issue 12). */
type Holder = TokenHolder & { sessionsValidAfter: Date | null };

export function accountSwitchingRoutes(deps: {
  db: Database;
  invitations: InvitationsClient;
  tokens: TokenSettings;
}) {
  const { db, invitations, tokens } = deps;
  const switching = new AccountSwitching({ db, invitations });
  const tags = ['account switching'];

  /** A token for the account, ending with the sign-in's session. */
  const issue = async (holder: Holder, account: IssuedTokenV1['account']): Promise<IssuedTokenV1> => {
    const { userId, authTime, sessionsValidAfter } = holder;
    const seconds = authTime ? Math.floor((+authTime + SESSION_MS - Date.now()) / 1000) : 0;
    if (seconds <= 0) {
      throw new Problem('reauthentication-required', 'Your sign-in has ended: sign in again (POST /sessions).');
    }
    const switched = account.type === 'customer' ? account : undefined;
    return {
      access_token: await mintToken(tokens, userId, `${seconds}s`, {
        authTime,
        sessionsValidAfter,
        ...(switched ? { account: { organizationId: switched.organizationId, switchId: switched.switchId } } : {}),
      }),
      issued_token_type: JWT_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: seconds,
      account,
    };
  };

  const exchange = async (holder: Holder, requested: string): Promise<IssuedTokenV1> => {
    if (requested === 'home') {
      if (!holder.switchId) {
        throw new SwitchRefusal(
          'not-switched-in',
          "This token is your partner account's already: there is nothing to switch back from.",
        );
      }
      await switching.switchBack(holder.userId, holder.switchId);
      return issue(holder, { type: 'home' });
    }
    const opened = await switching.switchIn(holder, requested);
    return issue(holder, { type: 'customer', ...opened });
  };

  return [
    route({
      method: 'post',
      path: '/token-exchange',
      summary:
        'PA-5: switch into a customer account you are a guest of (needs a sign-in under 5 minutes old), ' +
        'or back to your partner account with requested_account "home"',
      tags,
      // The subject token is the credential, as RFC 8693 has it: it is verified here with the same
      // checks as a bearer (an active user; for a switched token, its switch still open). Who may
      // switch in is asked of the decision point by the use case, for the token it would issue: a
      // route check would decide for the caller's current token, under which guest grants count for
      // nothing. Switching back needs nobody's leave: going home is always allowed.
      auth: false,
      body: TokenExchangeV1,
      responses: { 200: { description: 'The token for the requested account', schema: IssuedTokenV1 } },
      problems: [
        'unauthenticated',
        'reauthentication-required',
        'forbidden',
        'account-suspended',
        'switched-in',
        'not-found',
        'conflict',
        // Issue 12: a subject token from the identity provider while its keys cannot be fetched.
        'not-ready',
      ],
      authorize: { anyone: 'the subject token is the credential; the switch is decided by the use case' },
      handler: async ({ body }) => {
        const holder = await actorFromToken(db, tokens, body.subject_token);
        try {
          return { status: 200, body: await exchange(holder, body.requested_account), headers: NO_STORE };
        } catch (err) {
          throw err instanceof SwitchRefusal ? switchProblem(err) : err;
        }
      },
    }),
    route({
      method: 'get',
      path: '/me/accounts',
      summary: 'PA-5: the customer accounts you can switch into (those you are a guest of)',
      tags,
      auth: true,
      responses: { 200: { description: 'Your guest grants', schema: SwitchableAccountsV1 } },
      authorize: { anyone: 'own guest grants' },
      handler: async ({ actor }) => {
        const items = (await switching.switchable(actor.userId)).map((a) => ({
          ...a,
          current: a.organizationId === actor.switchedInto,
        }));
        return { status: 200, body: { items } };
      },
    }),
    route({
      method: 'post',
      path: '/customer-accounts/:organizationId/guests',
      summary: "PA-5: invite a user of the account's partner account as a guest, who can then switch in",
      tags,
      auth: true,
      params: z.strictObject({ organizationId: OrganizationId }),
      body: InviteAccountGuestV1,
      responses: {
        201: {
          description: 'Invitation sent',
          schema: z
            .object({ confirmation: z.string(), invitation: InvitationV1 })
            .meta({ id: 'AccountGuestInvitedV1' }),
        },
      },
      problems: ['forbidden', 'conflict', 'unprocessable', 'not-ready'],
      authorize: onOrganization('inviteAccountGuest', "Only the account's own org admins invite guests."),
      handler: async ({ actor, params, body }) => {
        const { view } = await invitationCommand(() =>
          switching.inviteGuest(actor.userId, params.organizationId, body),
        );
        if (view.refused) throw new Problem('conflict', view.refused.message);
        const row = (await loadInvitation(db, view.invitationId))!;
        return {
          status: 201,
          body: { confirmation: `Invitation sent to ${row.email}.`, invitation: toInvitationV1(row) },
        };
      },
    }),
  ];
}
