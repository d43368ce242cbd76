// TPU-1 (issue 12): the hosted page the registration email links to. The use case is
// domain/registration.ts, the same POST /account-verifications/{id} calls.
//
// As the other hosted links (hosted.ts): the emailed URL carries the token once; it moves into an
// HttpOnly cookie scoped to this one link's path, and a 303 drops it from the address bar. Opening
// the page verifies nothing: a button does (a POST), so a mail scanner that follows links cannot
// create the account, only the person who reads the email.
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { Registration, VerificationRefusal } from '../../domain/registration';
import { clientOf } from '../../domain/abuse-limits';
import { Problem } from '../problem';
import {
  dropLinkToken,
  isLinkToken,
  keepLinkToken,
  linkTokenOf,
  csrfChecked,
  csrfToken,
  page,
  setFlash,
  takeFlash,
  type CookieOptions,
  type Flash,
} from './http';
import { html, type Html } from './html';
import { form, layout } from './layout';

export const VERIFY_EMAIL_PATH = '/verify-email';
const Id = z.uuid();

export function verifyEmailPages(router: Router, deps: { registration: Registration; cookies: CookieOptions }): void {
  const { registration, cookies } = deps;
  const send = (
    req: Request,
    res: Response,
    title: string,
    body: Html,
    opts: { status?: number; flash?: Flash } = {},
  ) => {
    const flash = opts.flash ?? takeFlash(req, res, cookies);
    const shell = layout({ title, body, flash, csrf: csrfToken(req, res, cookies) });
    res
      .status(opts.status ?? 200)
      .type('html')
      .send(shell.value);
  };
  const pathOf = (id: string) => `${VERIFY_EMAIL_PATH}/${id}`;
  const noLink = (req: Request, res: Response) =>
    send(
      req,
      res,
      'Open the link from your email',
      html`<p>This page needs the link from your email. Open the most recent one and follow its button again.</p>`,
      { status: 404 },
    );
  const refused = (req: Request, res: Response, err: VerificationRefusal) =>
    send(
      req,
      res,
      'This link no longer works',
      html`<p>${err.message}</p>
        <p><a class="button" href="/sign-in">Sign in</a></p>`,
      { status: err.kind === 'unknown-link' ? 404 : 409 },
    );

  router.get(
    `${VERIFY_EMAIL_PATH}/:id`,
    page(async (req, res) => {
      const id = Id.safeParse(req.params.id);
      if (req.query.token !== undefined) {
        const token = req.query.token;
        if (!id.success || !isLinkToken(token)) return noLink(req, res);
        keepLinkToken(res, cookies, pathOf(id.data), token);
        return res.redirect(303, pathOf(id.data));
      }
      const token = linkTokenOf(req);
      if (!id.success || !token) return noLink(req, res);
      try {
        const { email } = await registration.check(id.data, token, clientOf(req));
        send(
          req,
          res,
          'Confirm your email',
          html`<p>Confirm that <strong>${email}</strong> is your email, and your account is created.</p>
            ${form(
              pathOf(id.data),
              csrfToken(req, res, cookies),
              html`<button type="submit">Confirm my email</button>`,
            )}`,
        );
      } catch (err) {
        if (!(err instanceof VerificationRefusal)) throw err;
        refused(req, res, err);
      }
    }),
  );

  router.post(
    `${VERIFY_EMAIL_PATH}/:id`,
    page(async (req, res) => {
      if (!csrfChecked(req))
        throw new Problem('forbidden', 'This form has expired or did not come from this site. Reload the page.');
      const id = Id.parse(req.params.id);
      const token = linkTokenOf(req);
      if (!token) return noLink(req, res);
      let email: string;
      try {
        ({ email } = await registration.verify(id, token, clientOf(req)));
      } catch (err) {
        if (!(err instanceof VerificationRefusal)) throw err;
        setFlash(res, { kind: 'error', text: err.message }, cookies);
        return res.redirect(303, pathOf(id));
      }
      dropLinkToken(res, cookies, pathOf(id));
      // The account has no password yet (registration asks for none): the reset email sets the first one.
      send(
        req,
        res,
        'Your account is ready',
        html`<p>One step left: choose a password to sign in. We email you a link to set it.</p>
          ${form(
            '/forgot-password',
            csrfToken(req, res, cookies),
            html`<input type="hidden" name="email" value="${email}" />
              <button type="submit">Email me a link to choose a password</button>`,
          )}`,
        { flash: { kind: 'done', text: 'Email confirmed.' } },
      );
    }),
  );
}
