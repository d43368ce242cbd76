// The worker process: runs workflows and activities on the task queue, creates the application's
// Kafka topics at start, shuts down gracefully on SIGTERM/SIGINT (the SDK drains running tasks).
import { Worker, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { createDatabase } from '../platform/database';
import { createKafka, ensureTopics } from '../platform/kafka';
import { createMailer } from '../platform/mail';
import { topicConfigs } from '../domain/topics';
import { createActivities } from '../activities';
import { connectTemporal } from '../platform/temporal';
import { connectWorkerTemporal, tracingWorkerOptions } from '../platform/temporal-worker';
import { startTracing } from '../platform/tracing';
import { temporalDataConverter } from '../platform/payload-codec';
import { startEventRuntime } from '../events/runtime';
import { createTicketKinds } from '../events/inbound/ticket-kinds';
import { accountOwnerToThirdPartyAccess } from '../events/inbound/account-owner-to-tpu';
import { ThirdPartyAccessClient } from '../workflows/third-party-access/client';
import { AccessModelChangesClient } from '../workflows/access-model-change/client';
import { DuplicateEmailFixesClient } from '../workflows/duplicate-email-fix/client';
import { InvitationsClient } from '../workflows/invitation/client';
import { ClientRelationshipsClient } from '../workflows/client-relationship/client';
import { ensureRetentionSchedule } from '../workflows/retention/client';
import { sweepKeptCrmNews } from '../domain/kept-crm-news';
import { workflowCode } from './workflow-bundle';
import { startWorkerMetrics, type WorkerMetrics } from '../platform/metrics';

async function main(): Promise<void> {
  const config = loadConfig();
  // Issue 13: first, so every span and log line after it has its context.
  const tracing = startTracing('partner-access-worker', config);
  const logger = createLogger('worker', config.LOG_LEVEL);
  Runtime.install({
    logger: {
      log: (level, message, meta) =>
        logger[level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'info')]({ ...meta }, message),
      trace: (m, meta) => logger.trace({ ...meta }, m),
      debug: (m, meta) => logger.debug({ ...meta }, m),
      info: (m, meta) => logger.info({ ...meta }, m),
      warn: (m, meta) => logger.warn({ ...meta }, m),
      error: (m, meta) => logger.error({ ...meta }, m),
    },
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      // Issue 13: the SDK's own metrics (task slots, polls, schedule-to-start latency), if configured.
      ...(config.TEMPORAL_METRICS_PORT > 0
        ? { metrics: { prometheus: { bindAddress: `${config.METRICS_HOST}:${config.TEMPORAL_METRICS_PORT}` } } }
        : {}),
    },
  });

  const kafka = createKafka(config, config.KAFKA_CLIENT_ID, logger);
  await ensureTopics(kafka, topicConfigs(config), logger);

  const db = createDatabase(config.DATABASE_URL);
  const mailer = createMailer({ host: config.SMTP_HOST, port: config.SMTP_PORT, from: config.MAIL_FROM });
  const connection = await connectWorkerTemporal(config);
  const temporal = await connectTemporal(config);
  const thirdPartyAccess = ThirdPartyAccessClient.fromConfig(temporal, config);
  const events = await startEventRuntime({
    databaseUrl: config.DATABASE_URL,
    db,
    kafka,
    logger,
    ticketKinds: createTicketKinds({
      thirdPartyAccess,
      accessModelChanges: AccessModelChangesClient.fromConfig(temporal, config),
      duplicateEmailFixes: DuplicateEmailFixesClient.fromConfig(temporal, config),
    }),
    onAccountOwnerChange: [accountOwnerToThirdPartyAccess(thirdPartyAccess)],
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
  });
  // Issue 13: the worker's /metrics (relay, outbox age, consumer lag, dead letters, email).
  const metrics: WorkerMetrics | undefined =
    config.WORKER_METRICS_PORT > 0
      ? await startWorkerMetrics(
          { db, consumers: events.consumers },
          { host: config.METRICS_HOST, port: config.WORKER_METRICS_PORT, logger },
        )
      : undefined;
  const worker = await Worker.create({
    connection,
    dataConverter: temporalDataConverter(config),
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...workflowCode(),
    ...tracingWorkerOptions(tracing, workflowCode()),
    activities: createActivities({
      db,
      mailer,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      engine: { invitations: InvitationsClient.fromConfig(temporal, config), thirdPartyAccess },
    }),
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  // AM-2: client relationships without a workflow (migrated, seeded) get one, which holds their
  // timers. Idempotent, so every start does it; a failure is retried by the next start.
  const adopt =
    config.CLIENT_RELATIONSHIP_ADOPTION === 'on'
      ? ClientRelationshipsClient.fromConfig(temporal, config).adoptAll(db)
      : Promise.resolve(0);
  adopt
    .then((adopted) => logger.info({ adopted }, 'client relationships adopted'))
    .catch((err) => logger.error({ err }, 'client relationship adoption failed; the next start retries it'));
  // Issue 13: the retention schedule, created or brought in line with this worker's configuration.
  ensureRetentionSchedule(temporal, config)
    .then((scheduleId) => logger.info({ scheduleId, every: config.RETENTION_EVERY_MINUTES }, 'retention scheduled'))
    .catch((err) => logger.error({ err }, 'retention schedule not registered; the next start retries it'));
  // TPU-5 (issue 12): the CRM's word kept until an account or organization it names appears, applied
  // at start and every 10 minutes, however that account or organization appeared.
  const keptNews = sweepKeptCrmNews({ db, tpu: thirdPartyAccess, logger });
  try {
    await worker.run();
  } finally {
    await keptNews.stop();
    await metrics?.close();
    await events.stop();
    await Promise.allSettled([connection.close(), temporal.connection.close(), db.$disconnect()]);
    mailer.close();
    await tracing.shutdown().catch((err) => logger.warn({ err }, 'last spans not exported'));
    logger.info('worker stopped');
  }
}

main().catch((err) => {
  createLogger('worker').fatal({ err }, 'worker failed');
  process.exit(1);
});
