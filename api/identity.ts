// Identity: a bearer JWT names the user; everything else about them is loaded from the database.
// 401 = we do not know who you are; 403 = we do, and you may not. A token is either our own (HS256,
// signed with jose, verified by api/hs256.ts against AUTH_JWT_*) or, when one is configured, an
// OpenID Connect provider's (RS256 or ES256 by its JWKS, platform/external-identity.ts; issue 12),
// which names a user by the provider's `sub` linked to them. Roles never come from a token's claims.
import type { RequestHandler, Response } from 'express';
import { Prisma } from '@prisma/client';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { Database } from '../platform/database';
import {
  ExternalTokenRefused,
  IdentityProviderUnreachable,
  type ExternalIdentity,
  type ExternalToken,
} from '../platform/external-identity';
import { loadActorAndReads, type Actor, type ActorReads } from '../domain/actor';
import { issuedAtFor, issuedBefore, SIGNED_OUT_EVERYWHERE } from '../domain/session-validity';
import { Problem } from './problem';
import { TokenRefused, verifyHs256 } from './hs256';

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  /** Issue 12: an OpenID Connect provider whose tokens are accepted too (OIDC_ISSUER); none when unset. */
  external?: ExternalIdentity;
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
    const payload = verifyHs256(settings, token);
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
    if (err instanceof TokenRefused && err.expired) throw new Problem('unauthenticated', 'The token has expired.');
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
      const { actor, reads } = await actorFromBearer(db, settings, header);
      res.locals.actor = actor;
      res.locals.actorReads = reads;
      next();
    } catch (err) {
      if (err instanceof Problem && err.kind === 'unauthenticated')
        res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      next(err);
    }
  };
}

export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new Problem('unauthenticated');
  return actor;
}

/**
 * What this request read with this actor (GET /me's answer, the principal for its own check), if its
 * authentication did; request-scoped (res.locals), so nothing read here outlives the request.
 */
export function actorReadsOf(res: Response, actor: Actor): ActorReads | undefined {
  return res.locals.actor === actor ? (res.locals.actorReads as ActorReads | undefined) : undefined;
}

/** The active user a bearer token names, with roles from the database. */
async function actorFromBearer(db: Database, settings: TokenSettings, authorization: string) {
  const match = authorization.match(/^Bearer ([A-Za-z0-9\-_.]+)$/);
  if (!match) throw new Problem('unauthenticated', 'Send a bearer token in the Authorization header.');
  return actorAndReadsFromToken(db, settings, match[1]);
}

/**
 * The same checks for a token that comes another way (PA-5: the subject token of a token exchange).
 * A provider's token counts as a bearer does: its `auth_time` is when the holder signed in there.
 */
export async function actorFromToken(db: Database, settings: TokenSettings, jwt: string): Promise<Actor> {
  return (await actorAndReadsFromToken(db, settings, jwt)).actor;
}

async function actorAndReadsFromToken(
  db: Database,
  settings: TokenSettings,
  jwt: string,
): Promise<{ actor: Actor; reads: ActorReads }> {
  // Which verifier, by the token's unverified `iss`; each then pins its own issuer, algorithms and keys.
  const external = settings.external?.claimsToBeFrom(jwt) ? settings.external : undefined;
  const token = external ? await verifyExternalToken(db, external, jwt) : await verifyToken(settings, jwt);
  const loaded = await loadActorAndReads(db, token.userId);
  if (!loaded) throw new Problem('unauthenticated', 'The token names no known user.');
  const { actor, reads } = loaded;
  if (actor.status !== 'ACTIVE') throw new Problem('forbidden', 'This account is deactivated.');
  // Issue 12: a reset, a deactivation or a freed email since this token was issued ended it.
  if (issuedBefore(token.issuedAt, actor.sessionsValidAfter)) {
    throw new Problem('unauthenticated', SIGNED_OUT_EVERYWHERE);
  }
  if (token.account) {
    // PA-5: a switched-in token works only while its switch is open; switching back ends it at once.
    const open = await db.accountSwitch.findFirst({
      where: {
        id: token.account.switchId,
        userId: token.userId,
        organizationId: token.account.organizationId,
        endedAt: null,
      },
      select: { id: true },
    });
    if (!open)
      throw new Problem(
        'unauthenticated',
        'This switch into a customer account has ended; use your partner account token.',
      );
    const switched = {
      ...actor,
      switchedInto: token.account.organizationId,
      switchId: token.account.switchId,
      authTime: token.authTime,
    };
    return { actor: switched, reads };
  }
  return { actor: { ...actor, authTime: token.authTime }, reads };
}

/** For routes anyone may call, where a signed-in caller changes the answer (accepting an invitation). */
export async function optionalActor(
  db: Database,
  settings: TokenSettings,
  authorization: string | undefined,
): Promise<Actor | null> {
  return authorization ? (await actorFromBearer(db, settings, authorization)).actor : null;
}

/** A provider's token, verified, as the user it is linked to (issue 12). */
async function verifyExternalToken(db: Database, external: ExternalIdentity, jwt: string): Promise<VerifiedToken> {
  let token: ExternalToken;
  try {
    token = await external.verify(jwt);
  } catch (err) {
    if (err instanceof ExternalTokenRefused) throw new Problem('unauthenticated', err.message);
    if (err instanceof IdentityProviderUnreachable) throw new Problem('not-ready', err.message);
    throw err;
  }
  return {
    userId: await linkedUser(db, token),
    issuedAt: token.issuedAt,
    ...(token.authTime ? { authTime: token.authTime } : {}),
  };
}

/** The detail of the 401 a provider's token answers when it names nobody here. */
export const NO_LINKED_ACCOUNT =
  'No account here is linked to this identity, and none has the email the token vouches for; ' +
  'tokens do not create accounts: register or be invited first.';

/**
 * The user a provider's subject is linked to. Unlinked, the first token whose verified email is an
 * active user's, who has no link yet, links that user to the subject (once: the link is unique and set
 * only where none is). From then on the subject alone names the user: a later token with the same
 * email but another subject does not get them, nor does a changed email move the link.
 */
async function linkedUser(db: Database, token: ExternalToken): Promise<string> {
  const bySubject = () =>
    db.user.findUnique({
      where: { externalIssuer_externalSubject: { externalIssuer: token.issuer, externalSubject: token.subject } },
      select: { id: true },
    });
  const linked = await bySubject();
  if (linked) return linked.id;
  if (!token.verifiedEmail) throw new Problem('unauthenticated', NO_LINKED_ACCOUNT);
  const byEmail = await db.user.findUnique({
    where: { email: token.verifiedEmail },
    select: { id: true, status: true, externalSubject: true },
  });
  if (!byEmail) throw new Problem('unauthenticated', NO_LINKED_ACCOUNT);
  if (byEmail.externalSubject !== null) {
    throw new Problem(
      'unauthenticated',
      'The account with this email is linked to another identity at the provider.',
    );
  }
  // A deactivated account is answered as one (403) by the caller, and not linked meanwhile.
  if (byEmail.status !== 'ACTIVE') return byEmail.id;
  try {
    const { count } = await db.user.updateMany({
      where: { id: byEmail.id, externalIssuer: null, externalSubject: null },
      data: { externalIssuer: token.issuer, externalSubject: token.subject },
    });
    if (count === 1) return byEmail.id;
  } catch (err) {
    // Another request linked this subject first (the unique index): read what it linked.
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
  }
  // A concurrent first token won the race: it counts if it linked this very subject.
  const now = await bySubject();
  if (now) return now.id;
  throw new Problem('unauthenticated', 'The account with this email is linked to another identity at the provider.');
}
