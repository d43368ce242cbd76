// TPU-1: a person from another firm creates their own account, after proving the email is theirs
// (issue 12). The use cases live in domain/registration.ts, shared with the hosted verification page.
import { z } from 'zod';
import { RegisterAccountV1 } from '../../domain/messages/commands/register-account.v1';
import { UserId } from '../../domain/messages/values/identifiers';
import { Registration, VerificationRefusal } from '../../domain/registration';
import { clientOf } from '../../domain/abuse-limits';
import { route } from '../routes';
import { Problem } from '../problem';

const RegistrationAcceptedV1 = z.object({ message: z.string() }).meta({ id: 'RegistrationAcceptedV1' });
const VerifyAccountV1 = z
  .strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'the token from the emailed link') })
  .meta({ id: 'VerifyAccountV1' });
const AccountVerifiedV1 = z.object({ userId: UserId, message: z.string() }).meta({ id: 'AccountVerifiedV1' });

/** The one answer to every registration, whatever the email: it must not tell known emails apart. */
const ACCEPTED =
  'Check your email: a link to confirm it is on its way. It works once, for 24 hours. ' +
  'If this email already has an account, the email says so instead.';

/** A refused verification link as the API answers it. */
async function answered<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof VerificationRefusal)) throw err;
    if (err.kind === 'unknown-link') throw new Problem('not-found', err.message);
    throw new Problem('link-expired', err.message);
  }
}

export function accountRoutes(deps: ConstructorParameters<typeof Registration>[0]) {
  const registration = new Registration(deps);
  const tags = ['identity'];
  return [
    route({
      method: 'post',
      path: '/accounts',
      summary: 'TPU-1: create your own account (use your own business email); a link to confirm it is emailed',
      tags,
      auth: false,
      body: RegisterAccountV1,
      responses: {
        202: {
          description:
            'The same for every email: a confirmation link, or a reminder that the account exists, is emailed',
          schema: RegistrationAcceptedV1,
        },
      },
      problems: ['rate-limited'],
      authorize: { anyone: 'sign-up needs no account yet' },
      handler: async ({ body, req }) => {
        await registration.register(body, clientOf(req));
        return { status: 202, body: { message: ACCEPTED } };
      },
    }),
    route({
      method: 'post',
      path: '/account-verifications/:registrationId',
      summary: 'TPU-1: confirm your email with the emailed link; the account is created then, once',
      tags,
      auth: false,
      params: z.strictObject({ registrationId: z.uuid() }),
      body: VerifyAccountV1,
      responses: { 200: { description: 'The email is confirmed and the account exists', schema: AccountVerifiedV1 } },
      problems: ['not-found', 'link-expired', 'rate-limited'],
      authorize: { anyone: 'the token of the verification link is the credential' },
      handler: async ({ params, body, req }) => {
        const verified = await answered(() => registration.verify(params.registrationId, body.token, clientOf(req)));
        const message = 'Your email is confirmed. Choose a password to sign in (POST /password-resets).';
        return { status: 200, body: { userId: verified.userId, message } };
      },
    }),
  ];
}
