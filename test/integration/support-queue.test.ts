// TPU-3 and INT-1 from support's desk over HTTP, on the real stack: the review queue of third-party
// requests across organizations (GET /support/third-party-requests) and a ticket looked up by the
// help desk's id (GET /support/tickets/:ticketId). Both are support's alone.
import { uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createOrganization, createUser } from '../support/world';

const P = 'https://partner-access.example/problems/';
let api: TestApi;
let worker: TestWorker;
let support: string;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue, ticketKinds: 'engine' });
  const agent = await createUser(api.db);
  await api.db.supportAgent.create({ data: { userId: agent.id } });
  support = await api.token(agent.id);
});
afterAll(async () => {
  await api.close();
  await worker.stop();
});

/** An organization whose org admin asked for one third party (who has an account, so: REQUESTED). */
async function requested(thirdPartyName: string) {
  const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1, MEMBER: 1 });
  const consultant = await createUser(api.db, { firmName: 'Ledgerwise' });
  const orgAdmin = await api.token(members.ORG_ADMIN[0].id);
  const res = await api.call('POST', `/organizations/${org.id}/third-party-users`, {
    token: orgAdmin,
    body: { thirdPartyName, firmName: 'Ledgerwise', email: consultant.email },
  });
  expect(res).toMatchObject({ status: 202, body: { state: 'REQUESTED' } });
  return { org, members, orgAdmin, relationshipId: res.body.relationshipId as string };
}

const queue = async (state?: string) => {
  const res = await api.call('GET', `/support/third-party-requests${state ? `?state=${state}` : ''}`, {
    token: support,
  });
  expect(res.status).toBe(200);
  return res.body.items as Array<{ organizationId: string; relationshipId: string; state: string }>;
};

it('TPU-3 the queue lists REQUESTED requests of every organization; one approved leaves it for LISTED', async () => {
  const first = await requested('Carla Consultant');
  const second = await requested('Omar Outside');
  const ours = (items: Awaited<ReturnType<typeof queue>>) =>
    items.filter((i) => [first.org.id, second.org.id].includes(i.organizationId));

  // The default is REQUESTED, oldest first, across organizations.
  expect(ours(await queue())).toEqual([
    expect.objectContaining({
      organizationId: first.org.id,
      relationshipId: first.relationshipId,
      organizationName: first.org.name,
      state: 'REQUESTED',
    }),
    expect.objectContaining({
      organizationId: second.org.id,
      relationshipId: second.relationshipId,
      state: 'REQUESTED',
    }),
  ]);
  expect((await queue()).every((i) => i.state === 'REQUESTED')).toBe(true);

  const approved = await api.call(
    'POST',
    `/organizations/${first.org.id}/third-party-users/${first.relationshipId}/review`,
    {
      token: support,
      body: { decision: 'approve' },
    },
  );
  expect(approved).toMatchObject({ status: 200, body: { state: 'LISTED' } });
  expect(ours(await queue('REQUESTED')).map((i) => i.organizationId)).toEqual([second.org.id]);
  expect(ours(await queue('LISTED'))).toEqual([
    expect.objectContaining({ organizationId: first.org.id, state: 'LISTED' }),
  ]);
});

it('TPU-3 only support reads the queue; an unknown state is refused with the states it takes', async () => {
  const { orgAdmin, members } = await requested('Nina Nobody');
  const member = await api.token(members.MEMBER[0].id);
  for (const token of [orgAdmin, member]) {
    const res = await api.call('GET', '/support/third-party-requests', { token });
    expect(res).toMatchObject({
      status: 403,
      body: { type: `${P}forbidden`, detail: 'Only support sees the review queue of third-party requests.' },
    });
  }
  expect((await api.call('GET', '/support/third-party-requests')).status).toBe(401);
  const wrong = await api.call('GET', '/support/third-party-requests?state=PENDING', { token: support });
  expect(wrong).toMatchObject({ status: 400, body: { type: `${P}validation-failed` } });
  expect(JSON.stringify(wrong.body.errors)).toMatch(/REQUESTED/);
});

it('INT-1 support looks a ticket up by its id: what it asked, its channel, and the workflow it started', async () => {
  const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1, MEMBER: 1 });
  const consultant = await createUser(api.db, { firmName: 'Ledgerwise' });
  const ticketId = `HD-${uniqueSuffix()}`;
  const payload = {
    organizationId: org.id,
    thirdPartyName: 'Tia Ticket',
    firmName: 'Ledgerwise',
    email: consultant.email,
  };
  const submitted = await api.call('POST', '/support/tickets', {
    token: support,
    body: { ticketId, kind: 'tpu-request', payload },
  });
  expect(submitted.status).toBe(202);

  const found = await api.call('GET', `/support/tickets/${ticketId}`, { token: support });
  expect(found).toMatchObject({
    status: 200,
    body: {
      ticketId,
      kind: 'tpu-request',
      channel: 'http',
      status: 'DISPATCHED',
      workflowId: submitted.body.workflowId,
      payload,
    },
  });
  // The request it started waits in the queue like any other, marked as coming from a ticket.
  expect((await queue()).filter((i) => i.organizationId === org.id)).toEqual([
    expect.objectContaining({ state: 'REQUESTED', origin: 'SUPPORT_TICKET', thirdPartyName: 'Tia Ticket' }),
  ]);

  const unknown = await api.call('GET', `/support/tickets/HD-never-${uniqueSuffix()}`, { token: support });
  expect(unknown).toMatchObject({ status: 404, body: { type: `${P}not-found` } });
  expect(unknown.body.detail).toMatch(/No ticket HD-never-.* has reached the engine/);
  const byOrgAdmin = await api.call('GET', `/support/tickets/${ticketId}`, {
    token: await api.token(members.ORG_ADMIN[0].id),
  });
  expect(byOrgAdmin).toMatchObject({ status: 403, body: { detail: 'Only support agents look tickets up.' } });
});
