// Pure rules of invitations, shared by the workflow, its activities and the API: expiry per kind,
// reminder time, the resend rate limit, and the token's hash.
import type { InvitationKind } from './messages/values/invitation';

const DAY = 24 * 3600;
export const MAX_EXPIRY_SECONDS = 30 * DAY;

/** Default expiry per kind (Auth0 and WorkOS use 7 days; at most 30). */
export const DEFAULT_EXPIRY_SECONDS: Record<InvitationKind, number> = {
  BUSINESS_PARTNER: 7 * DAY,
  PORTAL_USER: 7 * DAY,
  PRACTICE_STAFF: 14 * DAY,
  ORGANIZATION_ACCESS: 14 * DAY,
  CUSTOMER_USER: 7 * DAY,
  ACCOUNT_GUEST: 7 * DAY,
};

export interface InvitationTimings {
  /** How long a link stays valid after each send. */
  expirySeconds: number;
  /** A reminder goes out this long before expiry (0: no reminder). */
  reminderBeforeSeconds: number;
  /** How long an expired invitation can still be renewed in one step before it closes for good. */
  renewalWindowSeconds: number;
  /** At least this long between two sends of one invitation. */
  resendMinIntervalSeconds: number;
  /** At most this many resends per rolling day. */
  resendsPerDay: number;
}

export function timingsFor(kind: InvitationKind, overrides: Partial<InvitationTimings> = {}): InvitationTimings {
  const t: InvitationTimings = {
    expirySeconds: DEFAULT_EXPIRY_SECONDS[kind],
    reminderBeforeSeconds: DAY,
    renewalWindowSeconds: 30 * DAY,
    resendMinIntervalSeconds: 60,
    resendsPerDay: 5,
    ...overrides,
  };
  if (t.expirySeconds > MAX_EXPIRY_SECONDS)
    throw new RangeError(`an invitation expires after at most 30 days, not ${t.expirySeconds} s`);
  return t;
}

/** When the reminder is due, or null when the window is too short for one to be useful. */
export function reminderAt(sentAtMs: number, t: InvitationTimings): number | null {
  if (t.reminderBeforeSeconds <= 0 || t.reminderBeforeSeconds >= t.expirySeconds) return null;
  return sentAtMs + (t.expirySeconds - t.reminderBeforeSeconds) * 1000;
}

/**
 * The resend rate limit: null when a send is allowed now, else the seconds to wait. `sends` are the
 * times (ms) of earlier sends, initial one included.
 */
export function resendWait(sends: readonly number[], nowMs: number, t: InvitationTimings): number | null {
  const last = sends[sends.length - 1];
  if (last !== undefined && nowMs - last < t.resendMinIntervalSeconds * 1000) {
    return Math.ceil((last + t.resendMinIntervalSeconds * 1000 - nowMs) / 1000);
  }
  const dayAgo = nowMs - DAY * 1000;
  const recent = sends.slice(1).filter((s) => s > dayAgo);
  if (recent.length >= t.resendsPerDay) return Math.ceil((recent[0] + DAY * 1000 - nowMs) / 1000);
  return null;
}

/** "7 days", or seconds for the short windows tests use. */
export function describeDuration(seconds: number): string {
  const days = seconds / DAY;
  return Number.isInteger(days) ? `${days} day${days === 1 ? '' : 's'}` : `${seconds} s`;
}
