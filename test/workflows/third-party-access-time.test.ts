// TPU-1 over days, in seconds: Temporal's time-skipping test server, the real workflow and the real
// activities (test database, SMTP sink).
import type { Database } from '../../platform/database';
import { relationshipIdFor } from '../../domain/third-party-access';
import { relationshipQuery, thirdPartyAccessWorkflowId, type ThirdPartyAccessInput } from '../../workflows/third-party-access/messages';
import { config, uniqueSuffix } from '../support/services';
import { createOrganization } from '../support/world';
import { waitUntil } from '../support/kafka';
import { startTimeSkipping, type TimeSkipping } from '../support/time-skipping';

let ts: TimeSkipping;
let db: Database;

beforeAll(async () => {
  ts = await startTimeSkipping('time');
  db = ts.db;
});
afterAll(() => ts?.stop());

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
  const handle = await ts.env.client.workflow.start('thirdPartyAccess', { taskQueue: ts.taskQueue, workflowId: thirdPartyAccessWorkflowId(org.id, relationshipId), args: [input] });
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
  await ts.env.sleep('2 days');
  expect((await handle.query(relationshipQuery)).state).toBe('AWAITING_ACCOUNT');
  // The account appears without any signal: the workflow finds it at its next look-up (every 6 hours).
  const user = await db.user.create({ data: { email, displayName: 'Late Comer' } });
  await ts.env.sleep('7 hours');
  // The timer fired in skipped time; the look-up and transition activities still take real time.
  await waitUntil('the request moves on', async () => (await handle.query(relationshipQuery)).state === 'REQUESTED', 15000);
  expect(await handle.query(relationshipQuery)).toMatchObject({ state: 'REQUESTED', thirdPartyUserId: user.id });
  await handle.terminate('test over');
});

it('TPU-1 a third party who never creates an account: after the default 14 days the request ends with its reason', async () => {
  const handle = await startRequest(`never-${uniqueSuffix()}@elsewhere.example`);
  await ts.env.sleep('13 days');
  expect(await state(handle.workflowId)).toBe('AWAITING_ACCOUNT');
  // Bounded steps (never an open-ended skip): the deadline is at 14 days.
  await ts.env.sleep('2 days');
  await waitUntil('expired', async () => (await state(handle.workflowId)) === 'EXPIRED', 15000);
  const row = await db.thirdPartyRelationship.findFirstOrThrow({ where: { workflowId: handle.workflowId } });
  expect(row.reason).toMatch(/No account was created with this email within 14 days/);
  expect((await handle.describe()).status.name).toBe('COMPLETED');
});
