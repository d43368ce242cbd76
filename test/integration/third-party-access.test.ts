// TPU-1..TPU-7, INT-4: the third-party-user process over HTTP on the real stack.
import { mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createOrganization, createUser } from '../support/world';
import { waitUntil } from '../support/kafka';
import { saveHistory } from '../support/histories';
import { waitUntilIdle } from '../support/idle';

const P = 'https://partner-access.example/problems/';
let api: TestApi;
let worker: TestWorker;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue, accountWaitSeconds: 4 });
});
afterAll(async () => {
  await api.close();
  await worker.stop();
});

async function world() {
  const { org, domain, members } = await createOrganization(api.db, { ORG_ADMIN: 2, PRODUCT_ADMIN: 1, MEMBER: 1 });
  const support = await createUser(api.db);
  await api.db.supportAgent.create({ data: { userId: support.id } });
  const consultant = await createUser(api.db, { firmName: 'Ledgerwise' });
  const t = async (id: string) => api.token(id);
  return {
    org,
    domain,
    members,
    consultant,
    tokens: {
      orgAdmin: await t(members.ORG_ADMIN[0].id),
      productAdmin: await t(members.PRODUCT_ADMIN[0].id),
      member: await t(members.MEMBER[0].id),
      support: await t(support.id),
      consultant: await t(consultant.id),
    },
  };
}

const historyLength = async (workflowId: string) =>
  (await api.temporal.workflow.getHandle(workflowId).fetchHistory()).events!.length;

it(
  "TPU-2 TPU-3 TPU-4 TPU-6 TPU-7 INT-4 the article's story: request, support approves, org " +
    'admins emailed, access off, on, seen, off, removed',
  async () => {
    const w = await world();
    const base = `/organizations/${w.org.id}/third-party-users`;
    const requested = await api.call('POST', base, {
      token: w.tokens.productAdmin,
      body: { thirdPartyName: 'Carla Consultant', firmName: 'Ledgerwise', email: w.consultant.email },
    });
    expect(requested).toMatchObject({
      status: 202,
      body: { state: 'REQUESTED', origin: 'REQUEST', thirdPartyUserId: w.consultant.id },
    });
    const rel = requested.body.relationshipId as string;
    expect(rel).toMatch(/^[0-9a-f]{32}$/);
    const { workflowId } = api.thirdPartyAccess.workflowIdFor(w.org.id, w.consultant.email);
    expect(workflowId).not.toContain('@'); // no email in the workflow id

    const approved = await api.call('POST', `${base}/${rel}/review`, {
      token: w.tokens.support,
      body: { decision: 'approve' },
    });
    expect(approved).toMatchObject({ status: 200, body: { state: 'LISTED' } });
    for (const admin of w.members.ORG_ADMIN) {
      const mail = await mailSink.waitFor(
        admin.email,
        /Carla Consultant \(Ledgerwise\) was added as a third-party user/,
      );
      expect(mail.text).toMatch(/access is off/i);
    }

    const mine = await api.call('GET', '/me/third-party-access', { token: w.tokens.consultant });
    expect(mine.body.items).toEqual([
      expect.objectContaining({
        organizationId: w.org.id,
        state: 'LISTED',
        reason: `Access is off: ask an org admin of ${w.org.name} to turn it on.`,
      }),
    ]);
    expect((await api.call('GET', `/organizations/${w.org.id}`, { token: w.tokens.consultant })).status).toBe(403);

    const on = await api.call('PUT', `${base}/${rel}/access`, { token: w.tokens.orgAdmin, body: { access: 'on' } });
    expect(on).toMatchObject({ status: 200, body: { state: 'ACCESS_ON' } });
    await mailSink.waitFor(w.consultant.email, /third-party access was turned on/);
    expect((await api.call('GET', '/me/client-organizations', { token: w.tokens.consultant })).body.items).toEqual([
      { organizationId: w.org.id, name: w.org.name },
    ]);
    expect((await api.call('GET', `/organizations/${w.org.id}`, { token: w.tokens.consultant })).body).toMatchObject({
      yourAccess: 'THIRD_PARTY',
    });

    const off = await api.call('PUT', `${base}/${rel}/access`, { token: w.tokens.orgAdmin, body: { access: 'off' } });
    expect(off).toMatchObject({ status: 200, body: { state: 'LISTED' } });
    expect((await api.call('GET', '/me/client-organizations', { token: w.tokens.consultant })).body.items).toEqual(
      [],
    );

    const removed = await api.call('DELETE', `${base}/${rel}`, { token: w.tokens.orgAdmin });
    expect(removed).toMatchObject({ status: 200, body: { state: 'REMOVED' } });
    const handle = api.temporal.workflow.getHandle(workflowId);
    expect((await handle.describe()).status.name).toBe('COMPLETED');

    const events = await api.db.outboxEvent.findMany({
      where: { aggregateId: workflowId },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((e) => e.type.replace('partneraccess.tpu.', ''))).toEqual([
      'requested.v1',
      'listed.v1',
      'access-enabled.v1',
      'access-disabled.v1',
      'removed.v1',
    ]);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain(w.consultant.email);

    // INT-4: operators find the run by organization, partner and state.
    const query =
      `OrganizationId = "${w.org.id}" AND PartnerUserId = "${w.consultant.id}" ` + 'AND ProcessState = "REMOVED"';
    await waitUntil(
      'visibility',
      async () => {
        for await (const x of api.temporal.workflow.list({ query })) if (x.workflowId === workflowId) return true;
        return false;
      },
      20000,
    );

    await saveHistory('third-party-access-story', handle);
  },
);

it(
  'TPU-2 TPU-3 TPU-4 refusals are clear, use precise statuses, and leave the workflow ' + 'history untouched',
  async () => {
    const w = await world();
    const base = `/organizations/${w.org.id}/third-party-users`;
    const body = { thirdPartyName: 'Carla Consultant', firmName: 'Ledgerwise', email: w.consultant.email };

    const byMember = await api.call('POST', base, { token: w.tokens.member, body });
    expect(byMember).toMatchObject({ status: 403, body: { type: P + 'forbidden' } });
    const onDomain = await api.call('POST', base, {
      token: w.tokens.orgAdmin,
      body: { ...body, email: `someone@${w.domain}` },
    });
    expect(onDomain).toMatchObject({ status: 400, body: { type: P + 'validation-failed' } });
    expect(onDomain.body.detail).toMatch(/own business email/);

    const first = await api.call('POST', base, { token: w.tokens.orgAdmin, body });
    const again = await api.call('POST', base, {
      token: w.tokens.productAdmin,
      body: { ...body, email: w.consultant.email.toUpperCase() },
    });
    expect(first.status).toBe(202);
    expect(again).toMatchObject({
      status: 200,
      body: { relationshipId: first.body.relationshipId, state: 'REQUESTED' },
    });
    const rel = first.body.relationshipId;
    const { workflowId } = api.thirdPartyAccess.workflowIdFor(w.org.id, w.consultant.email);
    let runs = 0;
    for await (const _ of api.temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs++;
    expect(runs).toBe(1);

    const before = await historyLength(workflowId);
    const early = await api.call('PUT', `${base}/${rel}/access`, {
      token: w.tokens.orgAdmin,
      body: { access: 'on' },
    });
    expect(early).toMatchObject({ status: 409, body: { type: P + 'conflict' } });
    expect(early.body.detail).toMatch(/REQUESTED/);
    const notSupport = await api.call('POST', `${base}/${rel}/review`, {
      token: w.tokens.orgAdmin,
      body: { decision: 'approve' },
    });
    expect(notSupport).toMatchObject({
      status: 403,
      body: { detail: 'Only support reviews third-party-user requests.' },
    });
    expect(await historyLength(workflowId)).toBe(before);

    await api.call('POST', `${base}/${rel}/review`, { token: w.tokens.support, body: { decision: 'approve' } });
    // The listing emails go out after the answer (AM-7).
    await waitUntilIdle(api.temporal.workflow.getHandle(workflowId));
    const before2 = await historyLength(workflowId);
    const byProductAdmin = await api.call('PUT', `${base}/${rel}/access`, {
      token: w.tokens.productAdmin,
      body: { access: 'on' },
    });
    expect(byProductAdmin).toMatchObject({
      status: 403,
      body: { detail: 'Only an org admin of the organization can turn third-party access on.' },
    });
    const offWhenOff = await api.call('PUT', `${base}/${rel}/access`, {
      token: w.tokens.orgAdmin,
      body: { access: 'off' },
    });
    expect(offWhenOff.status).toBe(409);
    const reviewTwice = await api.call('POST', `${base}/${rel}/review`, {
      token: w.tokens.support,
      body: { decision: 'reject', reason: 'changed my mind' },
    });
    expect(reviewTwice.status).toBe(409);
    const bad = await api.call('PUT', `${base}/${rel}/access`, {
      token: w.tokens.orgAdmin,
      body: { access: 'maybe' },
    });
    expect(bad.status).toBe(400);
    expect(await historyLength(workflowId)).toBe(before2);
    expect((await api.call('GET', `${base}/${rel}`, { token: w.tokens.orgAdmin })).body.state).toBe('LISTED');
  },
);

it('TPU-3 support rejects with a reason; the relationship ends and says why', async () => {
  const w = await world();
  const base = `/organizations/${w.org.id}/third-party-users`;
  const { body } = await api.call('POST', base, {
    token: w.tokens.orgAdmin,
    body: { thirdPartyName: 'Carla', firmName: 'Ledgerwise', email: w.consultant.email },
  });
  const rejected = await api.call('POST', `${base}/${body.relationshipId}/review`, {
    token: w.tokens.support,
    body: { decision: 'reject', reason: 'No contract on file' },
  });
  expect(rejected).toMatchObject({
    status: 200,
    body: { state: 'REJECTED', reason: 'Rejected by support: No contract on file' },
  });
  const handle = api.temporal.workflow.getHandle(
    api.thirdPartyAccess.workflowIdFor(w.org.id, w.consultant.email).workflowId,
  );
  await handle.result();
  await saveHistory('third-party-access-rejected', handle);
});

it(
  'TPU-1 a third party without an account waits; creating and verifying the account moves ' +
    'the request on at once',
  async () => {
    const w = await world();
    const email = `newcomer-${uniqueSuffix()}@independent.example`;
    const base = `/organizations/${w.org.id}/third-party-users`;
    const res = await api.call('POST', base, {
      token: w.tokens.orgAdmin,
      body: { thirdPartyName: 'Nina Newcomer', firmName: 'Independent', email },
    });
    expect(res).toMatchObject({ status: 202, body: { state: 'AWAITING_ACCOUNT', thirdPartyUserId: null } });
    const account = await api.call('POST', '/accounts', {
      body: { email, displayName: 'Nina Newcomer', firmName: 'Independent' },
    });
    expect(account.status).toBe(202);
    // Issue 12: the account exists once its email is proved (test/integration/registration.test.ts).
    const mail = await mailSink.waitFor(email, /Confirm your email/);
    const [, id, token] = mail.text.match(/\/verify-email\/([0-9a-f-]{36})\?token=([A-Za-z0-9_-]{43})/)!;
    const verified = await api.call('POST', `/account-verifications/${id}`, { body: { token } });
    expect(verified.status).toBe(200);
    await waitUntil(
      'request moves on',
      async () =>
        (await api.call('GET', `${base}/${res.body.relationshipId}`, { token: w.tokens.orgAdmin })).body.state ===
        'REQUESTED',
      15000,
    );
    const after = await api.call('GET', `${base}/${res.body.relationshipId}`, { token: w.tokens.orgAdmin });
    expect(after.body.thirdPartyUserId).toBe(verified.body.userId);
  },
);

it(
  'TPU-1 a third party who never creates an account: the request ends after the configured ' + 'wait with its reason',
  async () => {
    const w = await world();
    const email = `never-${uniqueSuffix()}@elsewhere.example`;
    const base = `/organizations/${w.org.id}/third-party-users`;
    const res = await api.call('POST', base, {
      token: w.tokens.orgAdmin,
      body: { thirdPartyName: 'Never', firmName: 'Elsewhere', email },
    });
    expect(res.body.state).toBe('AWAITING_ACCOUNT');
    const { workflowId } = api.thirdPartyAccess.workflowIdFor(w.org.id, email);
    const result = await api.temporal.workflow.getHandle(workflowId).result();
    await saveHistory('third-party-access-expired', api.temporal.workflow.getHandle(workflowId));
    expect(result).toMatchObject({
      state: 'EXPIRED',
      reason: expect.stringMatching(/No account was created with this email within 4 seconds/),
    });
    const events = await api.db.outboxEvent.findMany({
      where: { aggregateId: workflowId },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((e) => e.type)).toEqual([
      'partneraccess.tpu.awaiting-account.v1',
      'partneraccess.tpu.expired.v1',
    ]);
  },
);

it(
  'TPU-4 evolution: a long-lived relationship continues as new past its history limit and ' +
    'keeps its state, events and id',
  async () => {
    const w = await world();
    const { relationshipId, workflowId } = api.thirdPartyAccess.workflowIdFor(w.org.id, w.consultant.email);
    const first = await api.temporal.workflow.start('thirdPartyAccess', {
      taskQueue: worker.taskQueue,
      workflowId,
      args: [
        {
          organizationId: w.org.id,
          relationshipId,
          thirdParty: { name: 'Carla', firmName: 'Ledgerwise', email: w.consultant.email },
          origin: 'REQUEST',
          requestedByUserId: null,
          ticketId: null,
          continueAsNewAfterEvents: 40,
        },
      ],
    });
    const base = `/organizations/${w.org.id}/third-party-users/${relationshipId}`;
    await waitUntil(
      'requested',
      async () => (await api.call('GET', base, { token: w.tokens.orgAdmin })).body.state === 'REQUESTED',
      15000,
    );
    expect(
      (await api.call('POST', `${base}/review`, { token: w.tokens.support, body: { decision: 'approve' } })).status,
    ).toBe(200);
    for (let i = 0; i < 6; i++) {
      expect(
        (await api.call('PUT', `${base}/access`, { token: w.tokens.orgAdmin, body: { access: 'on' } })).body.state,
      ).toBe('ACCESS_ON');
      expect(
        (await api.call('PUT', `${base}/access`, { token: w.tokens.orgAdmin, body: { access: 'off' } })).body.state,
      ).toBe('LISTED');
    }
    // It continues as new at least once: once no email of the run is still on its way (AM-7).
    const runId = async () => (await api.temporal.workflow.getHandle(workflowId).describe()).runId;
    await waitUntil('continued as new', async () => (await runId()) !== first.firstExecutionRunId, 15000);
    const current = await api.temporal.workflow.getHandle(workflowId).describe();
    expect(current.status.name).toBe('RUNNING');
    const view = await api.thirdPartyAccess.view(w.org.id, relationshipId);
    expect(view).toMatchObject({ state: 'LISTED', thirdPartyUserId: w.consultant.id });
    const events = await api.db.outboxEvent.findMany({
      where: { aggregateId: workflowId },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((e) => e.type.replace('partneraccess.tpu.', ''))).toEqual([
      'requested.v1',
      'listed.v1',
      ...Array(6).fill(['access-enabled.v1', 'access-disabled.v1']).flat(),
    ]);
    expect((await api.call('DELETE', base, { token: w.tokens.orgAdmin })).body.state).toBe('REMOVED');
  },
);

it('TPU-2 without a running worker a request gets a clear 503 in bounded time instead of hanging', async () => {
  const w = await world();
  const stranded = await startTestApi({ taskQueue: `no-worker-${uniqueSuffix()}`, commandTimeoutMs: 2000 });
  try {
    const res = await stranded.call('POST', `/organizations/${w.org.id}/third-party-users`, {
      token: w.tokens.orgAdmin,
      body: { thirdPartyName: 'Carla', firmName: 'Ledgerwise', email: w.consultant.email },
    });
    expect(res).toMatchObject({ status: 503, body: { type: P + 'not-ready' } });
  } finally {
    const { workflowId } = api.thirdPartyAccess.workflowIdFor(w.org.id, w.consultant.email);
    await api.temporal.workflow
      .getHandle(workflowId)
      .terminate('test over')
      .catch(() => undefined);
    await stranded.close();
  }
});
