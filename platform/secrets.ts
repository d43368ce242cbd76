// Secrets the engine hands out or keeps: link tokens (256 random bits, only their SHA-256 kept,
// compared in constant time) and passwords (scrypt, salted). Never logged, never in workflow
// history, never in events.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, createHash, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );

/** A fresh link token: 32 random bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored of a token: enough to recognise it, useless to forge one. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Does `token` hash to `storedHash`? Constant time, whatever the input. */
export function tokenMatches(token: string, storedHash: string | null): boolean {
  const given = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash ?? '', 'hex');
  if (stored.length !== given.length) {
    timingSafeEqual(given, given); // same work either way
    return false;
  }
  return timingSafeEqual(given, stored);
}

// N=2^15, r=8, p=1: OWASP's scrypt floor; about 0.1 s and 32 MiB per hash on the 2-core machine.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/**
 * How many hashes run at once in this process. scrypt runs on libuv's thread pool (4 threads unless
 * UV_THREADPOOL_SIZE says otherwise), which DNS lookups and file reads share: a burst of sign-ins that
 * took every thread would stall the SMTP connection's lookup and the certificate's font reads, and
 * would hold 32 MiB per hash. Two at a time leaves the rest free; the others wait their turn in order.
 */
export const CONCURRENT_HASHES = 2;

const hashTurns = turns(CONCURRENT_HASHES);

/** A first-come first-served limit of `size` tasks at once. */
export function turns(size: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      // The finished task's place goes straight to the next in line, or is given back.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/** scrypt, waiting for a turn (CONCURRENT_HASHES). */
const hashTurn = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  hashTurns(() => scrypt(password, salt, keylen, opts));

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await hashTurn(password.normalize('NFKC'), salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = stored?.split('$') ?? [];
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    await hashPassword(password); // no shortcut that tells "no password" from "wrong password"
    return false;
  }
  const [, n, r, p, salt, key] = parts;
  const expected = Buffer.from(key, 'base64url');
  const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem };
  const actual = await hashTurn(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, options);
  return timingSafeEqual(actual, expected);
}
