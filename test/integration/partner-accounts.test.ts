// PA-1, PA-2, PA-3 over HTTP on the real stack: each sentence of the article about a partner
// account and its customer accounts, as a partner would try it.
import { mailSink, uniqueSuffix } from '../support/services';
import { apiWithWorker } from '../support/api';
import { linkIn } from '../support/links';
import { createCustomerAccount, createPartnerAccount, createUser } from '../support/world';
import { saveHistory } from '../support/histories';
import { accountStatusWorkflowId } from '../../workflows/account-status/messages';

const P = 'https://partner-access.example/problems/';
const running = apiWithWorker();
const api = () => running.api;

async function partnerWorld() {
  const { firm, staff } = await createPartnerAccount(api().db, ['ACCOUNT_OWNER', 'ACCOUNT_MANAGER', 'STAFF']);
  const [owner, manager, plain] = await Promise.all(staff.map((s) => api().token(s.id)));
  return { firm, staff, owner, manager, plain };
}

async function supportToken() {
  const agent = await createUser(api().db);
  await api().db.supportAgent.create({ data: { userId: agent.id } });
  return api().token(agent.id);
}

it(
  'PA-1 My Account: user count, licensed products, expiration and the licence summary; its ' +
    'own seats need the Account Manager role',
  async () => {
    const w = await partnerWorld();
    const day = 86400_000;
    const demo = await api().db.licence.create({
      data: {
        partnerFirmId: w.firm.id,
        solution: 'Bizview',
        type: 'NOT_FOR_RESALE',
        seats: 2,
        contractStart: new Date(Date.now() - 10 * day),
        contractExpiry: new Date(Date.now() + 20 * day),
      },
    });
    await api().db.licence.create({
      data: {
        partnerFirmId: w.firm.id,
        solution: 'Spreadsheet Server',
        type: 'NOT_FOR_RESALE',
        seats: 1,
        contractStart: new Date(Date.now() - 10 * day),
        contractExpiry: new Date(Date.now() + 90 * day),
      },
    });

    const mine = await api().call('GET', `/partner-accounts/${w.firm.id}`, { token: w.plain });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      partnerAccountId: w.firm.id,
      userCount: 3,
      licensedProducts: ['Bizview', 'Spreadsheet Server'],
      expiresAt: demo.contractExpiry.toISOString(),
    });
    expect(mine.body.licences[0]).toMatchObject({
      solution: 'Bizview',
      type: 'NOT_FOR_RESALE',
      seats: 2,
      seatsUsed: 0,
    });

    // Managing the partner account's own users (its seats) needs its Account Manager role.
    const plainTries = await api().call('POST', `/licences/${demo.id}/assignments`, {
      token: w.plain,
      body: { userId: w.staff[2].id },
    });
    expect(plainTries.status).toBe(403);
    const byManager = await api().call('POST', `/licences/${demo.id}/assignments`, {
      token: w.manager,
      body: { userId: w.staff[2].id },
    });
    expect(byManager.status).toBe(201);
    expect(byManager.body.licence).toMatchObject({ seatsUsed: 1, seatsFree: 1 });
    // Its own training space never touches a customer's: a customer's user gets no partner seat.
    const customer = await createCustomerAccount(api().db, w.firm.id);
    const outsider = await api().call('POST', `/licences/${demo.id}/assignments`, {
      token: w.manager,
      body: { userId: customer.members.MEMBER[0].id },
    });
    expect(outsider.status).toBe(422);
  },
);

it(
  'PA-2 the Accounts list: every combination of the solution and status filters, pages in ' + 'a stable order',
  async () => {
    const w = await partnerWorld();
    const db = api().db;
    const made = [
      await createCustomerAccount(db, w.firm.id, { licences: [{ solution: 'Bizview', seats: 3, renewsInDays: 20 }] }),
      await createCustomerAccount(db, w.firm.id, {
        licences: [
          { solution: 'Bizview', seats: 3, renewsInDays: 100 },
          { solution: 'Jet Reports', seats: 3, renewsInDays: 50 },
        ],
      }),
      await createCustomerAccount(db, w.firm.id, { licences: [{ solution: 'Jet Reports', seats: 1 }] }),
      await createCustomerAccount(db, w.firm.id, { licences: [] }),
    ];
    await db.organization.update({ where: { id: made[1].org.id }, data: { status: 'SUSPENDED' } });
    await db.organization.update({ where: { id: made[2].org.id }, data: { status: 'SUSPENDED' } });
    // Another partner's customer never shows.
    const elsewhere = await createPartnerAccount(db);
    await createCustomerAccount(db, elsewhere.firm.id);

    const world = made.map((m, i) => ({
      id: m.org.id,
      name: m.org.name,
      status: i === 1 || i === 2 ? 'SUSPENDED' : 'ACTIVE',
      solutions: m.licences.map((l) => l.solution),
    }));
    const sorted = [...world].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
    for (const solution of [undefined, 'Bizview', 'Jet Reports', 'Nothing Like It']) {
      for (const status of [undefined, 'ACTIVE', 'SUSPENDED']) {
        const expected = sorted
          .filter((a) => (!solution || a.solutions.includes(solution)) && (!status || a.status === status))
          .map((a) => a.id);
        const q = new URLSearchParams({ ...(solution ? { solution } : {}), ...(status ? { status } : {}) });
        const got = await api().call('GET', `/partner-accounts/${w.firm.id}/customers?${q}`, { token: w.plain });
        expect(got.status).toBe(200);
        expect({
          solution,
          status,
          ids: got.body.items.map((r: { organizationId: string }) => r.organizationId),
        }).toEqual({ solution, status, ids: expected });
      }
    }

    // A row says what the article lists: name, users, products, status, next renewal.
    const all = await api().call('GET', `/partner-accounts/${w.firm.id}/customers`, { token: w.plain });
    const second = all.body.items.find((r: { organizationId: string }) => r.organizationId === made[1].org.id);
    expect(second).toEqual({
      organizationId: made[1].org.id,
      name: made[1].org.name,
      totalUsers: 2,
      licensedProducts: ['Bizview', 'Jet Reports'],
      status: 'SUSPENDED',
      nextRenewal: made[1].licences[1].nextRenewal!.toISOString(),
      accessModel: 'AUTOMATIC',
    });

    // One at a time: every account once, in the same order, then no cursor.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = new URLSearchParams({ limit: '1', ...(cursor ? { cursor } : {}) }).toString();
      const page = await api().call('GET', `/partner-accounts/${w.firm.id}/customers?${q}`, { token: w.plain });
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      paged.push(...page.body.items.map((r: { organizationId: string }) => r.organizationId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(sorted.map((a) => a.id));

    const forged = await api().call('GET', `/partner-accounts/${w.firm.id}/customers?cursor=bm90LWEtY3Vyc29y`, {
      token: w.plain,
    });
    expect(forged.status).toBe(422);
    expect(
      (await api().call('GET', `/partner-accounts/${w.firm.id}/customers?status=GONE`, { token: w.plain })).status,
    ).toBe(400);
  },
);

it(
  "PA-2 export an account's details as JSON and as CSV, each a download that parses back " + 'to the same details',
  async () => {
    const w = await partnerWorld();
    const customer = await createCustomerAccount(api().db, w.firm.id, {
      licences: [
        { solution: 'Bizview', seats: 4 },
        { solution: '=Formula, "quoted"', seats: 2 },
      ],
    });
    const json = await api().call('GET', `/customer-accounts/${customer.org.id}/export?format=json`, {
      token: w.plain,
    });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.headers.get('content-disposition')).toBe(
      `attachment; filename="${customer.org.name} details.json"; ` +
        `filename*=UTF-8''${encodeURIComponent(`${customer.org.name} details.json`)}`,
    );
    expect(json.body.account).toMatchObject({ organizationId: customer.org.id, totalUsers: 2, status: 'ACTIVE' });
    expect(json.body.licences.map((l: { solution: string }) => l.solution).sort()).toEqual([
      '=Formula, "quoted"',
      'Bizview',
    ]);

    const csv = await api().call('GET', `/customer-accounts/${customer.org.id}/export?format=csv`, {
      token: w.plain,
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename=".* details\.csv"/);
    const rows = parseCsv(csv.body as string);
    expect(rows[0]).toEqual([
      'account',
      'organizationId',
      'status',
      'accessModel',
      'totalUsers',
      'solution',
      'licenceType',
      'seats',
      'seatsUsed',
      'contractStart',
      'contractExpiry',
      'nextRenewal',
    ]);
    const lines = rows.slice(1).map((r) => Object.fromEntries(rows[0].map((k, i) => [k, r[i]])));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      const licence = json.body.licences.find(
        (l: { solution: string }) => `'${l.solution}` === line.solution || l.solution === line.solution,
      );
      expect(line).toMatchObject({
        account: customer.org.name,
        organizationId: customer.org.id,
        status: 'ACTIVE',
        totalUsers: '2',
        seats: String(licence.seats),
        contractExpiry: licence.contractExpiry,
      });
    }
    // A cell a spreadsheet would run as a formula is defused.
    expect(lines.map((l) => l.solution)).toContain(`'=Formula, "quoted"`);

    // Another partner's users may not export it.
    const other = await partnerWorld();
    expect(
      (await api().call('GET', `/customer-accounts/${customer.org.id}/export`, { token: other.plain })).status,
    ).toBe(403);
  },
);

it(
  'PA-2 suspend takes effect at once: its users are refused naming the suspension, the ' +
    'partner and support still get in; reactivate restores exactly what it stopped',
  async () => {
    const w = await partnerWorld();
    const customer = await createCustomerAccount(api().db, w.firm.id, { people: { ORG_ADMIN: 1, MEMBER: 2 } });
    const [active, deactivated] = customer.members.MEMBER;
    const memberToken = await api().token(active.id);
    const adminToken = await api().token(customer.members.ORG_ADMIN[0].id);
    const support = await supportToken();
    const reason = { reason: 'Invoice 1042 unpaid for 90 days' };
    // Deactivated before the suspension: reactivation must not bring them back.
    expect(
      (
        await api().call('POST', `/customer-accounts/${customer.org.id}/users/${deactivated.id}/deactivate`, {
          token: w.plain,
        })
      ).status,
    ).toBe(200);
    const deactivatedToken = await api().token(deactivated.id);
    expect((await api().call('GET', `/organizations/${customer.org.id}`, { token: memberToken })).status).toBe(200);

    // Its own users cannot suspend it; its partner can.
    expect(
      (await api().call('POST', `/customer-accounts/${customer.org.id}/suspend`, { token: adminToken, body: reason }))
        .status,
    ).toBe(403);
    const suspended = await api().call('POST', `/customer-accounts/${customer.org.id}/suspend`, {
      token: w.plain,
      body: reason,
    });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toEqual({
      organizationId: customer.org.id,
      status: 'SUSPENDED',
      reason: reason.reason,
      changed: true,
    });

    for (const token of [memberToken, adminToken]) {
      const refused = await api().call('GET', `/organizations/${customer.org.id}`, { token });
      expect(refused.status).toBe(403);
      expect(refused.body.type).toBe(`${P}account-suspended`);
      expect(refused.body.detail).toMatch(/suspended/);
    }
    expect(
      (await api().call('GET', `/customer-accounts/${customer.org.id}/licences`, { token: w.plain })).status,
    ).toBe(200);
    expect(
      (await api().call('GET', `/customer-accounts/${customer.org.id}/licences`, { token: support })).status,
    ).toBe(200);
    const again = await api().call('POST', `/customer-accounts/${customer.org.id}/suspend`, {
      token: support,
      body: reason,
    });
    expect(again.body.changed).toBe(false);

    const reactivated = await api().call('POST', `/customer-accounts/${customer.org.id}/reactivate`, {
      token: support,
      body: { reason: 'Paid in full' },
    });
    expect(reactivated.body).toMatchObject({ status: 'ACTIVE', changed: true });
    expect((await api().call('GET', `/organizations/${customer.org.id}`, { token: memberToken })).status).toBe(200);
    expect((await api().call('GET', `/organizations/${customer.org.id}`, { token: adminToken })).status).toBe(200);
    expect((await api().call('GET', `/organizations/${customer.org.id}`, { token: deactivatedToken })).status).toBe(
      403,
    );

    // Audited, and an event each.
    const audit = await api().db.auditEntry.findMany({
      where: { subjectId: customer.org.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(audit.map((a) => a.action)).toEqual(['customer-account.suspend', 'customer-account.reactivate']);
    const events = await api().db.outboxEvent.findMany({
      where: { aggregateId: customer.org.id },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((e) => e.type)).toEqual([
      'partneraccess.customer-account.user-changed.v1',
      'partneraccess.customer-account.suspended.v1',
      'partneraccess.customer-account.reactivated.v1',
    ]);
    await saveHistory(
      'account-status',
      running.api.temporal.workflow.getHandle(accountStatusWorkflowId(customer.org.id)),
    );
  },
);

it(
  "PA-3 a partner user without the Account Manager role creates a customer's user by " +
    'invitation, assigns and unassigns licences, edits, deactivates, reactivates and removes ' +
    'them',
  async () => {
    const w = await partnerWorld();
    const customer = await createCustomerAccount(api().db, w.firm.id, {
      licences: [{ solution: 'Bizview', seats: 2 }],
    });
    const [licence] = customer.licences;
    const email = `new-user-${uniqueSuffix()}@customer.example`;
    const created = await api().call('POST', `/customer-accounts/${customer.org.id}/users`, {
      token: w.plain,
      body: { firstName: 'Nora', lastName: 'New', email },
    });
    expect(created.status).toBe(201);
    expect(created.body.invitation).toMatchObject({ kind: 'CUSTOMER_USER', state: 'PENDING' });
    const link = linkIn((await mailSink.waitFor(email, /Your account at/)).text);
    const accepted = await api().call('POST', `/invitations/${link.id}/accept`, {
      body: { token: link.token, password: 'a long enough password' },
    });
    expect(accepted.status).toBe(200);
    const userId = accepted.body.userId as string;
    const membership = await api().db.membership.findUniqueOrThrow({
      where: { userId_organizationId: { userId, organizationId: customer.org.id } },
    });
    // The customer's own user, with who created it on record (AM-1).
    expect(membership).toMatchObject({ source: 'OWN', role: 'MEMBER', grantedById: w.staff[2].id });

    const assign = await api().call('POST', `/licences/${licence.id}/assignments`, {
      token: w.plain,
      body: { userId },
    });
    expect(assign.status).toBe(201);
    expect(
      (await api().call('POST', `/licences/${licence.id}/assignments`, { token: w.plain, body: { userId } })).status,
    ).toBe(200);
    const list = await api().call('GET', `/customer-accounts/${customer.org.id}/users`, { token: w.plain });
    expect(list.body.items).toContainEqual(
      expect.objectContaining({ userId, displayName: 'Nora New', status: 'ACTIVE', licences: ['Bizview'] }),
    );

    const base = `/customer-accounts/${customer.org.id}/users/${userId}`;
    expect((await api().call('PATCH', base, { token: w.plain, body: { displayName: 'Nora Newer' } })).status).toBe(
      200,
    );
    const heldToken = await api().token(userId);
    expect((await api().call('POST', `${base}/deactivate`, { token: w.plain })).status).toBe(200);
    // Issue 12: the deactivation ended the token they held; signed in again, this account still refuses them.
    expect((await api().call('GET', `/organizations/${customer.org.id}`, { token: heldToken })).status).toBe(401);
    const userToken = await api().token(userId);
    expect((await api().call('GET', `/organizations/${customer.org.id}`, { token: userToken })).status).toBe(403);
    expect((await api().call('POST', `${base}/reactivate`, { token: w.plain })).status).toBe(200);
    expect((await api().call('GET', `/organizations/${customer.org.id}`, { token: userToken })).status).toBe(200);

    // The customer's org admins are its own: a partner does not deactivate one.
    const admin = customer.members.ORG_ADMIN[0].id;
    const onAdmin = await api().call('POST', `/customer-accounts/${customer.org.id}/users/${admin}/deactivate`, {
      token: w.plain,
    });
    expect(onAdmin.status).toBe(403);

    const removed = await api().call('DELETE', base, { token: w.plain });
    expect(removed.status).toBe(200);
    expect(await api().db.licence.findUniqueOrThrow({ where: { id: licence.id } })).toMatchObject({ seatsUsed: 0 });
    expect((await api().call('GET', `/organizations/${customer.org.id}`, { token: userToken })).status).toBe(403);
    const changes = await api().db.outboxEvent.findMany({
      where: { aggregateId: customer.org.id, type: 'partneraccess.customer-account.user-changed.v1' },
      orderBy: { sequence: 'asc' },
    });
    expect(changes.map((e) => (e.data as { change: string }).change)).toEqual([
      'edited',
      'deactivated',
      'reactivated',
      'removed',
    ]);

    // Under the invite-guest model the same partner user manages nothing there.
    const guarded = await createCustomerAccount(api().db, w.firm.id, { accessModel: 'INVITE_GUEST' });
    const refused = await api().call('GET', `/customer-accounts/${guarded.org.id}/users`, { token: w.plain });
    expect(refused.status).toBe(403);
  },
);

it(
  'PA-3 seat limits hold under 20 parallel assignments: exactly the free seats are given, ' +
    'every other answer is 409 with the numbers',
  async () => {
    const w = await partnerWorld();
    const customer = await createCustomerAccount(api().db, w.firm.id, {
      people: { ORG_ADMIN: 1, MEMBER: 20 },
      licences: [{ solution: 'Bizview', seats: 5 }],
    });
    const [licence] = customer.licences;
    const answers = await Promise.all(
      customer.members.MEMBER.map((m) =>
        api().call('POST', `/licences/${licence.id}/assignments`, { token: w.plain, body: { userId: m.id } }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(5).fill(201), ...Array(15).fill(409)]);
    for (const full of answers.filter((a) => a.status === 409)) {
      expect(full.body).toMatchObject({ type: `${P}seats-full`, seats: 5, seatsUsed: 5, solution: 'Bizview' });
    }
    expect(await api().db.licence.findUniqueOrThrow({ where: { id: licence.id } })).toMatchObject({ seatsUsed: 5 });
    expect(await api().db.licenceAssignment.count({ where: { licenceId: licence.id } })).toBe(5);
  },
);

/** RFC 4180, enough for the export: quoted cells with doubled quotes, commas and CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

it(
  "AM-4 PA-4 the customer's access ledger shows the partner account's users and why, under " +
    'the automatic model only; they are not revoked one by one',
  async () => {
    const w = await partnerWorld();
    const automatic = await createCustomerAccount(api().db, w.firm.id);
    const guarded = await createCustomerAccount(api().db, w.firm.id, { accessModel: 'INVITE_GUEST' });
    const ledgerOf = async (c: typeof automatic) =>
      api().call('GET', `/organizations/${c.org.id}/access-ledger`, {
        token: await api().token(c.members.ORG_ADMIN[0].id),
      });
    const shown = (await ledgerOf(automatic)).body.items.filter(
      (e: { source: string }) => e.source === 'PARTNER_ACCOUNT',
    );
    expect(shown.map((e: { userId: string }) => e.userId).sort()).toEqual(w.staff.map((s) => s.id).sort());
    expect(shown[0]).toMatchObject({
      level: 'USER_MANAGEMENT',
      partnerFirm: { partnerFirmId: w.firm.id },
      revocable: false,
      why: expect.stringMatching(/automatic access model/),
    });
    const revoke = await api().call('POST', `/organizations/${automatic.org.id}/access-ledger/revocations`, {
      token: await api().token(automatic.members.ORG_ADMIN[0].id),
      body: { grantId: shown[0].grantId, reason: 'not them' },
    });
    expect(revoke.status).toBe(422);
    expect(revoke.body.detail).toMatch(/ask support/);
    const none = (await ledgerOf(guarded)).body.items.filter(
      (e: { source: string }) => e.source === 'PARTNER_ACCOUNT',
    );
    expect(none).toEqual([]);
  },
);
