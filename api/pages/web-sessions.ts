// Browser sessions: a random token in an HttpOnly cookie, only its hash stored. The actor is loaded
// from the database on every request (roles are never in the cookie), exactly as for a bearer token;
// a session switched into a customer account (PA-5) counts only while its switch is open.
import type { Request, Response } from 'express';
import type { Database } from '../../platform/database';
import { hashToken, newToken } from '../../platform/secrets';
import { loadActor, type Actor } from '../../domain/actor';
import { startedBefore } from '../../domain/session-validity';
import { clearCookie, readCookies, renewCsrfToken, setCookie, type CookieOptions } from './http';

const SESSION_COOKIE = 'pa_session';
const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface WebSessionRow {
  id: string;
  userId: string;
  authTime: Date;
  switchedInto: string | null;
  switchId: string | null;
}

export interface SignedIn {
  session: WebSessionRow;
  actor: Actor;
}

export class WebSessions {
  constructor(
    private readonly db: Database,
    private readonly cookies: CookieOptions,
  ) {}

  /** Signs the browser in: a new session (any old one is ended) and a new CSRF token. */
  async start(req: Request, res: Response, userId: string, authTime: Date): Promise<void> {
    await this.end(req, res);
    const token = newToken();
    // createdAt from this clock, the one sessionsValidAfter is set by (issue 12), not the database's.
    const now = Date.now();
    await this.db.webSession.create({
      data: {
        userId,
        tokenHash: hashToken(token),
        authTime,
        createdAt: new Date(now),
        expiresAt: new Date(now + SESSION_TTL_MS),
      },
    });
    setCookie(res, SESSION_COOKIE, token, { ...this.cookies, maxAgeSeconds: SESSION_TTL_MS / 1000 });
    renewCsrfToken(res, this.cookies);
  }

  /**
   * The signed-in user of this request, or null (no cookie, unknown, ended, expired, deactivated, or
   * started before the user's sessions ended: issue 12, then it is ended here too).
   */
  async current(req: Request): Promise<SignedIn | null> {
    const token = readCookies(req)[SESSION_COOKIE];
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const session = await this.db.webSession.findUnique({ where: { tokenHash: hashToken(token) } });
    if (!session || session.endedAt || session.expiresAt.getTime() < Date.now()) return null;
    const actor = await loadActor(this.db, session.userId);
    if (!actor || actor.status !== 'ACTIVE') return null;
    if (startedBefore(session.createdAt, actor.sessionsValidAfter)) {
      await this.db.webSession.updateMany({
        where: { id: session.id, endedAt: null },
        data: { endedAt: new Date() },
      });
      return null;
    }
    if (session.switchId && session.switchedInto) {
      const open = await this.db.accountSwitch.findFirst({
        where: { id: session.switchId, userId: session.userId, endedAt: null },
        select: { id: true },
      });
      // The switch ended elsewhere (switched back from the API, the guest grant revoked): back home.
      if (!open) {
        await this.switched(session.id, null);
        return {
          session: { ...session, switchedInto: null, switchId: null },
          actor: { ...actor, authTime: session.authTime },
        };
      }
      return {
        session,
        actor: {
          ...actor,
          authTime: session.authTime,
          switchedInto: session.switchedInto,
          switchId: session.switchId,
        },
      };
    }
    return { session, actor: { ...actor, authTime: session.authTime } };
  }

  /** PA-5: the password was typed again. */
  async reauthenticated(sessionId: string, authTime: Date): Promise<void> {
    await this.db.webSession.update({ where: { id: sessionId }, data: { authTime } });
  }

  /** PA-5: the session now works in a customer account, or (null) in its own partner account again. */
  async switched(sessionId: string, to: { organizationId: string; switchId: string } | null): Promise<void> {
    await this.db.webSession.update({
      where: { id: sessionId },
      data: { switchedInto: to?.organizationId ?? null, switchId: to?.switchId ?? null },
    });
  }

  /** Signs out: the session ends in the database, so the cookie is worthless even if copied. */
  async end(req: Request, res: Response): Promise<void> {
    const token = readCookies(req)[SESSION_COOKIE];
    if (token) {
      await this.db.webSession.updateMany({
        where: { tokenHash: hashToken(token), endedAt: null },
        data: { endedAt: new Date() },
      });
    }
    clearCookie(res, SESSION_COOKIE, this.cookies);
  }
}
