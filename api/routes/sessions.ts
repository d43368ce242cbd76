// Signing in with a password, and PP-3's way back after a link expired: a password reset sends a
// fresh, short-lived, single-use link. Someone who never accepted their (expired) partner-portal
// invitation gets that invitation renewed instead, since they have no password to reset.
import { z } from 'zod';
import type { Database } from '../../platform/database';
import type { Mailer } from '../../platform/mail';
import type { Logger } from '../../platform/logger';
import { hashPassword, hashToken, newToken, tokenMatches, verifyPassword } from '../../platform/secrets';
import { CompletePasswordResetV1, RequestPasswordResetV1, SignInV1 } from '../../domain/messages/commands/sign-in.v1';
import type { InvitationsClient } from '../../workflows/invitation/client';
import { mintToken, type TokenSettings } from '../identity';
import { route } from '../routes';
import { Problem } from '../problem';

const RESET_TTL_MS = 60 * 60 * 1000;
const RESET_MIN_INTERVAL_MS = 60 * 1000;

const SessionV1 = z.object({ token: z.string(), userId: z.uuid(), expiresIn: z.string() }).meta({ id: 'SessionV1' });
const AcceptedForDeliveryV1 = z.object({ message: z.string() }).meta({ id: 'AcceptedForDeliveryV1' });

export function sessionRoutes(deps: { db: Database; mailer: Mailer; logger: Logger; invitations: InvitationsClient; tokens: TokenSettings; publicBaseUrl: string }) {
  const { db, mailer, invitations } = deps;
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
      problems: ['validation-failed', 'unauthenticated'],
      authorize: { anyone: 'signing in needs no account yet' },
      handler: async ({ body }) => {
        const user = await db.user.findUnique({ where: { email: body.email }, select: { id: true, status: true, passwordHash: true } });
        // The same work and the same answer for an unknown email and a wrong password.
        const ok = await verifyPassword(body.password, user?.passwordHash ?? null);
        if (!user || !ok || user.status !== 'ACTIVE') throw new Problem('unauthenticated', 'The email or the password is wrong.');
        return { status: 200, body: { token: await mintToken(deps.tokens, user.id, '8h', { authTime: new Date() }), userId: user.id, expiresIn: '8h' } };
      },
    }),
    route({
      method: 'post',
      path: '/password-resets',
      summary: 'PP-3: ask for a fresh link by email (the answer never says whether the email is known)',
      tags,
      auth: false,
      body: RequestPasswordResetV1,
      responses: { 202: { description: 'If the email is known, a link is on its way', schema: AcceptedForDeliveryV1 } },
      problems: ['validation-failed'],
      authorize: { anyone: 'a reset is asked for without signing in' },
      handler: async ({ body }) => {
        const user = await db.user.findUnique({ where: { email: body.email }, select: { id: true, status: true, displayName: true } });
        if (user && user.status === 'ACTIVE') {
          const recent = await db.passwordReset.findFirst({ where: { userId: user.id, createdAt: { gt: new Date(Date.now() - RESET_MIN_INTERVAL_MS) } } });
          if (!recent) {
            const token = newToken();
            const now = Date.now();
            const reset = await db.passwordReset.create({ data: { userId: user.id, tokenHash: hashToken(token), createdAt: new Date(now), expiresAt: new Date(now + RESET_TTL_MS) } });
            await mailer.send({
              to: body.email,
              subject: 'Reset your password',
              text: `Hello ${user.displayName},\n\nChoose a new password with this link:\n${deps.publicBaseUrl}/password-resets/${reset.id}?token=${token}\n\nIt works once, for one hour. If you did not ask for it, ignore this email.`,
            });
          }
        } else if (!user) {
          // Invited to the portal but never set a password, and the link expired: renew the invitation.
          const expired = await db.invitation.findFirst({ where: { email: body.email, kind: 'PORTAL_USER', state: 'EXPIRED' }, orderBy: { createdAt: 'desc' } });
          if (expired) {
            await invitations.resend(expired.workflowId, expired.id, { userId: null }).catch((err: Error) => {
              deps.logger.warn({ invitationId: expired.id, err: err.message }, 'password reset could not renew an expired invitation');
            });
          }
        }
        return { status: 202, body: { message: 'If an account or an invitation exists for this email, a link is on its way. It works once and for a limited time.' } };
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
      problems: ['validation-failed', 'not-found', 'link-expired'],
      authorize: { anyone: 'the token of the reset link is the credential' },
      handler: async ({ params, body }) => {
        const passwordHash = await hashPassword(body.password);
        await db.$transaction(async (tx) => {
          const reset = await tx.passwordReset.findUnique({ where: { id: params.resetId } });
          if (!reset || !tokenMatches(body.token, reset.tokenHash)) throw new Problem('not-found', 'No such password reset link. Check that you copied the whole link.');
          if (reset.usedAt || reset.expiresAt.getTime() < Date.now()) {
            throw new Problem('link-expired', 'This link was already used or has expired. Ask for a new one (POST /password-resets).');
          }
          // Single use, even with two requests at once: only the one that marks it unused → used wins.
          const marked = await tx.passwordReset.updateMany({ where: { id: reset.id, usedAt: null }, data: { usedAt: new Date() } });
          if (marked.count === 0) throw new Problem('link-expired', 'This link was already used. Ask for a new one (POST /password-resets).');
          await tx.user.update({ where: { id: reset.userId }, data: { passwordHash } });
        });
        return { status: 200, body: { message: 'Your password is set. Sign in with it (POST /sessions).' } };
      },
    }),
  ];
}
