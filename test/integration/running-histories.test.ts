// Issue 13 versioning: histories of long-lived runs taken while they still run, for the replay test.
// A third-party relationship stays in ACCESS_ON and an invitation PENDING for months, so the code
// deployed next picks them up mid-run; test/workflows/replay.test.ts replays these two by name.
// `SAVE_HISTORIES=1` writes them when missing (test/support/histories.ts).
import { mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createOrganization, createUser } from '../support/world';
import { linkIn, waitForEmails } from '../support/links';
import { saveRunningHistory } from '../support/histories';

let api: TestApi;
let worker: TestWorker;

beforeAll(async () => {
  worker = await startTestWorker();
  // Resends without the 60 s spacing, so a resend can follow the first send at once.
  const invitationTimings = { BUSINESS_PARTNER: { resendMinIntervalSeconds: 0 } };
  api = await startTestApi({ taskQueue: worker.taskQueue, invitationTimings });
});
afterAll(async () => {
  await api.close();
  await worker.stop();
});

it('issue 13 versioning: a third-party relationship in ACCESS_ON, its history saved while it runs', async () => {
  const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1, PRODUCT_ADMIN: 1 });
  const support = await createUser(api.db);
  await api.db.supportAgent.create({ data: { userId: support.id } });
  const consultant = await createUser(api.db, { firmName: 'Ledgerwise' });
  const base = `/organizations/${org.id}/third-party-users`;
  const requested = await api.call('POST', base, {
    token: await api.token(members.PRODUCT_ADMIN[0].id),
    body: { thirdPartyName: 'Carla Consultant', firmName: 'Ledgerwise', email: consultant.email },
  });
  expect(requested.status).toBe(202);
  const rel = requested.body.relationshipId as string;
  const review = { token: await api.token(support.id), body: { decision: 'approve' } };
  const listed = await api.call('POST', `${base}/${rel}/review`, review);
  expect(listed).toMatchObject({ status: 200, body: { state: 'LISTED' } });
  const orgAdmin = await api.token(members.ORG_ADMIN[0].id);
  const on = await api.call('PUT', `${base}/${rel}/access`, { token: orgAdmin, body: { access: 'on' } });
  expect(on).toMatchObject({ status: 200, body: { state: 'ACCESS_ON' } });
  await mailSink.waitFor(consultant.email, /third-party access was turned on/);

  const { workflowId } = api.thirdPartyAccess.workflowIdFor(org.id, consultant.email);
  const handle = api.temporal.workflow.getHandle(workflowId);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await saveRunningHistory('third-party-access-access-on-running', handle);
  // Done with it: the run ends as a removal does, not left behind on the tests' namespace.
  const removed = await api.call('DELETE', `${base}/${rel}`, { token: orgAdmin });
  expect(removed).toMatchObject({ status: 200, body: { state: 'REMOVED' } });
});

it('issue 13 versioning: an invitation PENDING after a resend, its history saved while it runs', async () => {
  const { org, members } = await createOrganization(api.db, { MEMBER: 1 });
  const token = await api.token(members.MEMBER[0].id);
  const email = `pending-${uniqueSuffix()}@vendor.example`;
  const added = await api.call('POST', `/organizations/${org.id}/business-partners`, {
    token,
    body: { companyName: 'Vendor & Sons', people: [{ firstName: 'Pia', lastName: 'Pending', email }] },
  });
  expect(added.status).toBe(201);
  const subject = /You are invited to work with us as a business partner/;
  const original = linkIn((await mailSink.waitFor(email, subject)).text);
  const resent = await api.call('POST', `/invitations/${original.id}/resend`, { token });
  expect(resent).toMatchObject({ status: 200, body: { state: 'PENDING', sendCount: 2 } });
  await waitForEmails(email, subject, 2);

  const row = await api.db.invitation.findUniqueOrThrow({ where: { id: original.id } });
  const handle = api.temporal.workflow.getHandle(row.workflowId);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await saveRunningHistory('invitation-pending-resent-running', handle);
  const revoked = await api.call('POST', `/invitations/${original.id}/revoke`, { token });
  expect(revoked).toMatchObject({ status: 200, body: { state: 'REVOKED' } });
});
