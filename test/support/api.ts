// The real API (createApp) on an ephemeral port, wired to the real services.
import { AccountStatusClient } from '../../workflows/account-status/client';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { allRoutes, createApp, type ApiDeps } from '../../api/app';
import type { AnyRoute } from '../../api/routes';
import { mintToken } from '../../api/identity';
import { createDatabase, type Database } from '../../platform/database';
import { createLogger } from '../../platform/logger';
import { connectTemporal } from '../../platform/temporal';
import { dependencyChecks } from '../../api/routes/health';
import { config } from './services';
import { startTestWorker, type TestWorker } from './worker';
import { TicketKinds } from '../../events/inbound/support-tickets';
import { ThirdPartyAccessClient } from '../../workflows/third-party-access/client';
import { InvitationsClient } from '../../workflows/invitation/client';
import { OffboardingClient } from '../../workflows/offboarding/client';
import { AccessReviewsClient } from '../../workflows/access-review/client';
import { ClientRelationshipsClient } from '../../workflows/client-relationship/client';
import { AccessModelChangesClient } from '../../workflows/access-model-change/client';
import { DuplicateEmailFixesClient } from '../../workflows/duplicate-email-fix/client';
import { createTicketKinds } from '../../events/inbound/ticket-kinds';
import { createMailer } from '../../platform/mail';
import type { InvitationTimings } from '../../domain/invitations';
import type { InvitationKind } from '../../domain/messages/values/invitation';
import type { CodecServerOptions } from '../../api/codec-server';
import { AbuseLimits, LIMITS, type AbuseLimitSettings, type LimitName } from '../../domain/abuse-limits';
import type { ExternalIdentity } from '../../platform/external-identity';
import { fetchFrom, type Fetch } from './client-address';

/**
 * The abuse limits test APIs run with unless a test asks for others: every test signs in from
 * 127.0.0.1, many times over a run, so the per-IP counts and the back-off are raised out of the way.
 * Production's (LIMITS) apply where a test passes `abuseLimits: 'production'`.
 */
export const RAISED_ABUSE_LIMITS: AbuseLimitSettings = {
  limits: Object.fromEntries(
    (Object.keys(LIMITS) as LimitName[]).map((n) => [n, { points: 1_000_000, seconds: 600 }]),
  ),
  backoff: { freeFailures: 1_000_000 },
};

export const tokens = {
  secret: config.AUTH_JWT_SECRET,
  issuer: config.AUTH_JWT_ISSUER,
  audience: config.AUTH_JWT_AUDIENCE,
};

export interface TestApi {
  url: string;
  /** fetch() from the client address the API was started with (TestApiOptions.clientAddress). */
  fetch: Fetch;
  db: Database;
  temporal: Client;
  thirdPartyAccess: ThirdPartyAccessClient;
  invitations: InvitationsClient;
  /** PA-4, PP-2: the workflows the ticket kinds start. */
  accessModelChanges: AccessModelChangesClient;
  duplicateEmailFixes: DuplicateEmailFixesClient;
  /** Every route the app mounts, as defined (the authorization matrix walks them). */
  routes: AnyRoute[];
  token(userId: string): Promise<string>;
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; rawBody?: string; contentType?: string },
  ): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  /** 'engine': the engine's own ticket kinds (events/inbound/ticket-kinds.ts), on this API's clients. */
  ticketKinds?: TicketKinds | 'engine';
  /** The task queue the third-party-access workflows run on (a test's own worker). */
  taskQueue?: string;
  accountWaitSeconds?: number;
  commandTimeoutMs?: number;
  /** Short expiries and rate limits for invitation tests. */
  invitationTimings?: Partial<Record<InvitationKind, Partial<InvitationTimings>>>;
  /** The public endpoints' abuse limits: raised by default (RAISED_ABUSE_LIMITS), or production's. */
  abuseLimits?: AbuseLimitSettings | 'production';
  /** Express's `trust proxy` (TRUST_PROXY); off, as in production, by default. */
  trustProxy?: boolean | number | string;
  /** Issue 12: an OpenID Connect provider whose tokens the API accepts besides its own; none by default. */
  externalIdentity?: ExternalIdentity;
  /** Issue 12: serve the Temporal codec server under /codec (api/codec-server.ts). */
  codec?: CodecServerOptions;
  /**
   * The loopback address `call` and `fetch` call from, the client IP the abuse limits count: a file
   * that checks production's limits takes one of its own (test/support/client-address.ts).
   */
  clientAddress?: string;
}

export async function startTestApi(opts: TestApiOptions | TicketKinds = {}): Promise<TestApi> {
  const o: TestApiOptions = opts instanceof TicketKinds ? { ticketKinds: opts } : opts;
  const db = createDatabase(config.DATABASE_URL);
  const temporal = await connectTemporal(config);
  const thirdPartyAccess = new ThirdPartyAccessClient({
    temporal,
    taskQueue: o.taskQueue ?? config.TEMPORAL_TASK_QUEUE,
    idKey: config.RELATIONSHIP_ID_KEY,
    accountWaitSeconds: o.accountWaitSeconds ?? config.TPU_ACCOUNT_WAIT_SECONDS,
    commandTimeoutMs: o.commandTimeoutMs,
  });
  const invitations = new InvitationsClient({
    temporal,
    taskQueue: o.taskQueue ?? config.TEMPORAL_TASK_QUEUE,
    idKey: config.RELATIONSHIP_ID_KEY,
    timings: o.invitationTimings,
    commandTimeoutMs: o.commandTimeoutMs,
  });
  const queue = { TEMPORAL_TASK_QUEUE: o.taskQueue ?? config.TEMPORAL_TASK_QUEUE };
  const accessModelChanges = AccessModelChangesClient.fromConfig(temporal, queue);
  const duplicateEmailFixes = DuplicateEmailFixesClient.fromConfig(temporal, queue);
  const engineKinds = () => createTicketKinds({ thirdPartyAccess, accessModelChanges, duplicateEmailFixes });
  const mailer = createMailer({ host: config.SMTP_HOST, port: config.SMTP_PORT, from: config.MAIL_FROM });
  const abuseLimits = AbuseLimits.onPostgres(
    config.DATABASE_URL,
    o.abuseLimits === 'production' ? {} : (o.abuseLimits ?? RAISED_ABUSE_LIMITS),
  );
  const deps: ApiDeps = {
    db,
    abuseLimits,
    trustProxy: o.trustProxy,
    codec: o.codec,
    invitations,
    accessReviews: new AccessReviewsClient({
      temporal,
      taskQueue: o.taskQueue ?? config.TEMPORAL_TASK_QUEUE,
      commandTimeoutMs: o.commandTimeoutMs,
    }),
    offboarding: new OffboardingClient({
      temporal,
      taskQueue: o.taskQueue ?? config.TEMPORAL_TASK_QUEUE,
      commandTimeoutMs: o.commandTimeoutMs,
    }),
    clientRelationships: new ClientRelationshipsClient({
      temporal,
      taskQueue: o.taskQueue ?? config.TEMPORAL_TASK_QUEUE,
      commandTimeoutMs: o.commandTimeoutMs,
    }),
    accountStatuses: new AccountStatusClient({
      temporal,
      taskQueue: o.taskQueue ?? config.TEMPORAL_TASK_QUEUE,
      // An account's workflow ends soon after its last command, so a test file leaves none running.
      idleSeconds: 5,
      commandTimeoutMs: o.commandTimeoutMs,
    }),
    mailer,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    logger: createLogger('test-api', (process.env.TEST_LOG as never) ?? 'silent'),
    tokens: { ...tokens, external: o.externalIdentity },
    ticketKinds: o.ticketKinds === 'engine' ? engineKinds() : (o.ticketKinds ?? new TicketKinds()),
    thirdPartyAccess,
    checks: dependencyChecks({ temporal, db, kafka: config }),
    // Every answer of every test is checked against the route's OpenAPI entry.
    checkContract: true,
    pages: { secureCookies: false, demoSignIn: true },
  };
  const app = createApp(deps);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = o.clientAddress ? fetchFrom(o.clientAddress) : { fetch: globalThis.fetch, close: () => undefined };
  return {
    url,
    fetch: client.fetch,
    db,
    temporal,
    thirdPartyAccess,
    invitations,
    accessModelChanges,
    duplicateEmailFixes,
    routes: allRoutes(deps),
    // As POST /sessions does: a token minted in the second a user's sessions ended still counts (issue 12).
    token: async (userId) => {
      const user = await db.user.findUnique({ where: { id: userId }, select: { sessionsValidAfter: true } });
      return mintToken(tokens, userId, '8h', { sessionsValidAfter: user?.sessionsValidAfter });
    },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined;
      if (opts.rawBody !== undefined) body = opts.rawBody;
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
      const res = await client.fetch(url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async close() {
      client.close();
      await new Promise((r) => server.close(r));
      mailer.close();
      await abuseLimits.close();
      await db.$disconnect();
      await temporal.connection.close();
    },
  };
}

/**
 * A test file's real worker and the test API on its task queue: started before the file's tests,
 * stopped after them. Read `running.api` and `running.worker` inside tests.
 */
export function apiWithWorker(options: Omit<TestApiOptions, 'taskQueue'> = {}) {
  const running = {} as { api: TestApi; worker: TestWorker };
  beforeAll(async () => {
    running.worker = await startTestWorker();
    running.api = await startTestApi({ ...options, taskQueue: running.worker.taskQueue });
  });
  afterAll(async () => {
    await running.api?.close();
    await running.worker?.stop();
  });
  return running;
}
