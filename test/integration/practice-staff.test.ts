// PS-1..PS-6 over HTTP on the real stack: who may do what (the exact matrix), the article's stories
// (add, reinvite, change role, remove, organization access, offboarding, certificate), and invalid
// replacements refused before anything changes.
import { mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createClientRelationship, createOrganization, createUser } from '../support/world';
import { linkIn, waitForEmails } from '../support/links';
import { waitUntil } from '../support/kafka';
import { readPdf } from '../support/pdf';
import { CERTIFICATION_PROGRAM } from '../../domain/certificate';
import { saveHistory } from '../support/histories';

const P = 'https://partner-access.example/problems/';
let api: TestApi;
let worker: TestWorker;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({
    taskQueue: worker.taskQueue,
    invitationTimings: { PRACTICE_STAFF: { resendMinIntervalSeconds: 0 } },
  });
});
afterAll(async () => {
  await api.close();
  await worker.stop();
});

const ROLES = ['ACCOUNT_OWNER', 'ACCOUNT_MANAGER', 'USER_MANAGER', 'STAFF'] as const;

/** A partner firm with one person per role, more staff to act on, and two client organizations. */
async function practice() {
  const firm = await api.db.partnerFirm.create({ data: { name: `Practice ${uniqueSuffix()}` } });
  const staff = async (role: (typeof ROLES)[number], name: string = role) => {
    const u = await api.db.user.create({
      data: { email: `${name.toLowerCase()}-${uniqueSuffix()}@practice.example`, displayName: `${name} Person` },
    });
    await api.db.practiceStaffMember.create({ data: { userId: u.id, partnerFirmId: firm.id, role } });
    return { ...u, token: await api.token(u.id) };
  };
  const by = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, await staff(r)] as const))) as Record<
    (typeof ROLES)[number],
    Awaited<ReturnType<typeof staff>>
  >;
  const clients = await Promise.all([1, 2].map(() => createOrganization(api.db, { ORG_ADMIN: 1 })));
  for (const c of clients) await createClientRelationship(api.db, firm.id, c.org.id);
  return { firm, by, staff, clients: clients.map((c) => c.org) };
}

/** A membership the firm delegated under its relationship with the organization (AM-1). */
async function delegate(
  partnerFirmId: string,
  userId: string,
  organizationId: string,
  role: 'ORG_ADMIN' | 'PRODUCT_ADMIN' | 'MEMBER',
) {
  const relationship = await api.db.clientRelationship.findFirstOrThrow({
    where: { partnerFirmId, organizationId, state: 'ACTIVE' },
  });
  return api.db.membership.create({
    data: { userId, organizationId, role, source: 'DELEGATION', clientRelationshipId: relationship.id },
  });
}

it(
  'PS-1 PS-3 every Practice Staff endpoint as every role: openers are Account Owners, ' +
    'Account Managers and User Managers; roles, removal and offboarding are the Account ' +
    'Owner’s',
  async () => {
    const outsider = await createUser(api.db);
    const outsiderToken = await api.token(outsider.id);
    type Caller = (typeof ROLES)[number] | 'OUTSIDER';
    const open = {
      ACCOUNT_OWNER: 'ok',
      ACCOUNT_MANAGER: 'ok',
      USER_MANAGER: 'ok',
      STAFF: 403,
      OUTSIDER: 403,
    } as const;
    const ownerOnly = {
      ACCOUNT_OWNER: 'ok',
      ACCOUNT_MANAGER: 403,
      USER_MANAGER: 403,
      STAFF: 403,
      OUTSIDER: 403,
    } as const;
    const endpoints: Array<{
      name: string;
      expect: Record<Caller, 'ok' | 403>;
      call: (w: Awaited<ReturnType<typeof practice>>, token: string) => Promise<{ status: number }>;
    }> = [
      {
        name: 'list staff',
        expect: open,
        call: (w, t) => api.call('GET', `/partner-firms/${w.firm.id}/staff`, { token: t }),
      },
      {
        name: 'invite staff',
        expect: open,
        call: (w, t) =>
          api.call('POST', `/partner-firms/${w.firm.id}/staff/invitations`, {
            token: t,
            body: { firstName: 'New', lastName: 'Hire', email: `new-${uniqueSuffix()}@practice.example` },
          }),
      },
      {
        name: 'list clients',
        expect: open,
        call: (w, t) => api.call('GET', `/partner-firms/${w.firm.id}/clients`, { token: t }),
      },
      {
        name: 'see organization access',
        expect: open,
        call: (w, t) =>
          api.call('GET', `/partner-firms/${w.firm.id}/staff/${w.by.STAFF.id}/organization-access`, { token: t }),
      },
      {
        name: 'give organization access',
        expect: open,
        call: (w, t) =>
          api.call('POST', `/partner-firms/${w.firm.id}/staff/${w.by.STAFF.id}/organization-access`, {
            token: t,
            body: { organizations: [{ organizationId: w.clients[0].id, role: 'MEMBER' }] },
          }),
      },
      {
        name: 'certifications',
        expect: open,
        call: (w, t) => api.call('GET', `/partner-firms/${w.firm.id}/certifications`, { token: t }),
      },
      {
        name: 'invite to certification',
        expect: open,
        call: (w, t) =>
          api.call('POST', `/partner-firms/${w.firm.id}/certifications/invitations`, {
            token: t,
            body: { userIds: [w.by.STAFF.id] },
          }),
      },
      {
        name: 'download certificate',
        expect: open,
        call: async (w, t) => {
          await api.db.certification.upsert({
            where: { userId: w.by.USER_MANAGER.id },
            create: { userId: w.by.USER_MANAGER.id, program: CERTIFICATION_PROGRAM, certifiedAt: new Date() },
            update: {},
          });
          return api.call('GET', `/partner-firms/${w.firm.id}/staff/${w.by.USER_MANAGER.id}/certificate`, {
            token: t,
          });
        },
      },
      {
        name: 'change role',
        expect: ownerOnly,
        call: async (w, t) =>
          api.call('PUT', `/partner-firms/${w.firm.id}/staff/${(await w.staff('STAFF', 'target')).id}/role`, {
            token: t,
            body: { role: 'USER_MANAGER' },
          }),
      },
      {
        name: 'remove user',
        expect: ownerOnly,
        call: async (w, t) =>
          api.call('DELETE', `/partner-firms/${w.firm.id}/staff/${(await w.staff('STAFF', 'leaver')).id}`, {
            token: t,
          }),
      },
      {
        name: 'offboard user',
        expect: ownerOnly,
        call: async (w, t) => {
          const leaving = await w.staff('STAFF', 'offboarded');
          return api.call('POST', `/partner-firms/${w.firm.id}/offboardings`, {
            token: t,
            body: { userId: leaving.id, replacementUserId: w.by.STAFF.id },
          });
        },
      },
    ];
    const seen: Record<string, Record<Caller, number>> = {};
    const expected: Record<string, Record<Caller, 'ok' | 403>> = {};
    for (const caller of [...ROLES, 'OUTSIDER'] as Caller[]) {
      const w = await practice(); // a fresh firm per caller, so each call finds the state it needs
      for (const e of endpoints) {
        const res = await e.call(w, caller === 'OUTSIDER' ? outsiderToken : w.by[caller].token);
        (seen[e.name] ??= {} as Record<Caller, number>)[caller] = res.status;
        (expected[e.name] ??= {} as Record<Caller, 'ok' | 403>)[caller] = e.expect[caller];
      }
    }
    const asOutcome = (status: number) => (status >= 200 && status < 300 ? 'ok' : status);
    expect(
      Object.fromEntries(
        Object.entries(seen).map(([k, v]) => [
          k,
          Object.fromEntries(Object.entries(v).map(([c, s]) => [c, asOutcome(s)])),
        ]),
      ),
    ).toEqual(expected);
  },
);

it(
  "PS-2 PS-3 the article's stories: add a user, reinvite, they accept; the Account Owner " +
    'changes the role, then removes someone',
  async () => {
    const w = await practice();
    const base = `/partner-firms/${w.firm.id}/staff`;
    const email = `joiner-${uniqueSuffix()}@practice.example`;
    const invited = await api.call('POST', `${base}/invitations`, {
      token: w.by.USER_MANAGER.token,
      body: { firstName: 'Jo', lastName: 'Iner', email },
    });
    expect(invited.status).toBe(201);
    const id = invited.body.invitation.invitationId;
    const reinvited = await api.call('POST', `/invitations/${id}/resend`, { token: w.by.ACCOUNT_MANAGER.token });
    expect(reinvited).toMatchObject({ status: 200, body: { sendCount: 2 } });
    const [, second] = await waitForEmails(email, /Join the Practice Staff of/, 2);
    const link = linkIn(second.text);
    const accepted = await api.call('POST', `/invitations/${link.id}/accept`, {
      body: { token: link.token, password: 'joining the practice' },
    });
    expect(accepted.status).toBe(200);
    const joinerId = accepted.body.userId;
    expect((await api.call('GET', base, { token: w.by.ACCOUNT_OWNER.token })).body.items).toContainEqual(
      expect.objectContaining({ userId: joinerId, status: 'ACTIVE', role: 'STAFF' }),
    );
    // Once answered, it cannot be reinvited.
    expect((await api.call('POST', `/invitations/${id}/resend`, { token: w.by.ACCOUNT_OWNER.token })).status).toBe(
      409,
    );

    const promoted = await api.call('PUT', `${base}/${joinerId}/role`, {
      token: w.by.ACCOUNT_OWNER.token,
      body: { role: 'USER_MANAGER' },
    });
    expect(promoted).toMatchObject({ status: 200, body: { role: 'USER_MANAGER' } });
    expect(
      (
        await api.call('PUT', `${base}/${w.by.ACCOUNT_OWNER.id}/role`, {
          token: w.by.ACCOUNT_OWNER.token,
          body: { role: 'STAFF' },
        })
      ).status,
    ).toBe(409);
    expect((await api.call('DELETE', `${base}/${joinerId}`, { token: w.by.ACCOUNT_OWNER.token })).status).toBe(204);
    expect(
      (await api.call('GET', base, { token: w.by.ACCOUNT_OWNER.token })).body.items.some(
        (i: { userId: string }) => i.userId === joinerId,
      ),
    ).toBe(false);
    const events = await api.db.outboxEvent.findMany({
      where: { aggregateId: `${w.firm.id}:${joinerId}` },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((e) => e.type)).toEqual([
      'partneraccess.practice.role-changed.v1',
      'partneraccess.practice.staff-removed.v1',
    ]);
  },
);

it(
  'PS-4 organization access: pick client organizations with a role each; each is an ' +
    'invitation the user accepts; the list shows pending, then active',
  async () => {
    const w = await practice();
    const user = w.by.STAFF;
    const base = `/partner-firms/${w.firm.id}/staff/${user.id}/organization-access`;
    const [a, b] = w.clients;
    const foreign = await createOrganization(api.db);
    expect(
      (
        await api.call('POST', base, {
          token: w.by.ACCOUNT_MANAGER.token,
          body: { organizations: [{ organizationId: foreign.org.id, role: 'MEMBER' }] },
        })
      ).status,
    ).toBe(422);
    const given = await api.call('POST', base, {
      token: w.by.ACCOUNT_MANAGER.token,
      body: {
        organizations: [
          { organizationId: a.id, role: 'PRODUCT_ADMIN' },
          { organizationId: b.id, role: 'MEMBER' },
        ],
      },
    });
    expect(given).toMatchObject({
      status: 201,
      body: {
        items: [
          expect.objectContaining({ kind: 'ORGANIZATION_ACCESS', state: 'PENDING' }),
          expect.objectContaining({ state: 'PENDING' }),
        ],
      },
    });
    expect(
      (await api.call('GET', base, { token: w.by.USER_MANAGER.token })).body.items.map(
        (i: { status: string }) => i.status,
      ),
    ).toEqual(['PENDING', 'PENDING']);

    const mail = await mailSink.waitFor(user.email, new RegExp(`You are invited to work in ${a.name}`));
    const link = linkIn(mail.text);
    const accepted = await api.call('POST', `/invitations/${link.id}/accept`, {
      token: user.token,
      body: { token: link.token },
    });
    expect(accepted).toMatchObject({ status: 200, body: { userId: user.id } });
    const list = (await api.call('GET', base, { token: w.by.USER_MANAGER.token })).body.items;
    expect(list).toHaveLength(2);
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ organizationId: a.id, status: 'ACTIVE', role: 'PRODUCT_ADMIN' }),
        expect.objectContaining({ organizationId: b.id, status: 'PENDING', role: 'MEMBER' }),
      ]),
    );
    // The membership is real: effective access in the organization.
    expect(await api.call('GET', `/organizations/${a.id}`, { token: user.token })).toMatchObject({
      status: 200,
      body: { yourAccess: 'PRODUCT_ADMIN' },
    });
    expect((await api.call('GET', `/organizations/${b.id}`, { token: user.token })).status).toBe(403);
  },
);

it(
  'PS-5 AM-1 offboard with a replacement: every organization the firm delegated is handed ' +
    'over (assignments, role where lacking, within the ceiling), progress n of m, then off ' +
    'the Practice Staff; what the user holds of their own is untouched',
  async () => {
    const w = await practice();
    const leaving = await w.staff('STAFF', 'leaving');
    const replacement = w.by.STAFF;
    const more = await Promise.all([1, 2].map(async () => (await createOrganization(api.db)).org));
    const ceilings = ['ORG_ADMIN', 'ORG_ADMIN', 'PRODUCT_ADMIN'] as const;
    const clients = [...w.clients, more[0]];
    await createClientRelationship(api.db, w.firm.id, more[0].id, { roleCeiling: 'PRODUCT_ADMIN' });
    const held = ['ORG_ADMIN', 'MEMBER', 'PRODUCT_ADMIN'] as const;
    for (const [i, org] of clients.entries()) {
      await delegate(w.firm.id, leaving.id, org.id, held[i]);
      await api.db.assignment.createMany({
        data: [1, 2, 3].map((n) => ({ organizationId: org.id, title: `Task ${n}`, ownerUserId: leaving.id })),
      });
    }
    // Their own employer: not a client, not the firm's to hand over.
    const own = await api.db.membership.create({
      data: { userId: leaving.id, organizationId: more[1].id, role: 'ORG_ADMIN' },
    });
    await api.db.assignment.create({
      data: { organizationId: more[1].id, title: 'Own work', ownerUserId: leaving.id },
    });
    await delegate(w.firm.id, replacement.id, clients[1].id, 'PRODUCT_ADMIN'); // already there: keeps their own role
    const started = await api.call('POST', `/partner-firms/${w.firm.id}/offboardings`, {
      token: w.by.ACCOUNT_OWNER.token,
      body: { userId: leaving.id, replacementUserId: replacement.id },
    });
    expect(started).toMatchObject({ status: 202, body: { state: 'RUNNING', total: 3 } });
    const progressUrl = started.headers.get('location')!;
    await waitUntil(
      'completed',
      async () => (await api.call('GET', progressUrl, { token: w.by.USER_MANAGER.token })).body.state === 'COMPLETED',
      30000,
    );
    expect((await api.call('GET', progressUrl, { token: w.by.USER_MANAGER.token })).body).toMatchObject({
      done: 3,
      total: 3,
      reason: expect.stringMatching(/Offboarded from 3 organizations/),
    });

    expect(await api.db.assignment.count({ where: { ownerUserId: leaving.id } })).toBe(1);
    expect(
      await api.db.assignment.count({
        where: { ownerUserId: replacement.id, organizationId: { in: clients.map((o) => o.id) } },
      }),
    ).toBe(9);
    expect(await api.db.membership.findMany({ where: { userId: leaving.id }, select: { id: true } })).toEqual([
      { id: own.id },
    ]);
    const roles = await api.db.membership.findMany({
      where: { userId: replacement.id },
      select: { organizationId: true, role: true, source: true },
    });
    expect(Object.fromEntries(roles.map((r) => [r.organizationId, `${r.source} ${r.role}`]))).toEqual({
      [clients[0].id]: `DELEGATION ORG_ADMIN`,
      [clients[1].id]: `DELEGATION PRODUCT_ADMIN`,
      [clients[2].id]: `DELEGATION ${ceilings[2]}`,
    });
    expect(await api.db.practiceStaffMember.count({ where: { userId: leaving.id } })).toBe(0);
    const events = await api.db.outboxEvent.findMany({
      where: { aggregateId: started.body.offboardingId },
      orderBy: { sequence: 'asc' },
    });
    const { workflowId } = await api.db.offboarding.findUniqueOrThrow({ where: { id: started.body.offboardingId } });
    await saveHistory('offboarding-completed', api.temporal.workflow.getHandle(workflowId));
    expect(events.map((e) => e.type.replace('partneraccess.practice.', ''))).toEqual([
      'offboarding-started.v1',
      ...Array(3).fill('offboarding-organization-done.v1'),
      'offboarding-completed.v1',
    ]);
    expect(
      await api.db.outboxEvent.count({
        where: { type: 'partneraccess.access.grant-revoked.v1', data: { path: ['userId'], equals: leaving.id } },
      }),
    ).toBe(3);
  },
);

it(
  'PS-5 an invalid replacement (the user themself, someone of another partner, a ' +
    'deactivated user) is refused before anything changes',
  async () => {
    const w = await practice();
    const other = await practice();
    const leaving = await w.staff('STAFF', 'stays');
    const gone = await w.staff('STAFF', 'deactivated');
    await api.db.user.update({ where: { id: gone.id }, data: { status: 'DEACTIVATED' } });
    await api.db.membership.create({ data: { userId: leaving.id, organizationId: w.clients[0].id, role: 'MEMBER' } });
    await api.db.assignment.create({
      data: { organizationId: w.clients[0].id, title: 'Kept', ownerUserId: leaving.id },
    });
    for (const [replacementUserId, says] of [
      [leaving.id, /someone else/],
      [other.by.STAFF.id, /same Practice Staff/],
      [gone.id, /deactivated/],
    ] as const) {
      const res = await api.call('POST', `/partner-firms/${w.firm.id}/offboardings`, {
        token: w.by.ACCOUNT_OWNER.token,
        body: { userId: leaving.id, replacementUserId },
      });
      expect(res).toMatchObject({
        status: 422,
        body: { type: `${P}unprocessable`, detail: expect.stringMatching(says) },
      });
    }
    expect(await api.db.offboarding.count({ where: { userId: leaving.id } })).toBe(0);
    expect(await api.db.membership.count({ where: { userId: leaving.id } })).toBe(1);
    expect(await api.db.assignment.count({ where: { ownerUserId: leaving.id } })).toBe(1);
    expect(await api.db.practiceStaffMember.count({ where: { userId: leaving.id } })).toBe(1);
  },
);

it(
  'PS-6 certification: status and date per user; invite those not certified (an email); ' +
    'the certificate is a real PDF for the certified, refused for others',
  async () => {
    const w = await practice();
    const certifiedAt = new Date('2026-05-14T00:00:00Z');
    const cert = await api.db.certification.create({
      data: { userId: w.by.ACCOUNT_MANAGER.id, program: CERTIFICATION_PROGRAM, certifiedAt },
    });
    const list = await api.call('GET', `/partner-firms/${w.firm.id}/certifications`, {
      token: w.by.USER_MANAGER.token,
    });
    expect(list.body.items).toContainEqual(
      expect.objectContaining({
        userId: w.by.ACCOUNT_MANAGER.id,
        status: 'CERTIFIED',
        certifiedAt: certifiedAt.toISOString(),
        certificateId: cert.id,
      }),
    );
    expect(list.body.items).toContainEqual(
      expect.objectContaining({ userId: w.by.STAFF.id, status: 'NOT_CERTIFIED', certifiedAt: null }),
    );

    const invited = await api.call('POST', `/partner-firms/${w.firm.id}/certifications/invitations`, {
      token: w.by.USER_MANAGER.token,
      body: { userIds: [w.by.STAFF.id, w.by.ACCOUNT_MANAGER.id] },
    });
    expect(invited.body.items).toEqual([
      { userId: w.by.STAFF.id, outcome: 'invited' },
      { userId: w.by.ACCOUNT_MANAGER.id, outcome: 'already-certified' },
    ]);
    await mailSink.waitFor(w.by.STAFF.email, /invited to the Certified Partner Advisor certification/);
    expect(
      (await api.call('GET', `/partner-firms/${w.firm.id}/certifications`, { token: w.by.USER_MANAGER.token })).body
        .items,
    ).toContainEqual(expect.objectContaining({ userId: w.by.STAFF.id, status: 'INVITED' }));

    const res = await fetch(`${api.url}/partner-firms/${w.firm.id}/staff/${w.by.ACCOUNT_MANAGER.id}/certificate`, {
      headers: { authorization: `Bearer ${w.by.ACCOUNT_OWNER.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
    const pdf = await readPdf(bytes);
    expect(pdf).toMatchObject({ pages: 1, title: `Certificate ${cert.id}` });
    expect(pdf.text).toEqual(
      expect.arrayContaining([
        'ACCOUNT_MANAGER Person',
        CERTIFICATION_PROGRAM,
        'Certified on 2026-05-14',
        `Certificate id ${cert.id}`,
        `of ${w.firm.name}`,
      ]),
    );

    const refused = await api.call('GET', `/partner-firms/${w.firm.id}/staff/${w.by.STAFF.id}/certificate`, {
      token: w.by.ACCOUNT_OWNER.token,
    });
    expect(refused).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/not certified/) } });
    // The certified user may download their own; a colleague who is only staff may not download others'.
    expect(
      (
        await api.call('GET', `/partner-firms/${w.firm.id}/staff/${w.by.ACCOUNT_MANAGER.id}/certificate`, {
          token: w.by.ACCOUNT_MANAGER.token,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api.call('GET', `/partner-firms/${w.firm.id}/staff/${w.by.ACCOUNT_MANAGER.id}/certificate`, {
          token: w.by.STAFF.token,
        })
      ).status,
    ).toBe(403);
  },
);

it('PS-6 Unicode certificates: Latin, Polish, Greek, Cyrillic, CJK, Korean and right-to-left names', async () => {
  const w = await practice();
  // Right-to-left names are drawn in visual order, so a reader of the drawn string meets them reversed.
  const visual = (name: string) => [...name].reverse().join('');
  // One process draws them all, in this order: a "Z" after "Ż" once lost its character in the font's cache.
  const names = [
    { name: 'Łukasz Żółć', drawn: 'Łukasz Żółć', font: 'NotoSans-Bold' },
    { name: 'Zoë Ångström', drawn: 'Zoë Ångström', font: 'NotoSans-Bold' },
    { name: 'Αλέξανδρος', drawn: 'Αλέξανδρος', font: 'NotoSans-Bold' },
    { name: 'Иван Петров', drawn: 'Иван Петров', font: 'NotoSans-Bold' },
    { name: '王小明', drawn: '王小明', font: 'NotoSansHans-Bold' },
    { name: 'さくら', drawn: 'さくら', font: 'NotoSansHans-Bold' },
    { name: '김민준', drawn: '김민준', font: 'NotoSansKR-Bold' },
    { name: 'דוד לוי', drawn: visual('דוד לוי'), font: 'NotoSansHebrew-Bold' },
    { name: 'ليلى', drawn: visual('ليلى'), font: 'NotoNaskhArabic-Bold' },
  ];
  for (const { name, drawn, font } of names) {
    const email = `unicode-${uniqueSuffix()}@practice.example`;
    const user = await api.db.user.create({ data: { email, displayName: name } });
    await api.db.practiceStaffMember.create({ data: { userId: user.id, partnerFirmId: w.firm.id, role: 'STAFF' } });
    const certifiedAt = new Date();
    await api.db.certification.create({ data: { userId: user.id, program: CERTIFICATION_PROGRAM, certifiedAt } });
    const res = await fetch(`${api.url}/partner-firms/${w.firm.id}/staff/${user.id}/certificate`, {
      headers: { authorization: `Bearer ${w.by.ACCOUNT_OWNER.token}` },
    });
    expect({ name, status: res.status }).toEqual({ name, status: 200 });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const pdf = await readPdf(bytes);
    // pdf-lib names an embedded subset after the font with a number of its own.
    expect(pdf.runs).toContainEqual({ font: expect.stringMatching(new RegExp(`^${font}-\\d+$`)), text: drawn });
    // The fonts are embedded as subsets: a certificate stays small even when its name needs a CJK font.
    expect(bytes.length).toBeLessThan(150_000);
  }
});

it('AM-5 a delegated grant with an end date counts until then, and not a second after', async () => {
  const w = await practice();
  const user = w.by.STAFF;
  const [client] = w.clients;
  const until = new Date(Date.now() + 4000).toISOString();
  const base = `/partner-firms/${w.firm.id}/staff/${user.id}/organization-access`;
  const given = await api.call('POST', base, {
    token: w.by.USER_MANAGER.token,
    body: { organizations: [{ organizationId: client.id, role: 'MEMBER', until }] },
  });
  expect(given.status).toBe(201);
  const link = linkIn(
    (await mailSink.waitFor(user.email, new RegExp(`You are invited to work in ${client.name}`))).text,
  );
  expect(
    (await api.call('POST', `/invitations/${link.id}/accept`, { token: user.token, body: { token: link.token } }))
      .status,
  ).toBe(200);
  expect(
    (
      await api.db.membership.findFirstOrThrow({ where: { userId: user.id, organizationId: client.id } })
    ).expiresAt?.toISOString(),
  ).toBe(until);
  expect((await api.call('GET', `/organizations/${client.id}`, { token: user.token })).status).toBe(200);
  await waitUntil('ended', () => Date.now() > Date.parse(until) + 50, 10000);
  expect((await api.call('GET', `/organizations/${client.id}`, { token: user.token })).status).toBe(403);
  const admin = await api.token(
    (await api.db.membership.findFirstOrThrow({ where: { organizationId: client.id, role: 'ORG_ADMIN' } })).userId,
  );
  const ledger = (await api.call('GET', `/organizations/${client.id}/access-ledger`, { token: admin })).body.items;
  expect(ledger.some((e: { userId: string }) => e.userId === user.id)).toBe(false);
});
