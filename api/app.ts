// The HTTP API: thin. It authenticates, validates with the contracts' zod schemas, and starts or
// drives workflows; state is read from the database.
import express from 'express';
import swaggerUi from 'swagger-ui-express';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { Database } from '../platform/database';
import type { Logger } from '../platform/logger';
import { authenticate, type TokenSettings } from './identity';
import { notFoundRoute, problemHandler } from './problem';
import { mountRoutes, registerOpenApi, type AnyRoute } from './routes';
import { healthRoutes, type DependencyCheck } from './routes/health';
import { meRoutes } from './routes/me';
import { organizationRoutes } from './routes/organizations';
import { supportTicketRoutes } from './routes/support-tickets';
import { thirdPartyAccessRoutes } from './routes/third-party-access';
import { accountRoutes } from './routes/accounts';
import { invitationRoutes } from './routes/invitations';
import { sessionRoutes } from './routes/sessions';
import { partnerPortalRoutes } from './routes/partner-portal';
import { businessPartnerRoutes } from './routes/business-partners';
import { taskRoutes } from './routes/tasks';
import { practiceStaffRoutes } from './routes/practice-staff';
import { accessReviewRoutes } from './routes/access-reviews';
import type { AccessReviewsClient } from '../workflows/access-review/client';
import type { InvitationsClient } from '../workflows/invitation/client';
import type { OffboardingClient } from '../workflows/offboarding/client';
import type { Mailer } from '../platform/mail';
import type { ThirdPartyAccessClient } from '../workflows/third-party-access/client';
import { asyncApiDocument } from '../events/asyncapi';
import type { TicketKinds } from '../events/inbound/support-tickets';
import { Authorizer } from '../domain/authorization/authorizer';
import type { ClientRelationshipsClient } from '../workflows/client-relationship/client';
import type { AccountStatusClient } from '../workflows/account-status/client';
import { partnerAccountRoutes } from './routes/partner-accounts';
import { clientRelationshipRoutes } from './routes/client-relationships';
import { accessLedgerRoutes } from './routes/access-ledger';
import { accountSwitchingRoutes } from './routes/account-switching';
import { mountPages, type PageOptions } from './pages';
import type { AbuseLimits } from '../domain/abuse-limits';
import { codecServer, type CodecServerOptions } from './codec-server';
import { httpMetrics, metricsText } from '../platform/metrics';
import { httpServerSpans } from '../platform/tracing';

export interface ApiDeps {
  db: Database;
  logger: Logger;
  tokens: TokenSettings;
  checks: DependencyCheck[];
  ticketKinds: TicketKinds;
  thirdPartyAccess: ThirdPartyAccessClient;
  invitations: InvitationsClient;
  offboarding: OffboardingClient;
  /** AM-6: access reviews and their schedules. */
  accessReviews: AccessReviewsClient;
  clientRelationships: ClientRelationshipsClient;
  accountStatuses: AccountStatusClient;
  /** Password reset links go straight out (no workflow: one email, nothing to wait for). */
  mailer: Mailer;
  publicBaseUrl: string;
  /** The policy decision point (AM-3); one per process. */
  authorizer?: Authorizer;
  /** Check every answer against the route's OpenAPI entry (the tests do). */
  checkContract?: boolean;
  /** The hosted pages and the console (api/pages): their cookies, and the demo sign-in links. */
  pages?: PageOptions;
  /** Rate limits and sign-in back-off on the endpoints anyone can call (issue 12), shared by instances. */
  abuseLimits: AbuseLimits;
  /** Express's `trust proxy` (TRUST_PROXY): which proxies' X-Forwarded-For sets the client IP. Off by default. */
  trustProxy?: boolean | number | string;
  /** Issue 12: the Temporal codec server under /codec (api/codec-server.ts); not served without it. */
  codec?: CodecServerOptions;
}

export function allRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    ...healthRoutes(deps.checks),
    ...meRoutes(deps.db),
    ...organizationRoutes(deps.db),
    ...supportTicketRoutes(deps.db, deps.ticketKinds),
    ...accountRoutes(deps),
    ...thirdPartyAccessRoutes(deps.db, deps.thirdPartyAccess),
    ...invitationRoutes(deps.db, deps.invitations, deps.tokens, deps.abuseLimits),
    ...sessionRoutes(deps),
    ...businessPartnerRoutes(deps.db, deps.invitations),
    ...taskRoutes(deps.db),
    ...partnerPortalRoutes(deps.db, deps.invitations),
    ...practiceStaffRoutes(deps),
    ...accessReviewRoutes(deps.db, deps.accessReviews, deps.thirdPartyAccess),
    ...clientRelationshipRoutes(deps.db, deps.clientRelationships),
    ...accessLedgerRoutes(deps.db, deps.thirdPartyAccess),
    ...partnerAccountRoutes(deps.db, deps.invitations, deps.accountStatuses),
    ...accountSwitchingRoutes(deps),
  ];
}

export function openApiDocument(routes: AnyRoute[]) {
  const registry = new OpenAPIRegistry();
  registerOpenApi(registry, routes);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Partner Access Engine',
      version: '1',
      description:
        'Durable multi-party processes for partner and third-party access. Errors are RFC 9457 problem+json. ' +
        'A method a path does not list is answered 405 (method-not-allowed) with `Allow`.',
    },
  });
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // The abuse limits count per client IP: req.ip, which is the socket's peer unless proxies are trusted.
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set('query parser', 'simple');
  const authorizer = deps.authorizer ?? new Authorizer(deps.db);
  // Issue 13: every request timed by its route template and status, /metrics included.
  app.use(httpMetrics());
  // Issue 13: a span per request, continuing the caller's trace (platform/tracing.ts).
  app.use(httpServerSpans());
  // Before the API's body parser: history payloads exceed its limit, and the protocol is Temporal's.
  if (deps.codec) app.use('/codec', codecServer({ ...deps, authorizer }, deps.codec));
  // JSON bodies are parsed by the routes that take one (api/routes.ts), not here.
  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      // Method, route and status only: paths may carry ids but never emails or tokens.
      deps.logger.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - start) / 1e6,
        },
        'request',
      );
    });
    next();
  });

  const routes = allRoutes(deps);
  const document = openApiDocument(routes);
  const asyncApi = asyncApiDocument();
  app.get('/openapi.json', (_req, res) => res.json(document));
  app.get('/asyncapi.json', (_req, res) => res.json(asyncApi));
  // Prometheus' scrape (platform/metrics.ts): codes and counts only, no personal data.
  app.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metricsText();
    res.set('content-type', contentType).send(body);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Partner Access Engine API' }));

  mountPages(app, deps, routes, authorizer, deps.pages ?? { secureCookies: true, demoSignIn: false });
  const router = express.Router();
  mountRoutes(router, routes, authenticate(deps.db, deps.tokens), authorizer, {
    checkContract: deps.checkContract,
  });
  app.use(router);
  app.use(notFoundRoute);
  app.use(problemHandler(deps.logger));
  return app;
}
