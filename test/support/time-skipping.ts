// Temporal's time-skipping test server with the engine's real workflows and activities (test
// database, SMTP sink): days of a process in seconds.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { testWorkflowCode } from './workflow-code';
import { createActivities } from '../../activities';
import { createDatabase, type Database } from '../../platform/database';
import { createMailer } from '../../platform/mail';
import { temporalDataConverter } from '../../platform/payload-codec';
import { tracingWorkerOptions } from '../../platform/temporal-worker';
import { config, uniqueSuffix } from './services';

export interface TimeSkipping {
  env: TestWorkflowEnvironment;
  db: Database;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startTimeSkipping(name: string): Promise<TimeSkipping> {
  const db = createDatabase(config.DATABASE_URL);
  const mailer = createMailer({ host: config.SMTP_HOST, port: config.SMTP_PORT, from: config.MAIL_FROM });
  // Encrypted as on the real server (issue 12): the client and the worker must agree on the codec.
  const dataConverter = temporalDataConverter(config);
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER! } },
    client: { dataConverter },
  });
  // Time moves only when the test says so (env.sleep): the server otherwise skips whenever the
  // workflow is idle, straight to its 10-year execution timeout.
  await env.connection.testService!.lockTimeSkipping({});
  // The test server knows no custom search attributes until told (the dev server gets them at start).
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(searchAttributeKeys.map((k) => [k.name, keyword])),
  });
  const taskQueue = `${name}-${uniqueSuffix()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    dataConverter,
    taskQueue,
    ...testWorkflowCode(),
    // The bundle's tracing interceptors hand their spans to this sink (here: to nowhere).
    ...tracingWorkerOptions(undefined, testWorkflowCode()),
    activities: createActivities({ db, mailer, publicBaseUrl: config.PUBLIC_BASE_URL }),
  });
  const running = worker.run();
  return {
    env,
    db,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
      await db.$disconnect();
      mailer.close();
    },
  };
}
