// Abuse limits on the endpoints anyone can call (issue 12): sign-in, password resets, registration
// and invitation links. Each password hash costs 32 MiB and about 0.1 s of a core, so unlimited
// requests stall the process; unlimited sign-ins also let anyone guess passwords. One module, called
// alike by the API's routes and the hosted pages (through domain/sign-in.ts and
// domain/invitation-links.ts), counting in PostgreSQL (rate-limiter-flexible's store, the
// rate_limits table of prisma/schema.prisma) so that every API instance counts the same requests.
//
// Keys are the client's IP (as Express's `trust proxy` setting reads it) and the account, which is
// the email as typed, known or not: an unknown email is limited exactly like a known one, so the
// limits tell nobody which emails have accounts. Emails are kept only as a SHA-256 in the table.
import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** So many requests per so many seconds (a fixed window from the first one). */
export interface Limit {
  points: number;
  seconds: number;
}

/**
 * The production limits, and why each number. Sign-in and reset completion hash a password; the
 * per-IP numbers cap what one address can make the process hash at about 1 % of a core.
 */
export const LIMITS = {
  /** One office behind one NAT signs in at 9 am: dozens of people, not hundreds in 10 minutes. */
  signInPerIp: { points: 60, seconds: 600 },
  /** A person mistypes a few times; 10 tries in 10 minutes is well past that, and the back-off bites first. */
  signInPerAccount: { points: 10, seconds: 600 },
  /** Asking for a reset link is rare; 10 an hour from one address covers a shared office. */
  passwordResetRequestPerIp: { points: 10, seconds: 3600 },
  /** At most one email a minute goes out anyway (domain/sign-in.ts); 3 asks an hour stop a mailbox flood. */
  passwordResetRequestPerAccount: { points: 3, seconds: 3600 },
  /** Setting the new password hashes it; a person needs one or two tries (the two fields must match). */
  passwordResetCompletionPerIp: { points: 10, seconds: 600 },
  /** A firm registers its people one by one; 10 accounts an hour from one address is generous. */
  registrationPerIp: { points: 10, seconds: 3600 },
  /** Each registration emails the address (a link, or a reminder when it has an account): 3 an hour stop a flood. */
  registrationPerAccount: { points: 3, seconds: 3600 },
  /** Opening an invitation or reset link, or declining, is cheap (a lookup, a SHA-256): pages reload, people retry. */
  linkCheckPerIp: { points: 60, seconds: 600 },
  /** Accepting may hash a new password; one invitee accepts once, an office a handful. */
  invitationAcceptPerIp: { points: 10, seconds: 600 },
} satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/**
 * Back-off for one account's consecutive failed sign-ins: the first `freeFailures` cost nothing, then
 * each failure makes the next try wait `firstWaitSeconds`, doubling up to `maxWaitSeconds`. A success
 * resets it; so does `forgetAfterSeconds` after the first failure. Why these numbers: a person who
 * forgot which password they used tries five, and waits seconds, not minutes, for the next few;
 * a guesser gets about 15 tries an hour per account (5 free, then waits summing to about an hour).
 */
export const SIGN_IN_BACKOFF = {
  freeFailures: 5,
  firstWaitSeconds: 1,
  maxWaitSeconds: 15 * 60,
  forgetAfterSeconds: 3600,
};
export type SignInBackoff = typeof SIGN_IN_BACKOFF;

/** What a limited action counts: the client's address and, where there is one, the account's email. */
export interface Client {
  ip: string;
}

/** The client of an Express request: `req.ip`, which the app's `trust proxy` setting decides. */
export const clientOf = (req: { ip?: string }): Client => ({ ip: req.ip ?? 'unknown' });

export type LimitedAction =
  | 'sign-in'
  | 'password-reset-request'
  | 'password-reset-completion'
  | 'registration'
  | 'link-check'
  | 'invitation-accept';

const ACTION_LIMITS: Record<LimitedAction, { perIp: LimitName; perAccount?: LimitName }> = {
  'sign-in': { perIp: 'signInPerIp', perAccount: 'signInPerAccount' },
  'password-reset-request': { perIp: 'passwordResetRequestPerIp', perAccount: 'passwordResetRequestPerAccount' },
  'password-reset-completion': { perIp: 'passwordResetCompletionPerIp' },
  registration: { perIp: 'registrationPerIp', perAccount: 'registrationPerAccount' },
  'link-check': { perIp: 'linkCheckPerIp' },
  'invitation-accept': { perIp: 'invitationAcceptPerIp' },
};

/** Too many tries: try again after `retryAfterSeconds` (the API's Retry-After, the page's wait). */
export class RateLimited extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    message = `Too many attempts. Try again in ${waitInWords(retryAfterSeconds)}.`,
  ) {
    super(message);
  }
}

export function waitInWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export interface AbuseLimitSettings {
  limits?: Partial<Record<LimitName, Limit>>;
  backoff?: Partial<SignInBackoff>;
}

const TABLE = 'rate_limits';
const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

export class AbuseLimits {
  private readonly limiters: Record<LimitName, RateLimiterAbstract>;
  private readonly failures: RateLimiterAbstract;
  /** A blocked account has a row here until its wait is over. */
  private readonly waits: RateLimiterAbstract;
  private readonly backoff: SignInBackoff;

  /** On a pool of its own (a few connections): a flood of limited requests never starves the queries. */
  static onPostgres(databaseUrl: string, settings: AbuseLimitSettings = {}): AbuseLimits {
    return new AbuseLimits(new Pool({ connectionString: databaseUrl, max: 4 }), settings);
  }

  constructor(
    private readonly pool: Pool,
    settings: AbuseLimitSettings = {},
  ) {
    // The table comes from a migration (prisma/migrations), never from the library at run time.
    const store = (keyPrefix: string, limit: Limit, clearExpired = false): RateLimiterAbstract =>
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: TABLE,
        tableCreated: true,
        // One limiter sweeps rows expired an hour ago every 5 minutes; they share the table.
        clearExpiredByTimeout: clearExpired,
        keyPrefix,
        points: limit.points,
        duration: limit.seconds,
      });
    const limits = { ...LIMITS, ...settings.limits };
    this.limiters = Object.fromEntries(
      (Object.keys(LIMITS) as LimitName[]).map((name, i) => [name, store(name, limits[name], i === 0)]),
    ) as Record<LimitName, RateLimiterAbstract>;
    this.backoff = { ...SIGN_IN_BACKOFF, ...settings.backoff };
    this.failures = store('signInFailures', { points: 1_000_000, seconds: this.backoff.forgetAfterSeconds });
    this.waits = store('signInWait', { points: 1, seconds: 1 });
  }

  /**
   * Counts one try of `action` against the client's address and the account; throws RateLimited when
   * either is spent (the address first, so a flood from one address does not spend the account's).
   */
  async admit(action: LimitedAction, client: Client, email?: string): Promise<void> {
    const { perIp, perAccount } = ACTION_LIMITS[action];
    await this.consume(perIp, client.ip || 'unknown');
    if (action === 'sign-in' && email !== undefined) {
      const wait = await this.waits.get(accountKey(email));
      if (wait && wait.consumedPoints > 1 && wait.msBeforeNext > 0) throw new RateLimited(seconds(wait));
    }
    if (perAccount && email !== undefined) await this.consume(perAccount, accountKey(email));
  }

  /** A failed sign-in for this email: past the free ones, the next try waits, longer each time. */
  async signInFailed(email: string): Promise<void> {
    const key = accountKey(email);
    const failed = await this.failures.penalty(key, 1);
    const over = failed.consumedPoints - this.backoff.freeFailures - 1;
    if (over < 0) return;
    const wait = Math.min(this.backoff.firstWaitSeconds * 2 ** over, this.backoff.maxWaitSeconds);
    await this.waits.block(key, wait);
  }

  /** A successful sign-in ends the account's back-off. */
  async signInSucceeded(email: string): Promise<void> {
    const key = accountKey(email);
    await Promise.all([this.failures.delete(key), this.waits.delete(key)]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async consume(name: LimitName, key: string): Promise<void> {
    try {
      await this.limiters[name].consume(key);
    } catch (err) {
      // The library rejects with its result when the limit is spent, and with an Error when the store fails.
      if (err instanceof RateLimiterRes) throw new RateLimited(seconds(err));
      throw err;
    }
  }
}
