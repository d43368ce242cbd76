// The API process: configuration from the environment, JSON logs, graceful shutdown.
import { AccountStatusClient } from '../workflows/account-status/client';
import type { Server } from 'node:http';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { startTracing } from '../platform/tracing';
import { createDatabase } from '../platform/database';
import { connectTemporal } from '../platform/temporal';
import { dependencyChecks } from './routes/health';
import { createApp } from './app';
import { codecServerOptions } from './codec-server';
import { createTicketKinds } from '../events/inbound/ticket-kinds';
import { ThirdPartyAccessClient } from '../workflows/third-party-access/client';
import { AccessModelChangesClient } from '../workflows/access-model-change/client';
import { DuplicateEmailFixesClient } from '../workflows/duplicate-email-fix/client';
import { InvitationsClient } from '../workflows/invitation/client';
import { OffboardingClient } from '../workflows/offboarding/client';
import { ClientRelationshipsClient } from '../workflows/client-relationship/client';
import { AccessReviewsClient } from '../workflows/access-review/client';
import { createMailer } from '../platform/mail';
import { AbuseLimits } from '../domain/abuse-limits';
import { ExternalIdentity } from '../platform/external-identity';

async function main(): Promise<void> {
  const config = loadConfig();
  // Issue 13: first, so every span and log line after it has its context.
  const tracing = startTracing('partner-access-api', config);
  const logger = createLogger('api', config.LOG_LEVEL);
  const db = createDatabase(config.DATABASE_URL);
  const temporal = await connectTemporal(config);
  const thirdPartyAccess = ThirdPartyAccessClient.fromConfig(temporal, config);
  const mailer = createMailer({ host: config.SMTP_HOST, port: config.SMTP_PORT, from: config.MAIL_FROM });
  const abuseLimits = AbuseLimits.onPostgres(config.DATABASE_URL);
  const app = createApp({
    abuseLimits,
    trustProxy: config.TRUST_PROXY,
    thirdPartyAccess,
    invitations: InvitationsClient.fromConfig(temporal, config),
    offboarding: new OffboardingClient({ temporal, taskQueue: config.TEMPORAL_TASK_QUEUE }),
    clientRelationships: ClientRelationshipsClient.fromConfig(temporal, config),
    accountStatuses: AccountStatusClient.fromConfig(temporal, config),
    accessReviews: AccessReviewsClient.fromConfig(temporal, config),
    mailer,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    db,
    logger,
    ticketKinds: createTicketKinds({
      thirdPartyAccess,
      accessModelChanges: AccessModelChangesClient.fromConfig(temporal, config),
      duplicateEmailFixes: DuplicateEmailFixesClient.fromConfig(temporal, config),
    }),
    tokens: {
      secret: config.AUTH_JWT_SECRET,
      issuer: config.AUTH_JWT_ISSUER,
      audience: config.AUTH_JWT_AUDIENCE,
      external: ExternalIdentity.fromConfig(config, logger),
    },
    checks: dependencyChecks({ temporal, db, kafka: config }),
    // Issue 12: the Temporal UI decodes payloads here (operators in production, loopback in development).
    codec: codecServerOptions(config),
    // Plain-http cookies and demo sign-in links on a developer's loopback stack only.
    pages: { secureCookies: config.NODE_ENV === 'production', demoSignIn: config.NODE_ENV === 'development' },
  });
  const server: Server = app.listen(config.API_PORT, config.API_HOST, () => {
    logger.info({ url: `http://${config.API_HOST}:${config.API_PORT}` }, 'api listening');
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api stopping');
    // Stop taking connections, let requests in flight finish, then close clients.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    mailer.close();
    await Promise.allSettled([
      db.$disconnect(),
      temporal.connection.close(),
      abuseLimits.close(),
      tracing.shutdown(), // the last requests' spans
    ]);
    logger.info('api stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  createLogger('api').fatal({ err }, 'api failed to start');
  process.exit(1);
});
