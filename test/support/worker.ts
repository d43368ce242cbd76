// A real worker for the tests: the engine's workflows and activities on the real Temporal server,
// the test database and the SMTP sink, on a task queue of the test's own.
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createDatabase } from '../../platform/database';
import { createMailer } from '../../platform/mail';
import { config, uniqueSuffix } from './services';
import { ENGINE_WORKFLOWS, testWorkflowCode } from './workflow-code';
import { connectTemporal } from '../../platform/temporal';
import { connectWorkerTemporal, tracingWorkerOptions } from '../../platform/temporal-worker';
import { currentTracing } from '../../platform/tracing';
import { temporalDataConverter } from '../../platform/payload-codec';
import { InvitationsClient } from '../../workflows/invitation/client';
import { ThirdPartyAccessClient } from '../../workflows/third-party-access/client';

export interface TestWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

export interface TestWorkerOptions {
  /** Another SMTP server than the tests' sink (e.g. a gate in front of it that a test opens and shuts). */
  smtp?: { host: string; port: number };
}

export async function startTestWorker(
  workflowsPath = ENGINE_WORKFLOWS,
  options: TestWorkerOptions = {},
): Promise<TestWorker> {
  const taskQueue = `test-${uniqueSuffix()}`;
  const db = createDatabase(config.DATABASE_URL);
  const smtp = options.smtp ?? { host: config.SMTP_HOST, port: config.SMTP_PORT };
  const mailer = createMailer({ ...smtp, from: config.MAIL_FROM });
  const connection = await connectWorkerTemporal(config);
  // The workflows an activity drives (AM-1 cascades) run on this worker's own task queue.
  const temporal = await connectTemporal(config);
  const queue = { TEMPORAL_TASK_QUEUE: taskQueue };
  const engine = {
    invitations: InvitationsClient.fromConfig(temporal, { ...config, ...queue }),
    thirdPartyAccess: ThirdPartyAccessClient.fromConfig(temporal, { ...config, ...queue }),
  };
  const code = testWorkflowCode(workflowsPath);
  const worker = await Worker.create({
    connection,
    dataConverter: temporalDataConverter(config),
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    ...code,
    // Issue 13: the test's tracing if it started one (test/integration/tracing.test.ts), else spans go nowhere.
    ...tracingWorkerOptions(currentTracing(), code),
    activities: createActivities({ db, mailer, publicBaseUrl: config.PUBLIC_BASE_URL, engine }),
  });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await temporal.connection.close();
      await db.$disconnect();
      mailer.close();
    },
  };
}
