// Our own bearer tokens (HS256), verified on node:crypto's synchronous HMAC (issue 13's hot path).
// jose's jwtVerify checks them through WebCrypto, an asynchronous job per token that took about a
// fifth of an authenticated request's CPU; this is the same check, as jose makes it, in a few
// microseconds. jose still signs them (mintToken) and verifies an identity provider's tokens.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A token that is not valid; `expired` when only its `exp` has passed (the answer says so). */
export class TokenRefused extends Error {
  constructor(
    message: string,
    readonly expired = false,
  ) {
    super(message);
  }
}

export interface Hs256Settings {
  secret: string;
  issuer: string;
  audience: string;
}

/** The token's claims, once its signature, algorithm, issuer, audience and times hold (as jwtVerify). */
export function verifyHs256(settings: Hs256Settings, token: string, now = Date.now()): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenRefused('not a signed JWT (JWS compact form)');
  const [header, payload, signature] = parts;
  const protectedHeader = decoded(header, 'header');
  // The algorithm is pinned: no `none`, no other HMAC, no public-key algorithm used with our secret.
  if (protectedHeader.alg !== 'HS256') throw new TokenRefused('alg is not HS256');
  // RFC 7515 4.1.11: a critical extension we do not understand refuses the token (jose: the same).
  if (protectedHeader.crit !== undefined) throw new TokenRefused('an unsupported crit header');
  const expected = createHmac('sha256', settings.secret).update(`${header}.${payload}`).digest('base64url');
  // The exact base64url text is compared: the same bytes spelled another way are not this token.
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
    throw new TokenRefused('signature verification failed');
  }
  const claims = decoded(payload, 'payload');
  if (claims.iss !== settings.issuer) throw new TokenRefused('unexpected "iss" claim value');
  const aud = claims.aud;
  if (!(aud === settings.audience || (Array.isArray(aud) && aud.includes(settings.audience)))) {
    throw new TokenRefused('unexpected "aud" claim value');
  }
  const seconds = Math.floor(now / 1000);
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && nbf > seconds) throw new TokenRefused('"nbf" claim timestamp check failed');
  numericDate(claims, 'iat');
  const exp = numericDate(claims, 'exp');
  if (exp !== undefined && exp <= seconds) throw new TokenRefused('"exp" claim timestamp check failed', true);
  return claims;
}

function decoded(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRefused(`the ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenRefused(`the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function numericDate(claims: Record<string, unknown>, name: 'iat' | 'nbf' | 'exp'): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TokenRefused(`"${name}" is not a number`);
  return value;
}
