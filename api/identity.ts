// Identity: a bearer JWT (HS256, verified with jose) names the user; everything else about them is
// loaded from the database. 401 = we do not know who you are; 403 = we do, and you may not.
import type { RequestHandler, Response } from 'express';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import type { Database } from '../platform/database';
import { loadActor, type Actor } from '../domain/actor';
import { issuedAtFor, issuedBefore, SIGNED_OUT_EVERYWHERE } from '../domain/session-validity';
import { Problem } from './problem';

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
}

const key = (secret: string) => new TextEncoder().encode(secret);
const Subject = z.uuid();

/** What a token says beyond whose it is: when they last proved who they are, and where they work. */
export interface TokenClaims {
  /** OIDC `auth_time`: when the holder last signed in with their password (PA-5 wants it fresh). */
  authTime?: Date;
  /** PA-5: the customer account a switched-in token is scoped to, and the switch it belongs to. */
  account?: { organizationId: string; switchId: string };
  /** Issue 12: the user's sessionsValidAfter, so a token minted in the same second still counts. */
  sessionsValidAfter?: Date | null;
}

export interface VerifiedToken extends Omit<TokenClaims, 'sessionsValidAfter'> {
  userId: string;
  /** `iat`, in whole seconds: a token issued before the user's sessions ended is refused (issue 12). */
  issuedAt: number;
}

export async function mintToken(
  settings: TokenSettings,
  userId: string,
  ttl = '8h',
  claims: TokenClaims = {},
): Promise<string> {
  return new SignJWT({
    ...(claims.authTime ? { auth_time: Math.floor(claims.authTime.getTime() / 1000) } : {}),
    ...(claims.account ? { account: claims.account.organizationId, sid: claims.account.switchId } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(issuedAtFor(claims.sessionsValidAfter))
    .setExpirationTime(ttl)
    .sign(key(settings.secret));
}

const Claims = z.object({
  sub: Subject,
  iat: z.number().int().nonnegative().optional(),
  auth_time: z.number().int().positive().optional(),
  account: z.uuid().optional(),
  sid: z.uuid().optional(),
});

export async function verifyToken(settings: TokenSettings, token: string): Promise<VerifiedToken> {
  try {
    const { payload } = await jwtVerify(token, key(settings.secret), {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ['HS256'],
    });
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new Problem('unauthenticated', 'The token has no valid subject.');
    const { sub, iat, auth_time: authTime, account, sid } = claims.data;
    // Issue 12: without its issue time a token could not be told from one issued before a reset.
    if (iat === undefined) throw new Problem('unauthenticated', 'The token has no issue time (iat).');
    if (Boolean(account) !== Boolean(sid)) throw new Problem('unauthenticated', 'The token is not valid.');
    return {
      userId: sub,
      issuedAt: iat,
      ...(authTime ? { authTime: new Date(authTime * 1000) } : {}),
      ...(account && sid ? { account: { organizationId: account, switchId: sid } } : {}),
    };
  } catch (err) {
    if (err instanceof Problem) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new Problem('unauthenticated', 'The token has expired.');
    throw new Problem('unauthenticated', 'The token is not valid.');
  }
}

export function authenticate(db: Database, settings: TokenSettings): RequestHandler {
  return async (req, res, next) => {
    try {
      const header = req.headers.authorization;
      if (!header) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        throw new Problem('unauthenticated', 'Send a bearer token in the Authorization header.');
      }
      const actor = await actorFromBearer(db, settings, header);
      res.locals.actor = actor;
      next();
    } catch (err) {
      if (err instanceof Problem && err.kind === 'unauthenticated') res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      next(err);
    }
  };
}

export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new Problem('unauthenticated');
  return actor;
}

/** The active user a bearer token names, with roles from the database. */
async function actorFromBearer(db: Database, settings: TokenSettings, authorization: string): Promise<Actor> {
  const match = authorization.match(/^Bearer ([A-Za-z0-9\-_.]+)$/);
  if (!match) throw new Problem('unauthenticated', 'Send a bearer token in the Authorization header.');
  return actorFromToken(db, settings, match[1]);
}

/** The same checks for a token that comes another way (PA-5: the subject token of a token exchange). */
export async function actorFromToken(db: Database, settings: TokenSettings, jwt: string): Promise<Actor> {
  const token = await verifyToken(settings, jwt);
  const actor = await loadActor(db, token.userId);
  if (!actor) throw new Problem('unauthenticated', 'The token names no known user.');
  if (actor.status !== 'ACTIVE') throw new Problem('forbidden', 'This account is deactivated.');
  // Issue 12: a reset, a deactivation or a freed email since this token was issued ended it.
  if (issuedBefore(token.issuedAt, actor.sessionsValidAfter)) {
    throw new Problem('unauthenticated', SIGNED_OUT_EVERYWHERE);
  }
  if (token.account) {
    // PA-5: a switched-in token works only while its switch is open; switching back ends it at once.
    const open = await db.accountSwitch.findFirst({
      where: { id: token.account.switchId, userId: token.userId, organizationId: token.account.organizationId, endedAt: null },
      select: { id: true },
    });
    if (!open) throw new Problem('unauthenticated', 'This switch into a customer account has ended; use your partner account token.');
    return { ...actor, switchedInto: token.account.organizationId, switchId: token.account.switchId, authTime: token.authTime };
  }
  return { ...actor, authTime: token.authTime };
}

/** For routes anyone may call, where a signed-in caller changes the answer (accepting an invitation). */
export async function optionalActor(db: Database, settings: TokenSettings, authorization: string | undefined): Promise<Actor | null> {
  return authorization ? actorFromBearer(db, settings, authorization) : null;
}
