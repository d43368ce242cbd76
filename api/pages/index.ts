// The pages a browser opens: the hosted pages the emails link to, and the console. Mounted on the
// same Express app as the API, under their own paths, with their own headers, form bodies and an
// error page in HTML (the API answers problem+json).
import express, { type ErrorRequestHandler, type Express } from 'express';
import { join } from 'node:path';
import type { ApiDeps } from '../app';
import type { AnyRoute } from '../routes';
import { Authorizer } from '../../domain/authorization/authorizer';
import { InvitationLinks } from '../../domain/invitation-links';
import { SignIn } from '../../domain/sign-in';
import { Problem } from '../problem';
import { consoleKit, formBodies } from './console';
import { hostedPages } from './hosted';
import { VERIFY_EMAIL_PATH, verifyEmailPages } from './verify-email';
import { Registration } from '../../domain/registration';
import { csrfToken, pageHeaders, type CookieOptions } from './http';
import { html } from './html';
import { layout } from './layout';
import { WebSessions } from './web-sessions';
import { homePages } from './console/home';
import { organizationAdminPages } from './console/organization-admin';
import { supportPages } from './console/support';
import { portalPages } from './console/portal';
import { practicePages } from './console/practice';
import { myAccessPages } from './console/my-access';
import { partnerAccountPages } from './console/partner-account';
import { AccountSwitching } from '../../domain/account-switching';
import { RateLimited, waitInWords } from '../../domain/abuse-limits';

/** Where the pages live; everything else on the app is the API. */
const PAGE_PATHS = [
  '/invite',
  '/reset-password',
  '/sign-in',
  '/sign-out',
  '/forgot-password',
  VERIFY_EMAIL_PATH,
  '/console',
];

export interface PageOptions {
  /** `Secure` cookies: everywhere but development and tests on loopback http. */
  secureCookies: boolean;
  /** One-time demo sign-in links (`npm start`); never in production. */
  demoSignIn: boolean;
}

export function mountPages(
  app: Express,
  deps: ApiDeps,
  routes: AnyRoute[],
  authorizer: Authorizer,
  options: PageOptions,
) {
  const cookies: CookieOptions = { secure: options.secureCookies };
  const sessions = new WebSessions(deps.db, cookies);
  app.use('/assets', express.static(join(__dirname, 'assets'), { fallthrough: false, index: false, maxAge: '1h' }));
  app.get('/', (_req, res) => res.redirect(303, '/console'));
  // Browsers ask for it on every site; there is none, and a 404 would be noise in every page's console.
  app.get('/favicon.ico', (_req, res) => res.status(204).end());

  const router = express.Router();
  router.use(PAGE_PATHS, pageHeaders, formBodies);
  hostedPages(router, {
    db: deps.db,
    links: new InvitationLinks({ db: deps.db, invitations: deps.invitations, abuseLimits: deps.abuseLimits }),
    signIn: new SignIn(deps),
    sessions,
    cookies,
    demoSignIn: options.demoSignIn,
  });
  verifyEmailPages(router, { registration: new Registration(deps), cookies });
  const kit = consoleKit(router, { routes, authorizer, sessions, cookies, checkContract: deps.checkContract });
  homePages(kit);
  organizationAdminPages(kit);
  supportPages(kit);
  portalPages(kit);
  practicePages(kit);
  myAccessPages(kit);
  partnerAccountPages(kit, {
    switching: new AccountSwitching({ db: deps.db, invitations: deps.invitations }),
    sessions,
  });

  const errorPage: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent) return next(err);
    // An abuse limit (domain/abuse-limits.ts): 429, with the wait in the header and in words.
    if (err instanceof RateLimited) {
      const wait = waitInWords(err.retryAfterSeconds);
      const limited = layout({
        title: 'Too many attempts',
        csrf: csrfToken(req, res, cookies),
        body: html`<p>There were too many attempts from here or for this account. Try again in ${wait}.</p>`,
      });
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      return res.status(429).type('html').send(limited.value);
    }
    const problem = err instanceof Problem ? err : null;
    if (!problem) deps.logger.error({ err: (err as Error).message, path: req.path }, 'page failed');
    const status = problem?.status ?? 500;
    const title = problem ? problem.body().title : 'Something went wrong';
    const detail = problem?.detail ?? 'The page could not be shown. Try again in a moment.';
    const page = layout({
      title,
      csrf: csrfToken(req, res, cookies),
      body: html`<p>${detail}</p>
        <p><a href="/console">Back</a></p>`,
    });
    res.status(status).type('html').send(page.value);
  };
  // A page path nothing answered: an HTML 404 for a browser, not the API's problem+json.
  router.use(PAGE_PATHS, (req, res) => {
    const page = layout({
      title: 'No such page',
      csrf: csrfToken(req, res, cookies),
      body: html`<p>Check the address, or start again from <a href="/console">the console</a>.</p>`,
    });
    res.status(404).type('html').send(page.value);
  });
  router.use(PAGE_PATHS, errorPage);
  app.use(router);
}
