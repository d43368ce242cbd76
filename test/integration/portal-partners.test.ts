// PP-1 over HTTP on the real stack: the portal's list of partners (GET /portal/partners), with how
// many users each has and how many of those have not set a password yet. Portal admins only.
import { uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createUser } from '../support/world';

const P = 'https://partner-access.example/problems/';
let api: TestApi;
let worker: TestWorker;
let admin: string;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue });
  const a = await createUser(api.db);
  await api.db.portalAdmin.create({ data: { userId: a.id, role: 'OWNER' } });
  admin = await api.token(a.id);
});
afterAll(async () => {
  await api.close();
  await worker.stop();
});

it('PP-1 the partners list names every partner by name with its user counts', async () => {
  const s = uniqueSuffix();
  const add = async (name: string) => {
    const res = await api.call('POST', '/portal/partners', {
      token: admin,
      body: { name, email: `hello-${uniqueSuffix()}@partner.example` },
    });
    expect(res.status).toBe(201);
    return res.body as { partnerId: string; email: string };
  };
  const zeta = await add(`Zeta Resellers ${s}`);
  const alpha = await add(`Alpha Partners ${s}`);
  const added = await api.call('POST', `/portal/partners/${zeta.partnerId}/users`, {
    token: admin,
    body: {
      firstName: 'Dana',
      lastName: 'Reyes',
      email: `dana-${uniqueSuffix()}@zeta.example`,
      phone: '+1 415 555 0132',
    },
  });
  expect(added.status).toBe(201);

  const list = await api.call('GET', '/portal/partners', { token: admin });
  expect(list.status).toBe(200);
  const ours = (list.body.items as Array<{ name: string }>).filter((p) => p.name.endsWith(s));
  expect(ours).toEqual([
    {
      partnerId: alpha.partnerId,
      name: `Alpha Partners ${s}`,
      email: alpha.email,
      userCount: 0,
      invitedCount: 0,
      addedAt: expect.any(String),
    },
    {
      partnerId: zeta.partnerId,
      name: `Zeta Resellers ${s}`,
      email: zeta.email,
      userCount: 1,
      invitedCount: 1,
      addedAt: expect.any(String),
    },
  ]);
});

it('PP-1 only portal admins and owners see the partners list', async () => {
  const agent = await createUser(api.db);
  await api.db.supportAgent.create({ data: { userId: agent.id } });
  const nobody = await createUser(api.db);
  for (const id of [agent.id, nobody.id]) {
    const res = await api.call('GET', '/portal/partners', { token: await api.token(id) });
    expect(res).toMatchObject({
      status: 403,
      body: { type: `${P}forbidden`, detail: 'Only a portal admin or owner can do this.' },
    });
  }
  expect((await api.call('GET', '/portal/partners')).status).toBe(401);
});
