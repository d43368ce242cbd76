// Signing in with a password, and PP-3's password reset, over HTTP. The use cases live in
// domain/sign-in.ts, shared with the hosted pages.
import { z } from 'zod';
import type { Database } from '../../platform/database';
import type { Mailer } from '../../platform/mail';
import type { Logger } from '../../platform/logger';
import { CompletePasswordResetV1, RequestPasswordResetV1, SignInV1 } from '../../domain/messages/commands/sign-in.v1';
import type { InvitationsClient } from '../../workflows/invitation/client';
import { SignIn, SignInRefusal } from '../../domain/sign-in';
import { clientOf, type AbuseLimits } from '../../domain/abuse-limits';
import { mintToken, type TokenSettings } from '../identity';
import { route } from '../routes';
import { Problem } from '../problem';

const SessionV1 = z.object({ token: z.string(), userId: z.uuid(), expiresIn: z.string() }).meta({ id: 'SessionV1' });
const AcceptedForDeliveryV1 = z.object({ message: z.string() }).meta({ id: 'AcceptedForDeliveryV1' });

/** A sign-in refusal as the API answers it. */
async function answered<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof SignInRefusal)) throw err;
    if (err.kind === 'wrong-credentials') throw new Problem('unauthenticated', err.message);
    if (err.kind === 'unknown-link') throw new Problem('not-found', err.message);
    throw new Problem('link-expired', `${err.message.replace(/\.$/, '')} (POST /password-resets).`);
  }
}

export function sessionRoutes(deps: {
  db: Database;
  mailer: Mailer;
  logger: Logger;
  invitations: InvitationsClient;
  tokens: TokenSettings;
  publicBaseUrl: string;
  abuseLimits: AbuseLimits;
}) {
  const signIn = new SignIn(deps);
  const tags = ['sign-in'];
  return [
    route({
      method: 'post',
      path: '/sessions',
      summary: 'Sign in with email and password; answers a bearer token',
      tags,
      auth: false,
      body: SignInV1,
      responses: { 200: { description: 'Signed in', schema: SessionV1 } },
      problems: ['validation-failed', 'unauthenticated', 'rate-limited'],
      authorize: { anyone: 'signing in needs no account yet' },
      handler: async ({ body, req }) => {
        const signedIn = await answered(() => signIn.withPassword(body.email, body.password, clientOf(req)));
        const { userId, authTime, sessionsValidAfter } = signedIn;
        const token = await mintToken(deps.tokens, userId, '8h', { authTime, sessionsValidAfter });
        return { status: 200, body: { token, userId, expiresIn: '8h' } };
      },
    }),
    route({
      method: 'post',
      path: '/password-resets',
      summary: 'PP-3: ask for a fresh link by email (the answer never says whether the email is known)',
      tags,
      auth: false,
      body: RequestPasswordResetV1,
      responses: {
        202: { description: 'If the email is known, a link is on its way', schema: AcceptedForDeliveryV1 },
      },
      problems: ['validation-failed', 'rate-limited'],
      authorize: { anyone: 'a reset is asked for without signing in' },
      handler: async ({ body, req }) => {
        await signIn.requestPasswordReset(body.email, clientOf(req));
        const message =
          'If an account or an invitation exists for this email, a link is on its way. ' +
          'It works once and for a limited time.';
        return { status: 202, body: { message } };
      },
    }),
    route({
      method: 'post',
      path: '/password-resets/:resetId',
      summary: 'PP-3: set a new password with the emailed link',
      tags,
      auth: false,
      params: z.strictObject({ resetId: z.uuid() }),
      body: CompletePasswordResetV1,
      responses: { 200: { description: 'Password set', schema: AcceptedForDeliveryV1 } },
      problems: ['validation-failed', 'not-found', 'link-expired', 'rate-limited'],
      authorize: { anyone: 'the token of the reset link is the credential' },
      handler: async ({ params, body, req }) => {
        await answered(() => signIn.completePasswordReset(params.resetId, body.token, body.password, clientOf(req)));
        return { status: 200, body: { message: 'Your password is set. Sign in with it (POST /sessions).' } };
      },
    }),
  ];
}
