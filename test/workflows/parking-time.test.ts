// Issue 12, schedule-to-close limits, in seconds: Temporal's time-skipping test server, the real
// duplicate-email-fix workflow and the real activities. First against a database nobody can reach (a
// real connection refused on every attempt, no mock): the step is retried for 6 hours, then the run
// parks with its reason. Then the database is back (a worker on the test database) and an operator's
// retry finishes the ticket.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { ParkedReasonKey, ProcessStateKey, searchAttributeKeys, TicketIdKey } from '../../domain/search-attributes';
import { createActivities } from '../../activities';
import { createDatabase, type Database } from '../../platform/database';
import { createMailer, type Mailer } from '../../platform/mail';
import { parkedQuery, retryParkedUpdate } from '../../workflows/shared';
import { progressQuery } from '../../workflows/duplicate-email-fix/messages';
import { InvitationsClient } from '../../workflows/invitation/client';
import { ThirdPartyAccessClient } from '../../workflows/third-party-access/client';
import { config, uniqueSuffix } from '../support/services';
import { waitUntil } from '../support/kafka';
import { testWorkflowCode } from '../support/workflow-code';
import { tracingWorkerOptions } from '../../platform/temporal-worker';

let env: TestWorkflowEnvironment;
let db: Database;
let unreachable: Database;
let mailer: Mailer;

beforeAll(async () => {
  db = createDatabase(config.DATABASE_URL);
  // Port 1 on loopback: every connection is refused, as when PostgreSQL is down.
  const url = new URL(config.DATABASE_URL);
  url.port = '1';
  unreachable = createDatabase(url.toString());
  mailer = createMailer({ host: config.SMTP_HOST, port: config.SMTP_PORT, from: config.MAIL_FROM });
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER! } },
  });
  // Time moves only when the test says so (env.sleep), as in test/support/time-skipping.ts.
  await env.connection.testService!.lockTimeSkipping({});
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(searchAttributeKeys.map((k) => [k.name, keyword])),
  });
});
afterAll(async () => {
  await env?.teardown();
  await Promise.all([db?.$disconnect(), unreachable?.$disconnect()]);
  mailer?.close();
});

const workerOn = (database: Database, taskQueue: string) => {
  // The workflows the fix's activity drives (an invitation to revoke) run on the same task queue.
  const queue = { ...config, TEMPORAL_TASK_QUEUE: taskQueue };
  const engine = {
    invitations: InvitationsClient.fromConfig(env.client, queue),
    thirdPartyAccess: ThirdPartyAccessClient.fromConfig(env.client, queue),
  };
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    ...testWorkflowCode(),
    ...tracingWorkerOptions(undefined, testWorkflowCode()),
    activities: createActivities({ db: database, mailer, publicBaseUrl: config.PUBLIC_BASE_URL, engine }),
    // No sticky queue: the second worker gets the run at once (a sticky timeout never ends while
    // time stands still).
    maxCachedWorkflows: 0,
  });
};

it(
  'issue 12 schedule-to-close: a step that fails for 6 hours (database down) parks the run with ' +
    'STEP_TIMED_OUT; once the database is back, an operator retry finishes the ticket',
  async () => {
    const taskQueue = `parking-time-${uniqueSuffix()}`;
    const partner = await db.portalPartner.create({
      data: { name: `Partner ${uniqueSuffix()}`, email: `p-${uniqueSuffix()}@partner.example` },
    });
    await db.portalEmail.create({ data: { email: partner.email, ownerType: 'portal-partner', ownerId: partner.id } });
    const ticketId = `HD-${uniqueSuffix()}`;
    const handle = await env.client.workflow.start('duplicateEmailFix', {
      workflowId: `duplicate-email-fix-${ticketId}`,
      taskQueue,
      args: [{ ticketId, email: partner.email, reason: 'registered under the wrong partner' }],
      typedSearchAttributes: [
        { key: TicketIdKey, value: ticketId },
        { key: ProcessStateKey, value: 'STARTED' },
      ],
    });
    const attributes = async () => {
      const { typedSearchAttributes: sa } = await handle.describe();
      return { state: sa.get(ProcessStateKey), reason: sa.get(ParkedReasonKey) };
    };

    const down = await workerOn(unreachable, taskQueue);
    await down.runUntil(async () => {
      await env.sleep('5 hours');
      // Still retrying within the limit: an outage shorter than that heals by itself.
      expect(await handle.query(parkedQuery)).toBeNull();
      const early = await handle.executeUpdate(retryParkedUpdate).catch((e) => e);
      expect(early).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(early.cause).toMatchObject({ type: 'NotParked' });

      await env.sleep('70 minutes');
      await waitUntil('parked', async () => (await handle.query(parkedQuery)) !== null, 20000);
      // Queries are answered by a worker: asked while this one runs.
      expect(await handle.query(parkedQuery)).toMatchObject({
        reason: 'STEP_TIMED_OUT',
        step: 'freePortalEmailForTicket',
        type: 'Timeout',
        retries: 0,
        message: expect.stringMatching(/^kept failing until its time limit/),
      });
      expect(await handle.query(progressQuery)).toMatchObject({ state: 'FREEING' });
    });
    expect(await attributes()).toEqual({ state: 'PARKED', reason: 'STEP_TIMED_OUT' });
    // Parked is no end: the email is still held, and nothing was told to the help desk.
    expect(await db.portalEmail.findUnique({ where: { email: partner.email } })).not.toBeNull();
    expect(await db.outboxEvent.count({ where: { aggregateId: ticketId } })).toBe(0);

    // The database is back: the operator retries, and the step runs again from where it parked.
    const up = await workerOn(db, taskQueue);
    const result = await up.runUntil(async () => {
      expect(await handle.executeUpdate(retryParkedUpdate)).toEqual({ retrying: 'freePortalEmailForTicket' });
      const freed = await handle.result();
      expect(await handle.query(parkedQuery)).toBeNull();
      return freed;
    });
    expect(result).toMatchObject({ state: 'FREED', auditEntryId: expect.any(String) });
    expect(await attributes()).toEqual({ state: 'FREED', reason: undefined });
    expect(await db.portalEmail.findUnique({ where: { email: partner.email } })).toBeNull();
    const told = await db.outboxEvent.findMany({ where: { aggregateId: ticketId } });
    expect(told.map((e) => e.data)).toEqual([expect.objectContaining({ outcome: 'APPLIED' })]);
  },
);
