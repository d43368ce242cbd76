// BP-5 BP-6 over HTTP on the real stack: the inviter sets a partner's rights and blocks or unblocks
// their company; one of the company's own admins takes full control of it, confirmed by its name,
// and from then on the inviter is refused (403 partner-in-control) everything they could do, while
// the company's admins manage its people. Nothing hands control back: not the API, not SQL.
import { uniqueSuffix } from '../support/services';
import { apiWithWorker } from '../support/api';
import { createOrganization, createUser } from '../support/world';

const P = 'https://partner-access.example/problems/';
const running = apiWithWorker();

interface Person {
  id: string;
  email: string;
}
const named = (firstName: string, p: Person) => ({ firstName, lastName: 'Partner', email: p.email });
const confirm = (name: string) => ({ confirmName: name, irreversible: true });
const call = (method: string, path: string, token: string, body?: unknown) =>
  running.api.call(method, path, { token, body });
const tokenOf = async (user: Person) => running.api.token(user.id);

/**
 * An employee's partner company with two connected people (they already have accounts, BP-2): Ada,
 * whom the inviter gives ADMIN rights (BP-5), and Mel, a MEMBER.
 */
async function partnerCompany() {
  const { api } = running;
  const { org, members } = await createOrganization(api.db, { MEMBER: 1 });
  const [ada, mel] = [await createUser(api.db), await createUser(api.db)];
  const name = `Partner Co ${uniqueSuffix()}`;
  const inviter = await tokenOf(members.MEMBER[0]);
  const people = [named('Ada', ada), named('Mel', mel)];
  const body = { companyName: name, people };
  const added = await call('POST', `/organizations/${org.id}/business-partners`, inviter, body);
  expect(added.status).toBe(201);
  const companyId: string = added.body.company.companyId;
  const partnerId = (p: Person): string =>
    added.body.company.people.find((x: { email: string }) => x.email === p.email).businessPartnerId;
  expect((await call('PATCH', `/business-partners/${partnerId(ada)}`, inviter, { rights: 'ADMIN' })).status).toBe(
    200,
  );
  return {
    org,
    name,
    companyId,
    inviter,
    inviterId: members.MEMBER[0].id,
    ada: { ...ada, partnerId: partnerId(ada), token: await tokenOf(ada) },
    mel: { ...mel, partnerId: partnerId(mel), token: await tokenOf(mel) },
    /** The company's own paths. */
    at: (suffix = '') => `/business-partner-companies/${companyId}${suffix}`,
  };
}

/** Everything a refused request could have changed: the rows, their events, the audit trail. */
async function stateOf(companyId: string) {
  const { db } = running.api;
  const company = await db.businessPartnerCompany.findUnique({
    where: { id: companyId },
    include: { people: { orderBy: { createdAt: 'asc' } } },
  });
  const aggregates = [companyId, ...(company?.people.map((p) => p.id) ?? [])];
  return {
    company,
    events: await db.outboxEvent.findMany({ where: { aggregateId: { in: aggregates } }, select: { id: true } }),
    audit: await db.auditEntry.findMany({ where: { subjectId: companyId }, select: { id: true } }),
  };
}

it("BP-5 the inviter sets a partner's rights; the answers show rights, block and control", async () => {
  const { api } = running;
  const c = await partnerCompany();
  const list = await call('GET', '/business-partners', c.inviter);
  expect(list.body.companies).toEqual([
    expect.objectContaining({
      companyId: c.companyId,
      blocked: false,
      blockedAt: null,
      controlledByPartner: false,
      controlledAt: null,
      people: [
        expect.objectContaining({ businessPartnerId: c.ada.partnerId, rights: 'ADMIN' }),
        expect.objectContaining({ businessPartnerId: c.mel.partnerId, rights: 'MEMBER' }),
      ],
    }),
  ]);
  const edited = await api.db.outboxEvent.findMany({
    where: { aggregateId: c.ada.partnerId, type: 'partneraccess.business-partner.edited.v1' },
  });
  expect(edited.map((e) => e.data)).toEqual([
    {
      businessPartnerId: c.ada.partnerId,
      companyId: c.companyId,
      fields: ['rights'],
      rights: 'ADMIN',
      actorUserId: c.inviterId,
    },
  ]);
  // The same value again is no edit: nothing recorded.
  await call('PATCH', `/business-partners/${c.ada.partnerId}`, c.inviter, { rights: 'ADMIN' });
  expect(await api.db.outboxEvent.count({ where: { aggregateId: c.ada.partnerId } })).toBe(2); // connected, edited
  const unknownRights = await call('PATCH', `/business-partners/${c.ada.partnerId}`, c.inviter, { rights: 'OWNER' });
  expect(unknownRights.status).toBe(400);
  // Their own company, as its people see it (the Organization tab).
  expect(await call('GET', '/me/business-partner-companies', c.mel.token)).toMatchObject({
    status: 200,
    body: { companies: [{ companyId: c.companyId, name: c.name }] },
  });
});

it('BP-6 a wrong typed confirmation answers 422, an unconfirmed body 400, and nothing changes', async () => {
  const c = await partnerCompany();
  const before = await stateOf(c.companyId);
  const control = (body: unknown) => call('POST', c.at('/control'), c.ada.token, body);
  expect(await control(confirm(c.name.toLowerCase()))).toMatchObject({
    status: 422,
    body: { type: `${P}unprocessable`, detail: expect.stringMatching(/cannot be undone.*exact name/) },
  });
  expect((await control({ confirmName: c.name })).status).toBe(400);
  expect((await control({ confirmName: c.name, irreversible: false })).status).toBe(400);
  expect((await control({ ...confirm(c.name), controlledById: c.inviterId })).status).toBe(400);
  expect(await stateOf(c.companyId)).toEqual(before);
});

it('BP-6 a MEMBER partner and the inviter are refused control (403); anyone else finds nothing (404)', async () => {
  const { api } = running;
  const c = await partnerCompany();
  const before = await stateOf(c.companyId);
  const control = (token: string) => call('POST', c.at('/control'), token, confirm(c.name));
  expect(await control(c.mel.token)).toMatchObject({
    status: 403,
    body: { type: `${P}forbidden`, detail: expect.stringMatching(/ADMIN rights/) },
  });
  expect((await control(c.inviter)).status).toBe(403);
  expect((await control(await tokenOf(await createUser(api.db)))).status).toBe(404);
  expect(await stateOf(c.companyId)).toEqual(before);
});

it('BP-6 an ADMIN takes full control: one event and one audit entry; the inviter still sees the company', async () => {
  const { api } = running;
  const c = await partnerCompany();
  const taken = await call('POST', c.at('/control'), c.ada.token, confirm(c.name));
  expect(taken).toMatchObject({
    status: 200,
    body: { companyId: c.companyId, controlledByPartner: true, blocked: false },
  });
  const row = await api.db.businessPartnerCompany.findUniqueOrThrow({ where: { id: c.companyId } });
  expect(row).toMatchObject({ controlledById: c.ada.id, controlledAt: new Date(taken.body.controlledAt) });

  const events = await api.db.outboxEvent.findMany({
    where: { aggregateId: c.companyId, type: 'partneraccess.business-partner.company-control-taken.v1' },
  });
  expect(events).toHaveLength(1);
  const audit = await api.db.auditEntry.findMany({ where: { subjectId: c.companyId } });
  expect(audit).toEqual([
    expect.objectContaining({
      actorId: c.ada.id,
      action: 'business-partner-company.control-taken',
      detail: expect.objectContaining({ businessPartnerId: c.ada.partnerId, ownerUserId: c.inviterId }),
    }),
  ]);
  expect(events[0].data).toEqual({
    companyId: c.companyId,
    organizationId: c.org.id,
    ownerUserId: c.inviterId,
    businessPartnerId: c.ada.partnerId,
    controlledById: c.ada.id,
    controlledAt: taken.body.controlledAt,
    auditEntryId: audit[0].id,
  });

  // The inviter still sees the company on their list, now in its own control; so do its people.
  const controlled = { companyId: c.companyId, controlledByPartner: true, controlledAt: taken.body.controlledAt };
  const list = await call('GET', '/business-partners', c.inviter);
  expect(list.body.companies).toEqual([expect.objectContaining(controlled)]);
  const mine = await call('GET', '/me/business-partner-companies', c.mel.token);
  expect(mine.body.companies).toEqual([expect.objectContaining(controlled)]);
});

it('BP-6 after control the inviter gets 403 partner-in-control on each of their powers; nothing changes', async () => {
  const { api } = running;
  const c = await partnerCompany();
  expect((await call('POST', c.at('/control'), c.ada.token, confirm(c.name))).status).toBe(200);
  const before = await stateOf(c.companyId);
  const newcomer = await createUser(api.db);
  const attempts: Array<[string, string, unknown?]> = [
    ['PATCH', `/business-partners/${c.mel.partnerId}`, { title: 'Buyer' }],
    ['PATCH', `/business-partners/${c.ada.partnerId}`, { rights: 'MEMBER' }],
    ['POST', c.at('/block')],
    ['POST', c.at('/unblock')],
    ['POST', c.at('/people'), { people: [named('Nia', newcomer)] }],
    ['DELETE', c.at(), { confirmName: c.name }],
  ];
  for (const [method, path, body] of attempts) {
    const res = await call(method, path, c.inviter, body);
    expect({ method, path, status: res.status, type: res.body.type, detail: res.body.detail }).toEqual({
      method,
      path,
      status: 403,
      type: `${P}partner-in-control`,
      detail: expect.stringMatching(/took full control.*no longer edit its people, block it, add people to it/),
    });
  }
  expect(await stateOf(c.companyId)).toEqual(before);
});

it("BP-6 full control: the company's admins edit its people and add people; it keeps an admin", async () => {
  const { api } = running;
  const c = await partnerCompany();
  expect((await call('POST', c.at('/control'), c.ada.token, confirm(c.name))).status).toBe(200);
  const edited = await call('PATCH', `/business-partners/${c.mel.partnerId}`, c.ada.token, { title: 'Buyer' });
  const mel = { businessPartnerId: c.mel.partnerId, title: 'Buyer' };
  expect(edited.body.people).toContainEqual(expect.objectContaining(mel));
  const invited = { firstName: 'Ines', lastName: 'Vited', email: `ines-${uniqueSuffix()}@partner.example` };
  const added = await call('POST', c.at('/people'), c.ada.token, {
    people: [named('Nia', await createUser(api.db)), invited],
  });
  expect(added).toMatchObject({ status: 200, body: { results: [{ outcome: 'connected' }, { outcome: 'invited' }] } });
  // Blocking and deleting were the inviter's, and control ended them; a MEMBER partner manages nobody.
  expect((await call('POST', c.at('/block'), c.ada.token)).status).toBe(404);
  expect((await call('DELETE', c.at(), c.ada.token, { confirmName: c.name })).status).toBe(404);
  expect((await call('PATCH', `/business-partners/${c.ada.partnerId}`, c.mel.token, { title: 'x' })).status).toBe(
    404,
  );

  // Its last connected admin stays one until another is made: someone must be able to act for it.
  const demote = () => call('PATCH', `/business-partners/${c.ada.partnerId}`, c.ada.token, { rights: 'MEMBER' });
  expect(await demote()).toMatchObject({
    status: 409,
    body: { type: `${P}conflict`, detail: expect.stringMatching(/last admin/) },
  });
  const promote = await call('PATCH', `/business-partners/${c.mel.partnerId}`, c.ada.token, { rights: 'ADMIN' });
  expect(promote.status).toBe(200);
  expect((await demote()).status).toBe(200);
  // Control belongs to the company, not to whoever took it: the inviter is still refused.
  const byInviter = await call('PATCH', `/business-partners/${c.mel.partnerId}`, c.inviter, { title: 'y' });
  expect(byInviter.body.type).toBe(`${P}partner-in-control`);
});

it('BP-6 nothing hands control back: again 409, a profile naming the control 400, SQL refused', async () => {
  const { api } = running;
  const c = await partnerCompany();
  const control = () => call('POST', c.at('/control'), c.ada.token, confirm(c.name));
  expect((await control()).status).toBe(200);
  const before = await stateOf(c.companyId);

  expect(await control()).toMatchObject({
    status: 409,
    body: { type: `${P}conflict`, detail: expect.stringMatching(/for good/) },
  });
  const handBack = [
    { controlled: false },
    { controlledAt: null },
    { controlledById: null, title: 'x' },
    { blocked: true },
  ];
  for (const body of handBack) {
    for (const token of [c.inviter, c.ada.token]) {
      const res = await call('PATCH', `/business-partners/${c.ada.partnerId}`, token, body);
      expect({ body, status: res.status, type: res.body.type }).toEqual({
        body,
        status: 400,
        type: `${P}validation-failed`,
      });
    }
  }
  const id = c.companyId;
  const refused = /23514|cannot be handed back/;
  await expect(
    api.db.$executeRaw`update "BusinessPartnerCompany" set "controlledAt" = null where id = ${id}::uuid`,
  ).rejects.toThrow(refused);
  const data = [{ controlledById: c.inviterId }, { controlledAt: null, controlledById: null }];
  for (const change of data) {
    await expect(api.db.businessPartnerCompany.update({ where: { id }, data: change })).rejects.toThrow(refused);
  }
  expect(await stateOf(c.companyId)).toEqual(before);
});

it("BP-5 block hides what was shared with the company's people (404); unblock gives it back", async () => {
  const { api } = running;
  const c = await partnerCompany();
  // Mel is also on a second company of the inviter's, which stays unblocked: Mel keeps the shares.
  const other = await call('POST', `/organizations/${c.org.id}/business-partners`, c.inviter, {
    companyName: `Other Co ${uniqueSuffix()}`,
    people: [named('Mel', c.mel)],
  });
  expect(other.status).toBe(201);
  const task = await call('POST', `/organizations/${c.org.id}/tasks`, c.inviter, { title: 'Supply plan' });
  const taskId: string = task.body.taskId;
  for (const businessPartnerId of [c.ada.partnerId, c.mel.partnerId]) {
    expect((await call('POST', `/tasks/${taskId}/grants`, c.inviter, { businessPartnerId })).status).toBe(201);
  }
  // The task itself, and the list of what is shared with them: the same decision either way.
  const sees = async () =>
    Promise.all(
      [c.ada, c.mel].map(async ({ token }) => {
        const status = (await call('GET', `/tasks/${taskId}`, token)).status;
        const listed = (await call('GET', '/me/tasks', token)).body.items.some(
          (t: { taskId: string }) => t.taskId === taskId,
        );
        expect(listed).toBe(status === 200);
        return status;
      }),
    );
  expect(await sees()).toEqual([200, 200]);

  const blocked = await call('POST', c.at('/block'), c.inviter);
  expect(blocked).toMatchObject({
    status: 200,
    body: { blocked: true, blockedAt: expect.any(String), controlledByPartner: false },
  });
  expect(await sees()).toEqual([404, 200]);
  expect(await call('POST', c.at('/block'), c.inviter)).toMatchObject({
    status: 409,
    body: { detail: expect.stringMatching(/already blocked/) },
  });
  // Blocked, its admin cannot take control: the block would then be one that nobody could lift.
  expect(await call('POST', c.at('/control'), c.ada.token, confirm(c.name))).toMatchObject({
    status: 409,
    body: { detail: expect.stringMatching(/blocked/) },
  });
  // Someone else's list: not found.
  const stranger = (await createOrganization(api.db, { MEMBER: 1 })).members.MEMBER[0];
  expect((await call('POST', c.at('/unblock'), await tokenOf(stranger))).status).toBe(404);

  const unblocked = await call('POST', c.at('/unblock'), c.inviter);
  expect(unblocked).toMatchObject({ status: 200, body: { blocked: false, blockedAt: null } });
  expect(await sees()).toEqual([200, 200]);
  expect((await call('POST', c.at('/unblock'), c.inviter)).status).toBe(409);

  // Each is an event and an audit entry, written together.
  const events = await api.db.outboxEvent.findMany({
    where: { aggregateId: c.companyId },
    orderBy: { sequence: 'asc' },
  });
  expect(events.map((e) => e.type)).toEqual([
    'partneraccess.business-partner.company-blocked.v1',
    'partneraccess.business-partner.company-unblocked.v1',
  ]);
  const audit = await api.db.auditEntry.findMany({
    where: { subjectId: c.companyId },
    orderBy: { createdAt: 'asc' },
  });
  expect(audit.map((a) => [a.action, a.actorId])).toEqual([
    ['business-partner-company.blocked', c.inviterId],
    ['business-partner-company.unblocked', c.inviterId],
  ]);
  expect(events.map((e) => (e.data as { auditEntryId: string }).auditEntryId)).toEqual(audit.map((a) => a.id));
});
