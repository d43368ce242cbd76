// Identity: a bearer JWT (HS256, verified with jose) names the user; everything else about them is
// loaded from the database. 401 = we do not know who you are; 403 = we do, and you may not.
import type { RequestHandler, Response } from 'express';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import type { Database } from '../platform/database';
import { loadActor, type Actor } from '../domain/actor';
import { Problem } from './problem';

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
}

const key = (secret: string) => new TextEncoder().encode(secret);
const Subject = z.uuid();

export async function mintToken(settings: TokenSettings, userId: string, ttl = '8h'): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(key(settings.secret));
}

export async function verifyToken(settings: TokenSettings, token: string): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, key(settings.secret), {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ['HS256'],
    });
    const sub = Subject.safeParse(payload.sub);
    if (!sub.success) throw new Problem('unauthenticated', 'The token has no valid subject.');
    return sub.data;
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
  const actor = await loadActor(db, await verifyToken(settings, match[1]));
  if (!actor) throw new Problem('unauthenticated', 'The token names no known user.');
  if (actor.status !== 'ACTIVE') throw new Problem('forbidden', 'This account is deactivated.');
  return actor;
}

/** For routes anyone may call, where a signed-in caller changes the answer (accepting an invitation). */
export async function optionalActor(db: Database, settings: TokenSettings, authorization: string | undefined): Promise<Actor | null> {
  return authorization ? actorFromBearer(db, settings, authorization) : null;
}
