// Signing in with a password, and PP-3's way back after a link expired: a password reset sends a
// fresh, short-lived, single-use link. Someone who never accepted their (expired) partner-portal
// invitation gets that invitation renewed instead, since they have no password to reset. One module,
// called alike by the API's session routes and the hosted sign-in and reset pages.
import type { Database } from '../platform/database';
import type { Mailer } from '../platform/mail';
import type { Logger } from '../platform/logger';
import { hashPassword, hashToken, newToken, tokenMatches, verifyPassword } from '../platform/secrets';
import type { InvitationsClient } from '../workflows/invitation/client';
import { composeEmail } from '../platform/email-layout';
import type { AbuseLimits, Client } from './abuse-limits';
import { endSessionsOf } from './session-validity';

const RESET_TTL_MS = 60 * 60 * 1000;
/** One reset email a minute per account, whoever asks: the form cannot be used to flood a mailbox. */
const RESET_MIN_INTERVAL_MS = 60 * 1000;

export type SignInRefusalKind = 'wrong-credentials' | 'unknown-link' | 'used-or-expired';

export class SignInRefusal extends Error {
  constructor(
    readonly kind: SignInRefusalKind,
    message: string,
  ) {
    super(message);
  }
}

export interface SignedInWithPassword {
  userId: string;
  authTime: Date;
  /** When the user's sessions last ended (issue 12): a token minted now must count as after it. */
  sessionsValidAfter: Date | null;
}

export class SignIn {
  constructor(
    private readonly deps: {
      db: Database;
      mailer: Mailer;
      logger: Logger;
      invitations: InvitationsClient;
      /** Where the emailed reset link points: the hosted page (PUBLIC_BASE_URL). */
      publicBaseUrl: string;
      abuseLimits: AbuseLimits;
    },
  ) {}

  /**
   * The user an email and password name: the same work and answer for an unknown email and a wrong
   * password. Limited per address and per email, and an email's consecutive failures make it wait.
   */
  async withPassword(email: string, password: string, client: Client): Promise<SignedInWithPassword> {
    const { abuseLimits } = this.deps;
    await abuseLimits.admit('sign-in', client, email);
    const user = await this.deps.db.user.findUnique({
      where: { email },
      select: { id: true, status: true, passwordHash: true, sessionsValidAfter: true },
    });
    const ok = await verifyPassword(password, user?.passwordHash ?? null);
    if (!user || !ok || user.status !== 'ACTIVE') {
      await abuseLimits.signInFailed(email);
      throw new SignInRefusal('wrong-credentials', 'The email or the password is wrong.');
    }
    await abuseLimits.signInSucceeded(email);
    return { userId: user.id, authTime: new Date(), sessionsValidAfter: user.sessionsValidAfter };
  }

  /**
   * PP-3: emails a reset link, or renews an expired portal invitation; never says whether the email is
   * known, nor shows it by its time: past the limits, the answer comes at once and the lookup, the
   * email or the renewal happen after it (their failures are logged).
   */
  async requestPasswordReset(email: string, client: Client): Promise<void> {
    await this.deps.abuseLimits.admit('password-reset-request', client, email);
    void this.sendPasswordReset(email).catch((err: Error) =>
      this.deps.logger.error({ err: err.message }, 'password reset request failed after its answer'),
    );
  }

  private async sendPasswordReset(email: string): Promise<void> {
    const { db, mailer, invitations, logger } = this.deps;
    const user = await db.user.findUnique({
      where: { email },
      select: { id: true, status: true, displayName: true },
    });
    if (user && user.status === 'ACTIVE') {
      const recent = await db.passwordReset.findFirst({
        where: { userId: user.id, createdAt: { gt: new Date(Date.now() - RESET_MIN_INTERVAL_MS) } },
      });
      if (recent) return;
      const token = newToken();
      const now = Date.now();
      const reset = await db.passwordReset.create({
        data: {
          userId: user.id,
          tokenHash: hashToken(token),
          createdAt: new Date(now),
          expiresAt: new Date(now + RESET_TTL_MS),
        },
      });
      const url = `${this.deps.publicBaseUrl}/reset-password/${reset.id}?token=${token}`;
      await mailer.send({
        to: email,
        subject: 'Reset your password',
        ...composeEmail({
          greeting: `Hello ${user.displayName},`,
          paragraphs: ['Choose a new password with this link.'],
          action: { label: 'Choose a new password', url },
          after: ['It works once, for one hour. If you did not ask for it, ignore this email.'],
          title: 'Reset your password',
        }),
      });
      return;
    }
    if (user) return;
    // Invited to the portal but never set a password, and the link expired: renew the invitation.
    const expired = await db.invitation.findFirst({
      where: { email, kind: 'PORTAL_USER', state: 'EXPIRED' },
      orderBy: { createdAt: 'desc' },
    });
    if (!expired) return;
    await invitations.resend(expired.workflowId, expired.id, { userId: null }).catch((err: Error) => {
      logger.warn(
        { invitationId: expired.id, err: err.message },
        'password reset could not renew an expired invitation',
      );
    });
  }

  /** Is this reset link one we sent and still usable? (The hosted page asks before showing its form.) */
  async checkReset(resetId: string, token: string, client: Client): Promise<void> {
    await this.deps.abuseLimits.admit('link-check', client);
    await this.checkUsable(resetId, token);
  }

  private async checkUsable(resetId: string, token: string): Promise<void> {
    const reset = await this.deps.db.passwordReset.findUnique({ where: { id: resetId } });
    if (!reset || !tokenMatches(token, reset.tokenHash)) throw unknownReset();
    if (reset.usedAt || reset.expiresAt.getTime() < Date.now()) throw usedOrExpired();
  }

  /**
   * Sets the password; the link works once, even with two requests at once. Every token and browser
   * session of the user ends with it (issue 12): whoever held one must sign in with the new password.
   * The link is checked before the new password is hashed, so a made-up link costs a lookup, not a
   * hash; the transaction checks it again, and only the request that marks it used sets its password.
   */
  async completePasswordReset(
    resetId: string,
    token: string,
    password: string,
    client: Client,
  ): Promise<{ userId: string }> {
    await this.deps.abuseLimits.admit('password-reset-completion', client);
    await this.checkUsable(resetId, token);
    const passwordHash = await hashPassword(password);
    return this.deps.db.$transaction(async (tx) => {
      const reset = await tx.passwordReset.findUnique({ where: { id: resetId } });
      if (!reset || !tokenMatches(token, reset.tokenHash)) throw unknownReset();
      if (reset.usedAt || reset.expiresAt.getTime() < Date.now()) throw usedOrExpired();
      // Only the request that marks it unused → used wins.
      const marked = await tx.passwordReset.updateMany({
        where: { id: reset.id, usedAt: null },
        data: { usedAt: new Date() },
      });
      if (marked.count === 0) throw usedOrExpired();
      await tx.user.update({ where: { id: reset.userId }, data: { passwordHash } });
      await endSessionsOf(tx, reset.userId);
      return { userId: reset.userId };
    });
  }
}

const unknownReset = () =>
  new SignInRefusal('unknown-link', 'No such password reset link. Check that you copied the whole link.');
const usedOrExpired = () =>
  new SignInRefusal('used-or-expired', 'This link was already used or has expired. Ask for a new one.');
