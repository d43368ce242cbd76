// The browser side of HTTP for the hosted pages and the console: cookies, security headers, CSRF and
// the one-shot flash message of Post/Redirect/Get. The API's bearer tokens are not used here: a
// browser holds an HttpOnly session cookie instead, and every form carries a CSRF token.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface CookieOptions {
  /** `Secure` outside development and tests (those run over plain http on loopback). */
  secure: boolean;
  path?: string;
  maxAgeSeconds?: number;
}

export function readCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A cookie we did not write: ignored.
    }
  }
  return out;
}

export function setCookie(res: Response, name: string, value: string, opts: CookieOptions): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${opts.path ?? '/'}`, 'HttpOnly', 'SameSite=Lax'];
  if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${opts.maxAgeSeconds}`);
  if (opts.secure) parts.push('Secure');
  res.append('Set-Cookie', parts.join('; '));
}

export function clearCookie(res: Response, name: string, opts: CookieOptions): void {
  setCookie(res, name, '', { ...opts, maxAgeSeconds: 0 });
}

/**
 * Headers on every page: a strict Content-Security-Policy (our own scripts and styles only, forms post
 * only to us, never framed), no Referer (a link token in a URL never leaks to another site), no caching
 * (pages show personal data), and no MIME sniffing.
 */
export const pageHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
      "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  );
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cache-Control', 'no-store');
  next();
};

const CSRF_COOKIE = 'pa_csrf';
export const CSRF_FIELD = '_csrf';

/**
 * CSRF, double-submit: a random token in an HttpOnly cookie, the same token in every form. A post
 * from another site cannot read the cookie to copy it into its form (and SameSite=Lax does not send it
 * on a cross-site post anyway). The token is renewed at sign-in, so one planted before cannot be used.
 */
export function csrfToken(req: Request, res: Response, opts: CookieOptions): string {
  // Made (or renewed at sign-in) earlier in this same request: the cookie on its way has it.
  if (typeof res.locals.csrf === 'string') return res.locals.csrf;
  const existing = readCookies(req)[CSRF_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  return renewCsrfToken(res, opts);
}

export function renewCsrfToken(res: Response, opts: CookieOptions): string {
  const token = randomBytes(32).toString('base64url');
  setCookie(res, CSRF_COOKIE, token, { ...opts, path: '/' });
  // The page being rendered reads it from here (the request's cookie is the old one).
  res.locals.csrf = token;
  return token;
}

/** Refuses a form post whose CSRF token is missing or does not match the cookie's. */
export function csrfChecked(req: Request): boolean {
  const cookie = readCookies(req)[CSRF_COOKIE] ?? '';
  const sent = typeof req.body?.[CSRF_FIELD] === 'string' ? (req.body[CSRF_FIELD] as string) : '';
  if (cookie.length !== 43 || sent.length !== cookie.length) return false;
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(sent));
}

const FLASH_COOKIE = 'pa_flash';

export interface Flash {
  kind: 'done' | 'error';
  text: string;
}

/** A one-line outcome shown on the page a form redirects to, once. */
export function setFlash(res: Response, flash: Flash, opts: CookieOptions): void {
  setCookie(res, FLASH_COOKIE, JSON.stringify(flash).slice(0, 1500), { ...opts, maxAgeSeconds: 60 });
}

export function takeFlash(req: Request, res: Response, opts: CookieOptions): Flash | null {
  const raw = readCookies(req)[FLASH_COOKIE];
  if (!raw) return null;
  clearCookie(res, FLASH_COOKIE, opts);
  try {
    const parsed = JSON.parse(raw) as Flash;
    if ((parsed.kind === 'done' || parsed.kind === 'error') && typeof parsed.text === 'string') return parsed;
  } catch {
    // Not ours: ignored.
  }
  return null;
}

/** A path on this site to go back to after signing in; anything else (another host, `//x`) is refused. */
export function localPath(next: unknown, fallback = '/console'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\'))
    return fallback;
  return next;
}

/** Express 5 passes rejected promises on; this keeps page handlers short. */
export const page =
  (handler: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req: Request, res: Response, next: NextFunction) =>
    handler(req, res).catch(next);

// Emailed links (invitations, password resets, email verifications): the URL carries the token once; it
// moves into an HttpOnly cookie scoped to that one link's path, and a 303 drops it from the address bar.
const LINK_COOKIE = 'pa_link';
const LINK_COOKIE_SECONDS = 60 * 60;
const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Has `value` the shape of a link token (newToken: 32 random bytes, base64url)? */
export const isLinkToken = (value: unknown): value is string => typeof value === 'string' && LINK_TOKEN.test(value);

/** Keeps an emailed link's token for the pages under `path` (the caller redirects there). */
export function keepLinkToken(res: Response, cookies: CookieOptions, path: string, token: string): void {
  setCookie(res, LINK_COOKIE, token, { ...cookies, path, maxAgeSeconds: LINK_COOKIE_SECONDS });
}

/** The link token this page's path was given, if any. */
export function linkTokenOf(req: Request): string | null {
  const token = readCookies(req)[LINK_COOKIE];
  return isLinkToken(token) ? token : null;
}

/** Forgets the link token of `path` (the link has been used). */
export function dropLinkToken(res: Response, cookies: CookieOptions, path: string): void {
  clearCookie(res, LINK_COOKIE, { ...cookies, path });
}
