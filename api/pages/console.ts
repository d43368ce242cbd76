// The console: server-rendered pages, one set per role in the articles. It holds no access rules and no
// use cases of its own. Every page reads, and every form acts, by calling one of the API's routes in
// process (`call('POST /organizations/:organizationId/…', …)`), through the same pipeline as over HTTP:
// zod validation, the decision point's check (AM-3), the route's use case. So a console action is
// allowed exactly when its API call is, and the authorization matrix over the routes covers both.
import express, { type Request, type Response, type Router } from 'express';
import type { Actor } from '../../domain/actor';
import type { Authorizer } from '../../domain/authorization/authorizer';
import type { MyIdentityV1 } from '../../domain/messages/queries/my-identity.v1';
import { admitted, keptToContract, runRoute, type AnyRoute, type Reply, type RouteInput } from '../routes';
import { Problem } from '../problem';
import { csrfChecked, csrfToken, localPath, page, setFlash, takeFlash, type CookieOptions, type Flash } from './http';
import { html, type Html } from './html';
import { layout, type NavLink } from './layout';
import type { SignedIn, WebSessions } from './web-sessions';

/** An API route by its key, as the authorization matrix names it: `GET /organizations/:organizationId`. */
export type RouteKey = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;

export interface ConsoleDeps {
  routes: AnyRoute[];
  authorizer: Authorizer;
  sessions: WebSessions;
  cookies: CookieOptions;
  /** Check every in-process answer against its route's OpenAPI entry, as the API does over HTTP (tests). */
  checkContract?: boolean;
}

/** What a console page or action works with. */
export interface ConsoleContext {
  req: Request;
  res: Response;
  actor: Actor;
  signedIn: SignedIn;
  csrf: string;
  /** Who the caller is (from GET /me). */
  me: MyIdentityV1;
  /** Their places in the console: asked only when a page is drawn (an action redirects and needs none). */
  places(): Promise<NavLink[]>;
  /** Would this API route let the caller in? Its own check, asked of the decision point, without running it. */
  may(key: RouteKey, input?: RouteInput): Promise<boolean>;
  /** The console's cookie options (Secure outside development and tests), for a page's own cookie. */
  cookies: CookieOptions;
  /** Calls an API route in process as the signed-in user; answers its body, or throws its Problem. */
  call<T = any>(key: RouteKey, input?: RouteInput): Promise<T>;
  /** The same, with the whole reply (status, headers, a file's bytes). */
  callForReply(key: RouteKey, input?: RouteInput): Promise<Reply>;
}

export interface ViewResult {
  title: string;
  body: Html;
  /** The status of the page (200 unless said). */
  status?: number;
}

/** Where a form goes after it ran, and what it says there. */
export interface ActionResult {
  to: string;
  done: string;
}

export interface ConsoleKit {
  /** A page: GET `path`, rendered in the layout for the signed-in user. */
  view(path: string, render: (ctx: ConsoleContext) => Promise<ViewResult>): void;
  /**
   * A form's target: POST `path`, CSRF-checked, then Post/Redirect/Get. A refusal goes back to the
   * form's page (`back`, or the form's `_back` field) with the problem's words as the flash.
   */
  action(path: string, back: (req: Request) => string, run: (ctx: ConsoleContext) => Promise<ActionResult>): void;
  /** A file (a PDF, a CSV) from an API route, passed through with its headers. */
  download(path: string, key: RouteKey, input: (req: Request) => RouteInput): void;
}

/**
 * The console's places for this user, from their roles (what each role's page set starts from). A
 * firm's place is its Practice Staff for those the API lets open it, else its partner account, else
 * none: asked of the routes' own checks, so the nav never leads to a refusal.
 */
export async function placesOf(
  me: MyIdentityV1,
  may: (key: RouteKey, input: RouteInput) => Promise<boolean>,
): Promise<NavLink[]> {
  const places: NavLink[] = [
    { href: '/console', label: 'Home' },
    { href: '/console/me', label: 'My access' },
  ];
  for (const membership of me.memberships) {
    if (membership.role === 'ORG_ADMIN') {
      places.push({
        href: `/console/organizations/${membership.organizationId}`,
        label: membership.organizationName,
      });
    }
  }
  for (const { partnerFirmId, partnerFirmName } of me.practiceRoles) {
    const params = { params: { partnerFirmId } };
    const base = `/console/partner-firms/${partnerFirmId}`;
    if (await may('GET /partner-firms/:partnerFirmId/staff', params))
      places.push({ href: base, label: partnerFirmName });
    else if (await may('GET /partner-accounts/:partnerFirmId', params)) {
      places.push({ href: `${base}/account`, label: partnerFirmName });
    }
  }
  if (me.isSupportAgent) places.push({ href: '/console/support', label: 'Support' });
  if (me.portalRole) places.push({ href: '/console/portal', label: 'Partner portal' });
  return places;
}

/**
 * Problems as a person reads them: the problem's own detail (a validation detail names its fields), else its
 * title.
 */
export function problemWords(err: Problem): string {
  const body = err.body();
  return body.detail ?? body.title;
}

export function consoleKit(router: Router, deps: ConsoleDeps): ConsoleKit {
  const byKey = new Map(deps.routes.map((spec) => [`${spec.method.toUpperCase()} ${spec.path}`, spec]));

  const context = async (req: Request, res: Response, signedIn: SignedIn): Promise<ConsoleContext> => {
    const routeOf = (key: RouteKey) => {
      const spec = byKey.get(key);
      if (!spec) throw new Error(`the console calls ${key}, which the API does not have`);
      return spec;
    };
    const callForReply = (key: RouteKey, input: RouteInput = {}) => {
      const spec = routeOf(key);
      const run = () => runRoute(spec, deps.authorizer, signedIn.actor, input, req, res);
      return deps.checkContract ? keptToContract(spec, run) : run();
    };
    const call = async (key: RouteKey, input: RouteInput = {}) => (await callForReply(key, input)).body as never;
    const may = async (key: RouteKey, input: RouteInput = {}) => {
      try {
        await admitted(routeOf(key), deps.authorizer, signedIn.actor, input, req, res);
        return true;
      } catch (err) {
        if (err instanceof Problem) return false;
        throw err;
      }
    };
    const me = (await call('GET /me')) as MyIdentityV1;
    let places: Promise<NavLink[]> | undefined;
    return {
      req,
      res,
      actor: signedIn.actor,
      signedIn,
      csrf: csrfToken(req, res, deps.cookies),
      me,
      places: () => (places ??= placesOf(me, may)),
      may,
      cookies: deps.cookies,
      call,
      callForReply,
    };
  };

  const signedInOr401 = async (req: Request, res: Response): Promise<SignedIn | null> => {
    const signedIn = await deps.sessions.current(req);
    if (signedIn) return signedIn;
    // Not signed in (or the session ended): sign in, then come back here.
    const next = req.method === 'GET' ? req.originalUrl : '/console';
    res.redirect(303, `/sign-in?next=${encodeURIComponent(next)}`);
    return null;
  };

  const render = async (ctx: ConsoleContext, result: ViewResult, flash: Flash | null) => {
    const switchedInto = ctx.actor.switchedInto
      ? (ctx.me.memberships.find((m) => m.organizationId === ctx.actor.switchedInto)?.organizationName ??
        'a customer')
      : null;
    const page = layout({
      title: result.title,
      user: { displayName: ctx.me.displayName, switchedInto },
      nav: await ctx.places(),
      current: ctx.req.path,
      flash,
      csrf: ctx.csrf,
      body: result.body,
    });
    ctx.res
      .status(result.status ?? 200)
      .type('html')
      .send(page.value);
  };

  // The flash of a refused form is kept: a form sent back to a page that is itself refused still says why.
  const refusalPage = (ctx: ConsoleContext, err: Problem, flash: Flash | null = null) =>
    render(
      ctx,
      {
        title: err.body().title,
        status: err.status,
        body: html`<p>${problemWords(err)}</p>
          <p><a href="/console">Back to the console</a></p>`,
      },
      flash,
    );

  /** A GET page for the signed-in user (others are sent to sign in and back), with its context. */
  const signedInPage = (handler: (ctx: ConsoleContext, req: Request, res: Response) => Promise<void>) =>
    page(async (req, res) => {
      const signedIn = await signedInOr401(req, res);
      if (signedIn) await handler(await context(req, res, signedIn), req, res);
    });

  return {
    view(path, run) {
      router.get(
        path,
        signedInPage(async (ctx, req, res) => {
          const flash = takeFlash(req, res, deps.cookies);
          try {
            await render(ctx, await run(ctx), flash);
          } catch (err) {
            if (!(err instanceof Problem)) throw err;
            await refusalPage(ctx, err, flash);
          }
        }),
      );
    },
    action(path, back, run) {
      router.post(
        path,
        page(async (req, res) => {
          if (!csrfChecked(req))
            throw new Problem('forbidden', 'This form has expired or did not come from this site. Reload the page.');
          const signedIn = await signedInOr401(req, res);
          if (!signedIn) return;
          const ctx = await context(req, res, signedIn);
          const returnTo = localPath(req.body?._back, back(req));
          try {
            const result = await run(ctx);
            setFlash(res, { kind: 'done', text: result.done }, deps.cookies);
            res.redirect(303, result.to);
          } catch (err) {
            if (!(err instanceof Problem)) throw err;
            setFlash(res, { kind: 'error', text: problemWords(err) }, deps.cookies);
            res.redirect(303, returnTo);
          }
        }),
      );
    },
    download(path, key, input) {
      router.get(
        path,
        signedInPage(async (ctx, req, res) => {
          try {
            const reply = await ctx.callForReply(key, input(req));
            for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
            const body = reply.body instanceof Uint8Array ? Buffer.from(reply.body) : String(reply.body);
            res.status(reply.status).send(body);
          } catch (err) {
            if (!(err instanceof Problem)) throw err;
            await refusalPage(ctx, err);
          }
        }),
      );
    },
  };
}

/** Body parsing for the pages' forms (urlencoded, small); the API itself takes JSON only. */
export const formBodies = express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 50 });
