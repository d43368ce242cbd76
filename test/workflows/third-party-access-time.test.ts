// TPU-1 over days, in seconds: Temporal's time-skipping test server, the real workflow and the real
// activities (test database, SMTP sink).
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { createActivities } from '../../activities';
import { createDatabase } from '../../platform/database';
import { createMailer } from '../../platform/mail';
import { relationshipIdFor } from '../../domain/third-party-access';
import { relationshipQuery, thirdPartyAccessWorkflowId, type ThirdPartyAccessInput } from '../../workflows/third-party-access/messages';
import { config, uniqueSuffix } from '../support/services';
import { createOrganization } from '../support/world';
import { waitUntil } from '../support/kafka';

const db = createDatabase(config.DATABASE_URL);
const mailer = createMailer({ host: config.SMTP_HOST, port: config.SMTP_PORT, from: config.MAIL_FROM });
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `time-${uniqueSuffix()}`;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER! } },
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
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    activities: createActivities({ db, mailer, publicBaseUrl: config.PUBLIC_BASE_URL }),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await db.$disconnect();
  mailer.close();
});

async function startRequest(email: string) {
  const { org } = await createOrganization(db, { ORG_ADMIN: 1 });
  const relationshipId = relationshipIdFor(config.RELATIONSHIP_ID_KEY, email);
  const input: ThirdPartyAccessInput = {
    organizationId: org.id,
    relationshipId,
    thirdParty: { name: 'Late Comer', firmName: 'Elsewhere', email },
    origin: 'REQUEST',
    requestedByUserId: null,
    ticketId: null,
  };
  const handle = await env.client.workflow.start('thirdPartyAccess', { taskQueue, workflowId: thirdPartyAccessWorkflowId(org.id, relationshipId), args: [input] });
  // Skip time only once the workflow is parked on its timer: skipping while its first task is still
  // pending lets the test server jump straight to the (10-year) execution timeout.
  await waitUntil('parked awaiting the account', async () => (await state(handle.workflowId)) === 'AWAITING_ACCOUNT', 15000);
  await new Promise((r) => setTimeout(r, 500));
  return handle;
}

const state = async (workflowId: string) => (await db.thirdPartyRelationship.findFirst({ where: { workflowId } }))?.state;

it('TPU-1 a third party who creates their account two days later: the waiting request proceeds on its own', async () => {
  const email = `late-${uniqueSuffix()}@elsewhere.example`;
  const handle = await startRequest(email);
  await env.sleep('2 days');
  expect((await handle.query(relationshipQuery)).state).toBe('AWAITING_ACCOUNT');
  // The account appears without any signal: the workflow finds it at its next look-up (every 6 hours).
  const user = await db.user.create({ data: { email, displayName: 'Late Comer' } });
  await env.sleep('7 hours');
  // The timer fired in skipped time; the look-up and transition activities still take real time.
  await waitUntil('the request moves on', async () => (await handle.query(relationshipQuery)).state === 'REQUESTED', 15000);
  expect(await handle.query(relationshipQuery)).toMatchObject({ state: 'REQUESTED', thirdPartyUserId: user.id });
  await handle.terminate('test over');
});

it('TPU-1 a third party who never creates an account: after the default 14 days the request ends with its reason', async () => {
  const handle = await startRequest(`never-${uniqueSuffix()}@elsewhere.example`);
  await env.sleep('13 days');
  expect(await state(handle.workflowId)).toBe('AWAITING_ACCOUNT');
  // Bounded steps (never an open-ended skip): the deadline is at 14 days.
  await env.sleep('2 days');
  await waitUntil('expired', async () => (await state(handle.workflowId)) === 'EXPIRED', 15000);
  const row = await db.thirdPartyRelationship.findFirstOrThrow({ where: { workflowId: handle.workflowId } });
  expect(row.reason).toMatch(/No account was created with this email within 14 days/);
  expect((await handle.describe()).status.name).toBe('COMPLETED');
});
