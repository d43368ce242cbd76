// One definition per endpoint: express mounts it with zod validation, and the same definition is
// registered in the OpenAPI document, so docs and behaviour cannot drift apart.
import express, { type Request, type Response, type Router } from 'express';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Actor } from '../domain/actor';
import type { Authorizer, Decision, Request as AuthorizationRequest } from '../domain/authorization/authorizer';
import type { PrincipalRow } from '../domain/authorization/entities';
import { actorOf, actorReadsOf } from './identity';
import { Problem, ProblemTypes, type ProblemType } from './problem';
import { parse } from './validation';
import { denialProblem } from './denials';
import { RateLimited } from '../domain/abuse-limits';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext<B, P, Q> {
  body: B;
  params: P;
  query: Q;
  /** Present on every route with `auth: true`. */
  actor: Actor;
  req: Request;
  res: Response;
  /** Asks the policy decision point about one more resource (lists that filter what they show). */
  allowed(check: Check): Promise<boolean>;
  /** On a checked route, the roles the caller was allowed with (what to show them, without reading again). */
  principalRoles: readonly string[];
}

/** What a route asks the policy decision point (AM-3), the caller being the principal. */
export interface Check extends Omit<AuthorizationRequest, 'principalId'> {
  /** The answer's detail when refused. */
  denial?: string;
  /** Refuse as 404: the resource's existence is nobody else's business (a task, another's partner list). */
  hideAs404?: boolean;
}

/** The check of a route on the organization in its path. */
export const onOrganization =
  (action: Check['action'], denial?: string) =>
  ({ params }: { params: { organizationId: string } }): Check => ({
    action,
    resource: { type: 'Organization', id: params.organizationId },
    denial,
  });

/** The check of a route on the partner firm in its path. */
export const onFirm =
  (action: Check['action'], denial?: string) =>
  ({ params }: { params: { partnerFirmId: string } }): Check => ({
    action,
    resource: { type: 'PartnerFirm', id: params.partnerFirmId },
    denial,
  });

/**
 * How a route is authorized. Every route says it: either the check the decision point answers, or,
 * for routes that act only on the caller's own data or need no account, why anyone may call them.
 */
export type Authorize<B, P, Q> =
  { anyone: string } | ((ctx: { actor: Actor; body: B; params: P; query: Q }) => Check | Promise<Check>);

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteSpec<B extends z.ZodType, P extends z.ZodType, Q extends z.ZodType> {
  method: Method;
  /** Express style, e.g. `/organizations/:organizationId`. */
  path: string;
  summary: string;
  tags: string[];
  auth: boolean;
  body?: B;
  params?: P;
  query?: Q;
  /** The success responses; problem responses are listed by `problems`. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  problems?: ProblemType[];
  authorize: Authorize<z.infer<B>, z.infer<P>, z.infer<Q>>;
  handler: (ctx: RouteContext<z.infer<B>, z.infer<P>, z.infer<Q>>) => Promise<Reply>;
}

export type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

export function route<
  B extends z.ZodType = z.ZodUndefined,
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
>(spec: RouteSpec<B, P, Q>): AnyRoute {
  return spec as unknown as AnyRoute;
}

const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** The decision point's answer as the API's: 404 for a missing resource, else 403 (or 404 when hidden). */
export async function enforce(
  authorizer: Authorizer,
  actor: Actor,
  check: Check,
  principalRead?: PrincipalRow,
): Promise<Decision> {
  const decision = await authorizer.decide({
    principalId: actor.userId,
    switchedInto: actor.switchedInto,
    ...check,
    principalRead,
  });
  if (decision.allowed) return decision;
  if (decision.missing) throw new Problem('not-found', 'No such resource.');
  // A forbid that has its own problem (a suspended account, a switched-in token, a partner in control).
  const named = denialProblem(decision.policies);
  if (named) throw named;
  if (check.hideAs404) throw new Problem('not-found', 'No such resource.');
  throw new Problem('forbidden', check.denial ?? 'You may not do this.');
}

/** Every problem a route can answer, as its OpenAPI entry lists them. */
export function problemsOf(spec: AnyRoute): Set<ProblemType> {
  const problems = new Set<ProblemType>(spec.problems ?? []);
  if (spec.body || spec.params || spec.query) problems.add('validation-failed');
  if (spec.body) problems.add('unsupported-media-type');
  if (spec.auth) {
    problems.add('unauthenticated');
    // A deactivated account's token (403), and an identity provider whose keys cannot be fetched (503).
    problems.add('forbidden');
    problems.add('not-ready');
  }
  // A checked route answers the decision point's refusal, and 404 for a resource that is not there.
  if (typeof spec.authorize === 'function') {
    problems.add('forbidden');
    problems.add('not-found');
    // Refusals with their own problem: a suspended customer account, a switched-in token (PA-2, PA-5).
    problems.add('account-suspended');
    problems.add('switched-in');
  }
  return problems;
}

/**
 * The contract, checked on every answer (the test API turns it on): a status the OpenAPI entry does
 * not list, or a body its schema does not accept, is a defect, answered as one (500).
 */
export async function keptToContract(spec: AnyRoute, run: () => Promise<Reply>): Promise<Reply> {
  const where = `${spec.method.toUpperCase()} ${spec.path}`;
  let reply: Reply;
  try {
    reply = await run();
  } catch (err) {
    const statuses = new Set<number>([...problemsOf(spec)].map((kind) => ProblemTypes[kind].status));
    if (err instanceof Problem && !statuses.has(err.status)) {
      throw new Error(`${where} answered ${err.status} (${err.kind}), which its OpenAPI entry does not list`);
    }
    throw err;
  }
  const declared = spec.responses[reply.status];
  if (!declared) throw new Error(`${where} answered ${reply.status}, which its OpenAPI entry does not list`);
  if (declared.schema && !(reply.body instanceof Uint8Array)) {
    const parsed = declared.schema.safeParse(reply.body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`${where} answered ${reply.status} with a body its schema refuses: ${issues}`);
    }
  }
  return reply;
}

/** What a route is called with, before validation: from an HTTP request, or from the console's forms. */
export interface RouteInput {
  body?: unknown;
  params?: unknown;
  query?: unknown;
}

/**
 * One route's pipeline, whatever the transport: validate with its zod schemas, ask the decision point
 * its check (AM-3: once, before the handler runs), run the handler. The API mounts it over HTTP; the
 * console calls it in process, so a console action is decided and carried out exactly as its API call.
 */
export async function runRoute(
  spec: AnyRoute,
  authorizer: Authorizer,
  actor: Actor | null,
  input: RouteInput,
  req: Request,
  res: Response,
): Promise<Reply> {
  return spec.handler(await admitted(spec, authorizer, actor, input, req, res));
}

/**
 * The first half of a route's pipeline: its input validated and its check allowed, or the Problem that
 * refuses it. The console asks this alone to know whether a route would let the caller in.
 */
export async function admitted(
  spec: AnyRoute,
  authorizer: Authorizer,
  actor: Actor | null,
  input: RouteInput,
  req: Request,
  res: Response,
): Promise<RouteContext<unknown, unknown, unknown>> {
  if (spec.auth && !actor) throw new Problem('unauthenticated');
  const ctx = {
    body: spec.body ? parse(spec.body, input.body, 'body') : undefined,
    params: spec.params ? parse(spec.params, input.params, 'params') : undefined,
    query: spec.query ? parse(spec.query, input.query, 'query') : undefined,
    actor: actor ?? (undefined as unknown as Actor),
    req,
    res,
    allowed: async (check: Check) => {
      if (!actor) return false;
      return (await authorizer.decide({ principalId: actor.userId, switchedInto: actor.switchedInto, ...check }))
        .allowed;
    },
    principalRoles: [] as readonly string[],
  };
  if (typeof spec.authorize === 'function') {
    // The principal as this request read it with its actor, if it did (the HTTP API): not read again.
    const read = actor ? actorReadsOf(res, actor)?.principal : undefined;
    const check = await spec.authorize(ctx);
    ctx.principalRoles = (await enforce(authorizer, ctx.actor, check, read)).principalRoles ?? [];
  }
  return ctx;
}

export function mountRoutes(
  router: Router,
  routes: AnyRoute[],
  authenticate: express.RequestHandler,
  authorizer: Authorizer,
  options: { checkContract?: boolean } = {},
): void {
  for (const spec of routes) {
    // Fail closed: a route that does not say how it is authorized is not mounted at all.
    if (typeof spec.authorize !== 'function' && !spec.authorize?.anyone)
      throw new Error(`${spec.path}: no authorize`);
    if (typeof spec.authorize === 'function' && !spec.auth)
      throw new Error(`${spec.path}: a checked route needs auth`);
    // Only a route that takes a body parses one: a body sent to any other is ignored, so its answers
    // stay those its OpenAPI entry lists (no 400 or 415 for a body it never reads).
    const handlers: express.RequestHandler[] = spec.body ? [jsonBody] : [];
    if (spec.auth) handlers.push(authenticate);
    handlers.push(async (req, res) => {
      if (spec.body && !req.is('application/json')) {
        throw new Problem('unsupported-media-type', 'The body must be application/json.');
      }
      const input = { body: req.body, params: req.params, query: req.query };
      const actor = spec.auth ? actorOf(res) : null;
      // A use case's abuse limit (domain/abuse-limits.ts) answers 429 with Retry-After on any route.
      const run = () =>
        runRoute(spec, authorizer, actor, input, req, res).catch((err: unknown) => {
          if (!(err instanceof RateLimited)) throw err;
          throw new Problem('rate-limited', err.message, { retryAfterSeconds: err.retryAfterSeconds });
        });
      const reply = options.checkContract ? await keptToContract(spec, run) : await run();
      for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
      writeReply(res, reply);
    });
    router[spec.method](spec.path, ...handlers);
  }
  refuseOtherMethods(router, routes);
}

const jsonBody = express.json({ limit: '100kb', strict: true });

/**
 * Writes a route's answer as it is. Not through Express's `send`, which evaluates If-None-Match and
 * If-Modified-Since and answers 304, a status no route's OpenAPI entry lists, and hashes every body into
 * an ETag (with the charset and freshness checks, about 4% of the hot path's CPU). The API offers no
 * validators: its answers are the caller's own, read fresh at every request.
 */
function writeReply(res: Response, reply: { status: number; body?: unknown }): void {
  const { body } = reply;
  res.status(reply.status);
  if (body === undefined) {
    res.end();
    return;
  }
  // A file (e.g. a PDF) comes with its own content type; everything else is JSON.
  const file = body instanceof Uint8Array;
  const bytes = file ? Buffer.from(body) : Buffer.from(JSON.stringify(body), 'utf8');
  if (!file) res.setHeader('content-type', 'application/json; charset=utf-8');
  else if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/octet-stream');
  res.setHeader('content-length', bytes.length);
  res.end(bytes);
}

/**
 * A method a known path does not take is 405 with `Allow` (RFC 9110 15.5.6), not 404: the path exists.
 * Mounted after every route, so only requests no route took reach it; `Allow` is the union over every
 * route path that matches (`/invitations/:invitationId` matches `/invitations/revoke-by-email` too).
 */
function refuseOtherMethods(router: Router, routes: AnyRoute[]): void {
  const patterns = [...new Set(routes.map((r) => r.path))].map((path) => ({
    path,
    matches: new RegExp('^' + path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+') + '/?$', 'i'),
  }));
  for (const { path } of patterns) {
    router.all(path, (req, res, next) => {
      const paths = new Set(patterns.filter((p) => p.matches.test(req.path)).map((p) => p.path));
      const methods = new Set(routes.filter((r) => paths.has(r.path)).map((r) => r.method.toUpperCase()));
      if (methods.has('GET')) methods.add('HEAD');
      methods.add('OPTIONS');
      res.setHeader('Allow', [...methods].join(', '));
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      next(
        new Problem('method-not-allowed', `${req.method} is not allowed here; allowed: ${[...methods].join(', ')}.`),
      );
    });
  }
}

export function registerOpenApi(registry: OpenAPIRegistry, routes: AnyRoute[]): void {
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const spec of routes) {
    const problems = problemsOf(spec);
    const problemResponses: Record<number, { description: string; content: Record<string, { schema: z.ZodType }> }> =
      {};
    for (const kind of problems) {
      const { status, title } = ProblemTypes[kind];
      const prev = problemResponses[status];
      problemResponses[status] = {
        description: prev ? `${prev.description}; ${title}` : title,
        content: { 'application/problem+json': { schema: ProblemSchema } },
      };
    }
    registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:(\w+)/g, '{$1}'),
      summary: spec.summary,
      tags: spec.tags,
      security: spec.auth ? [{ bearer: [] }] : undefined,
      request: {
        ...(spec.params ? { params: spec.params as z.ZodObject } : {}),
        ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
        ...(spec.body ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
      },
      responses: {
        ...Object.fromEntries(
          Object.entries(spec.responses).map(([status, r]) => [
            status,
            {
              description: r.description,
              ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: r.schema } } } : {}),
            },
          ]),
        ),
        ...problemResponses,
      },
    });
  }
}
