// Issue 12: sessions end when they must. A completed password reset, a deactivation and a freed
// email set the user's sessionsValidAfter, in the same transaction as the change; every bearer token
// issued and every browser session started before it is refused from then on.
import type { Prisma } from '@prisma/client';

/**
 * Ends every session of the user as of `at`: later requests with an older token or browser session
 * are refused (api/identity.ts, api/pages/web-sessions.ts). The browser sessions are also marked
 * ended here, so the database says so too.
 */
export async function endSessionsOf(tx: Prisma.TransactionClient, userId: string, at = new Date()): Promise<void> {
  // A token minted after an earlier end in this same second was stamped the next second (issuedAtFor):
  // a second end in that second moves on to the next second too, or such a token would outlive it.
  await tx.$executeRaw`
    update "User" set "sessionsValidAfter" = greatest(
      to_timestamp(${at.getTime()}::double precision / 1000) at time zone 'UTC',
      date_trunc('second', "sessionsValidAfter") + interval '1 second')
    where id = ${userId}::uuid`;
  await tx.webSession.updateMany({ where: { userId, endedAt: null }, data: { endedAt: at } });
}

/**
 * Was a token with this `iat` (whole seconds) issued before the sessions ended? A token's `iat` cannot
 * tell a token minted earlier in the same second from one minted later, so the whole second counts
 * as before: an old token is never let through. `issuedAtFor` keeps a new sign-in out of that second.
 */
export function issuedBefore(iatSeconds: number, validAfter: Date | null | undefined): boolean {
  return validAfter ? iatSeconds <= Math.floor(validAfter.getTime() / 1000) : false;
}

/**
 * The `iat` (whole seconds) for a token minted now: now, or the second after the sessions ended when
 * that is later (a sign-in in the same second as a reset), so that a token minted after the end counts.
 */
export function issuedAtFor(validAfter: Date | null | undefined, now = new Date()): number {
  const current = Math.floor(now.getTime() / 1000);
  return validAfter ? Math.max(current, Math.floor(validAfter.getTime() / 1000) + 1) : current;
}

/** Was a browser session (its row's createdAt, in milliseconds) started before the sessions ended? */
export function startedBefore(createdAt: Date, validAfter: Date | null | undefined): boolean {
  return validAfter ? createdAt.getTime() <= validAfter.getTime() : false;
}

/** The detail of the 401 an ended token answers. */
export const SIGNED_OUT_EVERYWHERE =
  'Signed out everywhere (a password reset or a change to your account): sign in again.';
