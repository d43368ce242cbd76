// Refusals that deserve their own answer. The decision point says which policies decided; when a
// forbid policy below is among them, the caller gets its problem (with what to do next) instead of
// a bare 403. The policy ids are the ones in domain/authorization/policies/*.cedar.
import { Problem } from './problem';
import { PARTNER_IN_CONTROL } from '../domain/business-partners';
import { JWT_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from '../domain/messages/commands/account-switching.v1';

/** What a switched-in caller sends to get back to their partner account (PA-5). */
export const SWITCH_BACK = {
  switchBack: {
    method: 'POST',
    href: '/token-exchange',
    body: {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: '<your switched-in token>',
      subject_token_type: JWT_TOKEN_TYPE,
      requested_account: 'home',
    },
  },
};

const DENIALS: Record<string, () => Problem> = {
  'customer-account.suspended': suspended,
  'customer-account.suspended-resource': suspended,
  'switched-in.partner-account': () =>
    new Problem(
      'switched-in',
      'You are switched into a customer account; the partner account (its Accounts list) is not available ' +
        'from there. Switch back to your partner account first.',
      SWITCH_BACK,
    ),
  'business-partners.partner-in-control': () => new Problem('partner-in-control', PARTNER_IN_CONTROL),
  'switched-in.elsewhere': () =>
    new Problem(
      'switched-in',
      'You are switched into another customer account. Switch back to your partner account first.',
      SWITCH_BACK,
    ),
};

function suspended(): Problem {
  return new Problem(
    'account-suspended',
    'This account is suspended: its users cannot use it until its partner or support reactivates it.',
  );
}

/** The problem of the first named forbid among the deciding policies, if any. */
export function denialProblem(policies: readonly string[]): Problem | null {
  for (const id of policies) {
    const problem = DENIALS[id];
    if (problem) return problem();
  }
  return null;
}
