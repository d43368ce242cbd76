// PP-1..PP-4 over HTTP on the real stack: a portal admin adds partner users, each sets a password
// from the emailed link; one email is one account across the portal; support frees a wrong one.
import { mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createUser } from '../support/world';
import { linkIn, waitForEmails } from '../support/links';

const P = 'https://partner-access.example/problems/';
let api: TestApi;
let worker: TestWorker;
let admin: string;
let support: string;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue });
  const a = await createUser(api.db);
  await api.db.portalAdmin.create({ data: { userId: a.id, role: 'ADMIN' } });
  admin = await api.token(a.id);
  const s = await createUser(api.db);
  await api.db.supportAgent.create({ data: { userId: s.id } });
  support = await api.token(s.id);
});
afterAll(async () => {
  await api.close();
  await worker.stop();
});

async function addPartner(name = `Partner ${uniqueSuffix()}`) {
  const res = await api.call('POST', '/portal/partners', {
    token: admin,
    body: { name, email: `hello-${uniqueSuffix()}@partner.example` },
  });
  expect(res.status).toBe(201);
  return res.body as { partnerId: string; name: string };
}

it(
  "PP-1 PP-3 PP-4 the article's story: the admin adds a partner user, sees the " +
    'confirmation, the user sets a password from the email and signs in',
  async () => {
    const partner = await addPartner('Brightside Resellers');
    const email = `dana-${uniqueSuffix()}@brightside.example`;
    const added = await api.call('POST', `/portal/partners/${partner.partnerId}/users`, {
      token: admin,
      body: { firstName: 'Dana', lastName: 'Reyes', email, phone: '+1 415 555 0132' },
    });
    expect(added.status).toBe(201);
    expect(added.body.confirmation).toMatch(new RegExp(`Invitation sent to ${email}.*7 days to set a password`));
    expect(added.body.invitation).toMatchObject({ kind: 'PORTAL_USER', state: 'PENDING', sendCount: 1 });

    const mail = await mailSink.waitFor(email, /Set your password for the partner portal \(Brightside Resellers\)/);
    const link = linkIn(mail.text);
    const opened = await api.call('GET', link.path);
    expect(opened).toMatchObject({
      status: 200,
      body: { state: 'PENDING', firstName: 'Dana', accepting: 'choose-password' },
    });

    const tooShort = await api.call('POST', `/invitations/${link.id}/accept`, {
      body: { token: link.token, password: 'short' },
    });
    expect(tooShort).toMatchObject({ status: 400, body: { type: `${P}validation-failed` } });
    const noPassword = await api.call('POST', `/invitations/${link.id}/accept`, { body: { token: link.token } });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.errors[0].pointer).toBe('/password');

    const accepted = await api.call('POST', `/invitations/${link.id}/accept`, {
      body: { token: link.token, password: 'correct horse battery staple' },
    });
    expect(accepted).toMatchObject({ status: 200, body: { invitation: { state: 'ACCEPTED' } } });
    const user = await api.db.user.findUniqueOrThrow({ where: { email } });
    expect(user.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(user.passwordHash).not.toContain('correct horse');

    const signedIn = await api.call('POST', '/sessions', {
      body: { email: email.toUpperCase(), password: 'correct horse battery staple' },
    });
    expect(signedIn).toMatchObject({ status: 200, body: { userId: user.id } });
    expect((await api.call('GET', '/me', { token: signedIn.body.token })).status).toBe(200);
    const wrong = await api.call('POST', '/sessions', { body: { email, password: 'not the password at all' } });
    expect(wrong).toMatchObject({ status: 401, body: { detail: 'The email or the password is wrong.' } });

    // Single use: the same link again says what happened and what to do.
    const again = await api.call('POST', `/invitations/${link.id}/accept`, {
      body: { token: link.token, password: 'correct horse battery staple' },
    });
    expect(again).toMatchObject({ status: 409, body: { type: `${P}invitation-closed`, state: 'ACCEPTED' } });
    expect(again.body.detail).toMatch(/already accepted.*password reset/);

    const view = await api.call('GET', `/portal/partners/${partner.partnerId}`, { token: admin });
    expect(view.body.users).toEqual([expect.objectContaining({ email, phone: '+14155550132', status: 'ACTIVE' })]);
    // Events of the whole life, through the outbox: no email or token in any of them.
    const events = await api.db.outboxEvent.findMany({
      where: { aggregateId: link.id },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((e) => e.type)).toEqual([
      'partneraccess.invitation.created.v1',
      'partneraccess.invitation.sent.v1',
      'partneraccess.invitation.accepted.v1',
    ]);
    expect(JSON.stringify(events.map((e) => e.data))).not.toMatch(new RegExp(`${email}|${link.token}`));
  },
);

it('PP-1 bad phone numbers are refused with what is wrong, before anything is sent', async () => {
  const partner = await addPartner();
  for (const [phone, says] of [
    ['4155550132', /country code/],
    ['+1 415 555', /too short/],
    ['+1 123 456 7890', /not a valid phone number/],
    ['call me', /country code/],
  ] as const) {
    const email = `p-${uniqueSuffix()}@partner.example`;
    const res = await api.call('POST', `/portal/partners/${partner.partnerId}/users`, {
      token: admin,
      body: { firstName: 'A', lastName: 'B', email, phone },
    });
    expect(res).toMatchObject({
      status: 400,
      body: { errors: [expect.objectContaining({ pointer: '/phone', message: expect.stringMatching(says) })] },
    });
    expect(await api.db.portalEmail.findUnique({ where: { email } })).toBeNull();
  }
});

it(
  'PP-2 one email is one account across the portal: a duplicate (also in other case and ' +
    'with spaces) is refused with 409 without naming the other partner; support frees it and ' +
    'the right partner adds the user',
  async () => {
    const wrongPartner = await addPartner('Wrongway Partners');
    const rightPartner = await addPartner('Rightway Partners');
    const email = `sam-${uniqueSuffix()}@partner.example`;
    const body = { firstName: 'Sam', lastName: 'Lee', email, phone: '+44 20 7946 0958' };
    expect(
      (await api.call('POST', `/portal/partners/${wrongPartner.partnerId}/users`, { token: admin, body })).status,
    ).toBe(201);

    for (const variant of [email, `  ${email.toUpperCase()} `]) {
      const dup = await api.call('POST', `/portal/partners/${rightPartner.partnerId}/users`, {
        token: admin,
        body: { ...body, email: variant },
      });
      expect(dup).toMatchObject({ status: 409, body: { type: `${P}duplicate-email` } });
      expect(dup.body.detail).not.toContain('Wrongway');
    }
    // A partner's own email counts too.
    const partnerDup = await api.call('POST', '/portal/partners', {
      token: admin,
      body: { name: 'Copycat', email: email.toUpperCase() },
    });
    expect(partnerDup).toMatchObject({ status: 409, body: { type: `${P}duplicate-email` } });

    // The user had registered under the wrong partner (accepted there).
    const first = linkIn((await mailSink.waitFor(email, /Wrongway/)).text);
    expect(
      (
        await api.call('POST', `/invitations/${first.id}/accept`, {
          body: { token: first.token, password: 'a long enough password' },
        })
      ).status,
    ).toBe(200);

    const notSupport = await api.call('POST', '/support/portal-emails/free', {
      token: admin,
      body: { email, reason: 'registered under the wrong partner' },
    });
    expect(notSupport.status).toBe(403);
    const freed = await api.call('POST', '/support/portal-emails/free', {
      token: support,
      body: { email: ` ${email.toUpperCase()}`, reason: 'registered under the wrong partner' },
    });
    expect(freed).toMatchObject({ status: 200, body: { freed: true } });
    const audit = await api.db.auditEntry.findUniqueOrThrow({ where: { id: freed.body.auditEntryId } });
    expect(audit).toMatchObject({
      action: 'portal-email.freed',
      detail: expect.objectContaining({ reason: 'registered under the wrong partner' }),
    });
    const wrongView = await api.call('GET', `/portal/partners/${wrongPartner.partnerId}`, { token: admin });
    expect(wrongView.body.users[0].email).toMatch(/@invalid\.invalid$/);

    const right = await api.call('POST', `/portal/partners/${rightPartner.partnerId}/users`, { token: admin, body });
    expect(right.status).toBe(201);
    const link = linkIn((await mailSink.waitFor(email, /Rightway/)).text);
    const accepted = await api.call('POST', `/invitations/${link.id}/accept`, {
      body: { token: link.token, password: 'the right account now' },
    });
    expect(accepted.status).toBe(200);
    expect((await api.call('POST', '/sessions', { body: { email, password: 'the right account now' } })).status).toBe(
      200,
    );
    const events = await api.db.outboxEvent.count({
      where: { type: 'partneraccess.portal.email-freed.v1', aggregateId: audit.subjectId },
    });
    expect(events).toBe(1);
  },
);

it(
  'PP-3 after an accepted user forgets the password: a reset link by email, short-lived ' +
    'and single-use; the answer never says whether an email is known',
  async () => {
    const partner = await addPartner();
    const email = `riley-${uniqueSuffix()}@partner.example`;
    await api.call('POST', `/portal/partners/${partner.partnerId}/users`, {
      token: admin,
      body: { firstName: 'Riley', lastName: 'Q', email, phone: '+49 30 901820' },
    });
    const invite = linkIn((await mailSink.waitFor(email, /Set your password/)).text);
    await api.call('POST', `/invitations/${invite.id}/accept`, {
      body: { token: invite.token, password: 'first password here' },
    });

    const unknown = await api.call('POST', '/password-resets', {
      body: { email: `nobody-${uniqueSuffix()}@partner.example` },
    });
    const known = await api.call('POST', '/password-resets', { body: { email } });
    expect(known).toMatchObject({ status: 202 });
    expect(unknown).toEqual(expect.objectContaining({ status: 202, body: known.body }));

    const link = linkIn((await mailSink.waitFor(email, /Reset your password/)).text);
    const reset = await api.call('POST', `/password-resets/${link.id}`, {
      body: { token: link.token, password: 'second password here' },
    });
    expect(reset.status).toBe(200);
    const reused = await api.call('POST', `/password-resets/${link.id}`, {
      body: { token: link.token, password: 'third password here' },
    });
    expect(reused).toMatchObject({ status: 409, body: { type: `${P}link-expired` } });
    expect((await api.call('POST', '/sessions', { body: { email, password: 'second password here' } })).status).toBe(
      200,
    );
    expect((await api.call('POST', '/sessions', { body: { email, password: 'first password here' } })).status).toBe(
      401,
    );
    const stored = await api.db.passwordReset.findUniqueOrThrow({ where: { id: link.id } });
    expect(stored.tokenHash).not.toContain(link.token);
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBe(3600 * 1000);
  },
);

it(
  'PP-3 the set-password link expires; the user asks for a password reset and the fresh ' + 'link sets the password',
  async () => {
    // A second API on the same worker whose portal invitations expire after 5 s (no reminder, no resend spacing).
    const shortLived = await startTestApi({
      taskQueue: worker.taskQueue,
      invitationTimings: { PORTAL_USER: { expirySeconds: 5, reminderBeforeSeconds: 0, resendMinIntervalSeconds: 0 } },
    });
    try {
      const partner = await addPartner();
      const email = `late-${uniqueSuffix()}@partner.example`;
      await shortLived.call('POST', `/portal/partners/${partner.partnerId}/users`, {
        token: admin,
        body: { firstName: 'Lou', lastName: 'Late', email, phone: '+61 2 9374 4000' },
      });
      const first = linkIn((await mailSink.waitFor(email, /Set your password/)).text);
      await waitUntilState(first.id, 'EXPIRED');
      const late = await api.call('POST', `/invitations/${first.id}/accept`, {
        body: { token: first.token, password: 'finally setting it' },
      });
      expect(late).toMatchObject({
        status: 409,
        body: { type: `${P}invitation-expired`, detail: expect.stringMatching(/password reset/) },
      });

      expect((await api.call('POST', '/password-resets', { body: { email } })).status).toBe(202);
      const emails = await waitForEmails(email, /Set your password/, 2);
      const fresh = linkIn(emails[1].text);
      const accepted = await api.call('POST', `/invitations/${fresh.id}/accept`, {
        body: { token: fresh.token, password: 'finally setting it' },
      });
      expect(accepted).toMatchObject({ status: 200, body: { invitation: { state: 'ACCEPTED', sendCount: 2 } } });
      expect((await api.call('POST', '/sessions', { body: { email, password: 'finally setting it' } })).status).toBe(
        200,
      );
    } finally {
      await shortLived.close();
    }
  },
);

async function waitUntilState(invitationId: string, state: string) {
  const deadline = Date.now() + 20000;
  while ((await api.db.invitation.findUniqueOrThrow({ where: { id: invitationId } })).state !== state) {
    if (Date.now() > deadline) throw new Error(`invitation never became ${state}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
