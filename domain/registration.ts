// TPU-1: a third party creates their own account, and proves the email is theirs first (issue 12).
// One module, called alike by POST /accounts, POST /account-verifications/{id} and the hosted
// verification page.
//
// Asking to register never says whether the email has an account: the answer is the same, and comes
// as soon as the abuse limits admit it, before any lookup; the rest happens after it (as a password
// reset request does, domain/sign-in.ts). A new email gets a single-use link to verify it; a known one
// gets a reminder to sign in or reset the password, and its account is left as it is.
//
// The account (a User row) is made only when the link is used. Until then the registration waits in
// AccountRegistration, so an unverified email cannot sign in, is not found by a TPU request or its
// workflow's re-check, and blocks no invitation to the real owner of the address. Verifying makes the
// account once and announces it to every request waiting for it.
import { Prisma } from '@prisma/client';
import type { Database } from '../platform/database';
import type { Mailer } from '../platform/mail';
import type { Logger } from '../platform/logger';
import { composeEmail } from '../platform/email-layout';
import { hashToken, newToken, tokenMatches } from '../platform/secrets';
import type { ThirdPartyAccessClient } from '../workflows/third-party-access/client';
import type { AbuseLimits, Client } from './abuse-limits';
import { accountAppeared } from './kept-crm-news';

/** A verification link works for a day: long enough to find the email, short enough not to linger. */
export const VERIFICATION_TTL_MS = 24 * 60 * 60 * 1000;

export interface RegistrationRequest {
  email: string;
  displayName: string;
  firmName?: string;
}

export type VerificationRefusalKind = 'unknown-link' | 'used-or-expired';

export class VerificationRefusal extends Error {
  constructor(
    readonly kind: VerificationRefusalKind,
    message: string,
  ) {
    super(message);
  }
}

export interface Verified {
  userId: string;
  email: string;
  /** False when the email had an account by the time the link was used (an accepted invitation). */
  created: boolean;
}

export class Registration {
  constructor(
    private readonly deps: {
      db: Database;
      mailer: Mailer;
      logger: Logger;
      thirdPartyAccess: Pick<ThirdPartyAccessClient, 'announceAccount' | 'crmAccountOwner'>;
      /** Where the emailed links point: the hosted pages (PUBLIC_BASE_URL). */
      publicBaseUrl: string;
      abuseLimits: AbuseLimits;
    },
  ) {}

  /**
   * Accepts a registration for delivery. Past the limits (the same for every email, known or not) it
   * returns at once; the lookup, the row and the email happen after the answer, their failures logged.
   */
  async register(request: RegistrationRequest, client: Client): Promise<void> {
    await this.deps.abuseLimits.admit('registration', client, request.email);
    void this.follow(request).catch((err: Error) =>
      this.deps.logger.error({ err: err.message }, 'registration failed after its answer'),
    );
  }

  private async follow(request: RegistrationRequest): Promise<void> {
    const { db, mailer, publicBaseUrl } = this.deps;
    const known = await db.user.findUnique({ where: { email: request.email }, select: { displayName: true } });
    if (known) {
      await mailer.send({
        to: request.email,
        subject: 'You already have an account',
        ...composeEmail({
          greeting: `Hello ${known.displayName},`,
          paragraphs: [
            'Someone, probably you, asked to create an account with this email. You already have one, so nothing ' +
              'was changed: sign in with it.',
          ],
          action: { label: 'Sign in', url: `${publicBaseUrl}/sign-in` },
          after: [
            `Forgot your password? Ask for a new one: ${publicBaseUrl}/forgot-password`,
            'If you did not ask for this, ignore this email.',
          ],
          title: 'You already have an account',
        }),
      });
      return;
    }
    const token = newToken();
    const now = Date.now();
    const registration = await db.accountRegistration.create({
      data: {
        email: request.email,
        displayName: request.displayName,
        firmName: request.firmName ?? null,
        tokenHash: hashToken(token),
        createdAt: new Date(now),
        expiresAt: new Date(now + VERIFICATION_TTL_MS),
      },
    });
    await mailer.send({
      to: request.email,
      subject: 'Confirm your email to create your account',
      ...composeEmail({
        greeting: `Hello ${request.displayName},`,
        paragraphs: ['Confirm that this email is yours, and your account is created.'],
        action: { label: 'Confirm my email', url: `${publicBaseUrl}/verify-email/${registration.id}?token=${token}` },
        after: ['The link works once, for 24 hours. If you did not ask for an account, ignore this email.'],
        title: 'Confirm your email',
      }),
    });
  }

  /** Is this link one we sent and still usable? (The hosted page asks before showing its button.) */
  async check(registrationId: string, token: string, client: Client): Promise<{ email: string }> {
    await this.deps.abuseLimits.admit('link-check', client);
    const registration = await this.usable(registrationId, token);
    return { email: registration.email };
  }

  /**
   * Verifies the email: the link works once, even with two requests at once (only the request that
   * marks it used goes on). It makes the account, unless the email has one by now, and only a new
   * account is announced to the TPU requests waiting for it (their workflows also re-check by
   * themselves, so a lost announcement only delays them).
   */
  async verify(registrationId: string, token: string, client: Client): Promise<Verified> {
    const { db } = this.deps;
    // Cheap: a lookup and a SHA-256, no password hash.
    await this.deps.abuseLimits.admit('link-check', client);
    await this.usable(registrationId, token);
    let verified: Verified;
    try {
      verified = await db.$transaction((tx) => this.makeAccount(tx, registrationId));
    } catch (err) {
      // Another registration of the same email was verified at the same moment and made the account.
      if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
      verified = await db.$transaction((tx) => this.makeAccount(tx, registrationId));
    }
    if (verified.created) await this.announce(verified);
    return verified;
  }

  private async makeAccount(tx: Prisma.TransactionClient, registrationId: string): Promise<Verified> {
    const marked = await tx.accountRegistration.updateMany({
      where: { id: registrationId, usedAt: null, expiresAt: { gt: new Date() } },
      data: { usedAt: new Date() },
    });
    if (marked.count === 0) throw usedOrExpired();
    const registration = await tx.accountRegistration.findUniqueOrThrow({ where: { id: registrationId } });
    const existing = await tx.user.findUnique({ where: { email: registration.email }, select: { id: true } });
    if (existing) return { userId: existing.id, email: registration.email, created: false };
    const user = await tx.user.create({
      data: { email: registration.email, displayName: registration.displayName, firmName: registration.firmName },
      select: { id: true },
    });
    await tx.accountRegistration.update({ where: { id: registrationId }, data: { userId: user.id } });
    return { userId: user.id, email: registration.email, created: true };
  }

  private async announce(verified: Verified): Promise<void> {
    const { db, thirdPartyAccess, logger } = this.deps;
    const waiting = await db.thirdPartyRelationship.findMany({
      where: { thirdPartyEmail: verified.email, state: 'AWAITING_ACCOUNT' },
      select: { workflowId: true },
    });
    for (const w of waiting) {
      await thirdPartyAccess.announceAccount(w.workflowId, verified.userId).catch((err: Error) => {
        const why = 'could not announce the account; the workflow will find it';
        logger.warn({ err: err.message, workflowId: w.workflowId }, why);
      });
    }
    // TPU-5: the CRM's word kept for this email applies now, however old (domain/kept-crm-news.ts).
    await accountAppeared(db, thirdPartyAccess, verified.email).catch((err: Error) => {
      logger.warn(
        { err: err.message },
        "could not apply the CRM's word kept for the account; the worker's sweep will",
      );
    });
  }

  private async usable(registrationId: string, token: string) {
    const registration = await this.deps.db.accountRegistration.findUnique({ where: { id: registrationId } });
    if (!registration || !tokenMatches(token, registration.tokenHash)) throw unknownLink();
    if (registration.usedAt || registration.expiresAt.getTime() < Date.now()) throw usedOrExpired();
    return registration;
  }
}

const unknownLink = () =>
  new VerificationRefusal('unknown-link', 'No such verification link. Check that you copied the whole link.');
const usedOrExpired = () =>
  new VerificationRefusal(
    'used-or-expired',
    'This link was already used or has expired. If your account exists, sign in; otherwise register again.',
  );
