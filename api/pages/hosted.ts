// The hosted pages every emailed link opens, as Auth0 and WorkOS host theirs: an invitation (accept
// with a new password, accept signed in, decline, and a page per state with its next step), sign-in,
// sign-out, and the password reset (ask, then set). The use cases are domain/invitation-links.ts and
// domain/sign-in.ts, the same the API calls.
//
// Link tokens stay secret: the emailed URL carries the token once; the page moves it into an HttpOnly
// cookie scoped to that one link's path and redirects (303) to the same path without it, so the token
// never stays in the address bar or the browser history, and is never in a Referer
// (Referrer-Policy: no-referrer) or a server log (the request log has the path only).
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../platform/database';
import { hashToken } from '../../platform/secrets';
import { InvitationLinks, LinkRefusal, type OpenedInvitation } from '../../domain/invitation-links';
import { SignIn, SignInRefusal } from '../../domain/sign-in';
import { clientOf } from '../../domain/abuse-limits';
import { EmailAddress, NewPassword } from '../../domain/messages/values/invitation';
import { invitationCommand } from '../routes/invitations';
import { Problem } from '../problem';
import {
  dropLinkToken,
  isLinkToken,
  keepLinkToken,
  linkTokenOf,
  csrfChecked,
  csrfToken,
  localPath,
  page,
  setFlash,
  takeFlash,
  type CookieOptions,
  type Flash,
} from './http';
import { html, when, words, type Html } from './html';
import { field, form, layout } from './layout';
import { problemWords } from './console';
import type { WebSessions } from './web-sessions';

const Id = z.uuid();
const PASSWORD_RULES = 'At least 12 characters. A long phrase is easier to remember than a short, complicated word.';

const CURRENT = 'current-password';
const NEW = 'new-password';
const AGAIN = 'The same password again';

/** The two fields of every new password: the rules shown with the first, and the browser's own checks. */
const newPasswordFields = (label: string) =>
  html`${field({
    name: 'password',
    label,
    type: 'password',
    required: true,
    autocomplete: 'new-password',
    hint: PASSWORD_RULES,
    minlength: 12,
  })}
  ${field({ name: 'confirmPassword', label: AGAIN, type: 'password', required: true, autocomplete: NEW })}`;

/** What is wrong with a new password and its repetition, in words, or null when both are fine. */
function newPasswordProblem(password: unknown, again: unknown): string | null {
  const rules = NewPassword.safeParse(password);
  if (!rules.success) return `The password ${rules.error.issues[0].message}.`;
  return password === again ? null : 'The two passwords are not the same.';
}

/** A refused answer to a link (the link's own refusal, or the workflow's as a problem) in words; else rethrown. */
function linkRefusalWords(err: unknown): string {
  if (err instanceof LinkRefusal) return err.message;
  if (err instanceof Problem) return problemWords(err);
  throw err;
}

export interface HostedDeps {
  db: Database;
  links: InvitationLinks;
  signIn: SignIn;
  sessions: WebSessions;
  cookies: CookieOptions;
  /** Demo sign-in links work only in development (`npm start` prints them); never in production. */
  demoSignIn: boolean;
}

export function hostedPages(router: Router, deps: HostedDeps): void {
  const { links, signIn, sessions, cookies } = deps;

  const send = (
    req: Request,
    res: Response,
    title: string,
    body: Html,
    opts: { status?: number; flash?: Flash | null } = {},
  ) => {
    const flash = opts.flash === undefined ? takeFlash(req, res, cookies) : opts.flash;
    const shell = layout({ title, body, flash, csrf: csrfToken(req, res, cookies) });
    res
      .status(opts.status ?? 200)
      .type('html')
      .send(shell.value);
  };
  const csrfOf = (req: Request, res: Response) => csrfToken(req, res, cookies);
  const refuseForgedPost = (req: Request) => {
    if (!csrfChecked(req))
      throw new Problem('forbidden', 'This form has expired or did not come from this site. Reload the page.');
  };

  /**
   * The emailed link, once: its token goes into a cookie for this link's path only, and the browser
   * is sent to the same page without it. Later visits (and the forms) read the cookie.
   */
  const landLink = (req: Request, res: Response, prefix: string) => {
    const id = Id.safeParse(req.params.id);
    const token = req.query.token;
    if (!id.success || !isLinkToken(token)) {
      return send(
        req,
        res,
        'This link does not work',
        html`<p>Check that you copied the whole link from the email.</p>`,
        {
          status: 404,
        },
      );
    }
    keepLinkToken(res, cookies, `${prefix}/${id.data}`, token);
    res.redirect(303, `${prefix}/${id.data}`);
  };
  const noLink = (req: Request, res: Response) =>
    send(
      req,
      res,
      'Open the link from your email',
      html`<p>
        This page needs the link from your email. Open the most recent email and follow its button or link again.
      </p>`,
      { status: 404 },
    );

  // ------------------------------------------------------------------ invitations
  router.get('/invite/:id', async (req, res, next) => {
    if (req.query.token !== undefined) return landLink(req, res, '/invite');
    try {
      const id = Id.safeParse(req.params.id);
      const token = linkTokenOf(req);
      if (!id.success || !token) return noLink(req, res);
      const signedIn = await sessions.current(req);
      try {
        const opened = await links.open(id.data, token, clientOf(req));
        return send(
          req,
          res,
          'You are invited',
          invitationPage(opened, csrfOf(req, res), signedIn?.actor.email ?? null),
        );
      } catch (err) {
        if (!(err instanceof LinkRefusal)) throw err;
        const [title, body, status] = linkStatePage(err, csrfOf(req, res));
        return send(req, res, title, body, { status });
      }
    } catch (err) {
      next(err);
    }
  });

  router.post(
    '/invite/:id/accept',
    page(async (req, res) => {
      refuseForgedPost(req);
      const id = Id.parse(req.params.id);
      const back = `/invite/${id}`;
      const token = linkTokenOf(req);
      if (!token) return noLink(req, res);
      const signedIn = await sessions.current(req);
      const password =
        typeof req.body.password === 'string' && req.body.password !== '' ? req.body.password : undefined;
      if (password !== undefined) {
        const problem = newPasswordProblem(password, req.body.confirmPassword);
        if (problem) {
          setFlash(res, { kind: 'error', text: problem }, cookies);
          return res.redirect(303, back);
        }
      }
      try {
        const invitee = signedIn ? { userId: signedIn.actor.userId, email: signedIn.actor.email } : null;
        const accepted = await invitationCommand(() => links.accept(id, token, password, invitee, clientOf(req)));
        dropLinkToken(res, cookies, back);
        // A new account has just proved its email (the link) and chosen its password: it is signed in.
        if (accepted.createdAccount) await sessions.start(req, res, accepted.userId, new Date());
        setFlash(res, { kind: 'done', text: 'Invitation accepted. Welcome.' }, cookies);
        return res.redirect(303, '/console');
      } catch (err) {
        setFlash(res, { kind: 'error', text: linkRefusalWords(err) }, cookies);
        return res.redirect(303, back);
      }
    }),
  );

  router.post(
    '/invite/:id/decline',
    page(async (req, res) => {
      refuseForgedPost(req);
      const id = Id.parse(req.params.id);
      const token = linkTokenOf(req);
      if (!token) return noLink(req, res);
      try {
        await invitationCommand(() => links.decline(id, token, clientOf(req)));
        dropLinkToken(res, cookies, `/invite/${id}`);
        return send(
          req,
          res,
          'Invitation declined',
          html`<p>
            You declined the invitation. Nothing was added to any account. If this was a mistake, ask the person who
            invited you to send a new one.
          </p>`,
        );
      } catch (err) {
        setFlash(res, { kind: 'error', text: linkRefusalWords(err) }, cookies);
        return res.redirect(303, `/invite/${id}`);
      }
    }),
  );

  // ------------------------------------------------------------------ sign-in and sign-out
  const signInPage = (
    req: Request,
    res: Response,
    opts: { email?: string; status?: number; flash?: Flash | null } = {},
  ) => {
    const next = localPath(req.query.next ?? req.body?.next);
    const fresh = (req.query.fresh ?? req.body?.fresh) === '1';
    const body = html`${fresh ? html`<p>This needs a recent sign-in: type your password again.</p>` : ''}
      ${form(
        '/sign-in',
        csrfOf(req, res),
        html`<input type="hidden" name="next" value="${next}" />
          ${fresh ? html`<input type="hidden" name="fresh" value="1" />` : ''}
          ${field({
            name: 'email',
            label: 'Email',
            type: 'email',
            value: opts.email,
            required: true,
            autocomplete: 'username',
          })}
          ${field({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: CURRENT })}
          <button type="submit">Sign in</button>`,
      )}
      <p><a href="/forgot-password">Forgot your password?</a></p>`;
    send(req, res, fresh ? 'Confirm it is you' : 'Sign in', body, { status: opts.status, flash: opts.flash });
  };

  router.get(
    '/sign-in',
    page(async (req, res) => signInPage(req, res)),
  );
  router.post(
    '/sign-in',
    page(async (req, res) => {
      refuseForgedPost(req);
      const email = EmailAddress.safeParse(req.body.email);
      const password = typeof req.body.password === 'string' ? req.body.password : '';
      try {
        if (!email.success || password === '')
          throw new SignInRefusal('wrong-credentials', 'The email or the password is wrong.');
        const { userId, authTime } = await signIn.withPassword(email.data, password, clientOf(req));
        await sessions.start(req, res, userId, authTime);
        res.redirect(303, localPath(req.body.next));
      } catch (err) {
        if (!(err instanceof SignInRefusal)) throw err;
        signInPage(req, res, {
          email: email.success ? email.data : undefined,
          status: 401,
          flash: { kind: 'error', text: err.message },
        });
      }
    }),
  );
  router.post(
    '/sign-out',
    page(async (req, res) => {
      refuseForgedPost(req);
      await sessions.end(req, res);
      setFlash(res, { kind: 'done', text: 'You are signed out.' }, cookies);
      res.redirect(303, '/sign-in');
    }),
  );

  // ------------------------------------------------------------------ password reset
  router.get(
    '/forgot-password',
    page(async (req, res) => {
      send(
        req,
        res,
        'Reset your password',
        html`<p>
            We will email you a link to choose a new password. If you were invited to the partner portal and your
            invitation expired, the email carries a fresh invitation instead.
          </p>
          ${form(
            '/forgot-password',
            csrfOf(req, res),
            html`${field({ name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'username' })}
              <button type="submit">Email me a link</button>`,
          )}`,
      );
    }),
  );
  router.post(
    '/forgot-password',
    page(async (req, res) => {
      refuseForgedPost(req);
      const email = EmailAddress.safeParse(req.body.email);
      if (!email.success) {
        setFlash(res, { kind: 'error', text: 'Type the email address you sign in with.' }, cookies);
        return res.redirect(303, '/forgot-password');
      }
      await signIn.requestPasswordReset(email.data, clientOf(req));
      send(
        req,
        res,
        'Check your email',
        html`<p>
          If an account or an invitation exists for this email, a link is on its way. It works once and for a limited
          time.
        </p>`,
      );
    }),
  );

  router.get('/reset-password/:id', async (req, res, next) => {
    if (req.query.token !== undefined) return landLink(req, res, '/reset-password');
    try {
      const id = Id.safeParse(req.params.id);
      const token = linkTokenOf(req);
      if (!id.success || !token) return noLink(req, res);
      try {
        await signIn.checkReset(id.data, token, clientOf(req));
      } catch (err) {
        if (!(err instanceof SignInRefusal)) throw err;
        return send(
          req,
          res,
          'This link no longer works',
          html`<p>${err.message}</p>
            <p><a class="button" href="/forgot-password">Ask for a new link</a></p>`,
          { status: err.kind === 'unknown-link' ? 404 : 409 },
        );
      }
      send(
        req,
        res,
        'Choose a new password',
        form(
          `/reset-password/${id.data}`,
          csrfOf(req, res),
          html` ${newPasswordFields('New password')}
            <button type="submit">Set my password</button>`,
        ),
      );
    } catch (err) {
      next(err);
    }
  });
  router.post(
    '/reset-password/:id',
    page(async (req, res) => {
      refuseForgedPost(req);
      const id = Id.parse(req.params.id);
      const token = linkTokenOf(req);
      if (!token) return noLink(req, res);
      const problem = newPasswordProblem(req.body.password, req.body.confirmPassword);
      if (problem) {
        setFlash(res, { kind: 'error', text: problem }, cookies);
        return res.redirect(303, `/reset-password/${id}`);
      }
      try {
        await signIn.completePasswordReset(id, token, String(req.body.password), clientOf(req));
      } catch (err) {
        if (!(err instanceof SignInRefusal)) throw err;
        setFlash(res, { kind: 'error', text: err.message }, cookies);
        return res.redirect(303, `/reset-password/${id}`);
      }
      dropLinkToken(res, cookies, `/reset-password/${id}`);
      // Issue 12: the reset ended every session of the user; this browser is signed out too, whoever it was.
      await sessions.end(req, res);
      setFlash(res, { kind: 'done', text: 'Your password is set. Sign in with it.' }, cookies);
      res.redirect(303, '/sign-in');
    }),
  );

  // ------------------------------------------------------------------ demo sign-in (development only)
  if (deps.demoSignIn) {
    router.get(
      '/sign-in/demo/:id',
      page(async (req, res) => {
        const id = Id.safeParse(req.params.id);
        const token = isLinkToken(req.query.token) ? req.query.token : null;
        if (!id.success || !token) return noLink(req, res);
        // Single use: only the request that marks it used signs in.
        const used = await deps.db.demoSignInLink.updateMany({
          where: { id: id.data, tokenHash: hashToken(token), usedAt: null, expiresAt: { gt: new Date() } },
          data: { usedAt: new Date() },
        });
        if (used.count === 0) {
          return send(
            req,
            res,
            'This demo link was used or has expired',
            html`<p>
              Each demo link works once. Restart <code>npm start</code> for new ones, or sign in with the demo
              password the README gives.
            </p>`,
            { status: 409 },
          );
        }
        const link = await deps.db.demoSignInLink.findUniqueOrThrow({ where: { id: id.data } });
        await sessions.start(req, res, link.userId, new Date());
        res.redirect(303, '/console');
      }),
    );
  }
}

/** An open invitation: who invited you, to what, as what, until when; then accept or decline. */
function invitationPage(opened: OpenedInvitation, csrf: string, signedInEmail: string | null): Html {
  const { row } = opened;
  const path = `/invite/${row.id}`;
  const signedInAsInvitee = signedInEmail !== null && signedInEmail.toLowerCase() === row.email.toLowerCase();
  const facts = html`<dl class="facts">
    <dt>Invited by</dt>
    <dd>${opened.invitedBy ?? 'The organization'}</dd>
    <dt>To</dt>
    <dd>${opened.invitedTo}</dd>
    ${
      opened.role
        ? html`<dt>As</dt>
            <dd>${words(opened.role)}</dd>`
        : ''
    }
    <dt>For</dt>
    <dd>${row.firstName} ${row.lastName} (${row.email})</dd>
    <dt>Open until</dt>
    <dd>${when(row.expiresAt)}</dd>
  </dl>`;
  let accept: Html;
  if (opened.accepting === 'choose-password') {
    accept = form(
      path + '/accept',
      csrf,
      html`<h2>Accept and create your account</h2>
        ${newPasswordFields('Choose a password')}
        <button type="submit">Accept the invitation</button>`,
    );
  } else if (signedInAsInvitee) {
    accept = form(
      path + '/accept',
      csrf,
      html`<h2>Accept</h2>
        <p>You are signed in as ${row.email}.</p>
        <button type="submit">Accept the invitation</button>`,
    );
  } else {
    accept = html`<h2>Accept</h2>
      <p>You already have an account with ${row.email}. Sign in with it, then accept here.</p>
      <p><a class="button" href="/sign-in?next=${encodeURIComponent(path)}">Sign in to accept</a></p>`;
  }
  const decline = form(
    path + '/decline',
    csrf,
    html`<h2>Not for you?</h2>
      <button type="submit" class="secondary">Decline the invitation</button>`,
  );
  return html`${facts}${accept}${decline}`;
}

/** Each state of an invitation that cannot be answered has its own page with the next step. */
function linkStatePage(err: LinkRefusal, csrf: string): [string, Html, number] {
  const portalReset = form(
    '/forgot-password',
    csrf,
    html`<h2>Invited to the partner portal?</h2>
      ${field({ name: 'email', label: 'Your email', type: 'email', required: true, autocomplete: 'username' })}
      <button type="submit">Send me a new link</button>`,
  );
  switch (err.kind) {
    case 'expired':
      return [
        'This invitation has expired',
        html`<p>${err.message}</p>
          ${portalReset}`,
        409,
      ];
    case 'superseded':
      return ['A newer email replaced this link', html`<p>${err.message}</p>`, 409];
    case 'closed':
      if (err.state === 'ACCEPTED') {
        return [
          'Already accepted',
          html`<p>${err.message}</p>
            <p><a class="button" href="/sign-in">Sign in</a></p>`,
          409,
        ];
      }
      if (err.state === 'REVOKED') return ['This invitation was revoked', html`<p>${err.message}</p>`, 409];
      return ['This invitation was declined', html`<p>${err.message}</p>`, 409];
    default:
      return ['This link does not work', html`<p>${err.message}</p>`, 404];
  }
}
