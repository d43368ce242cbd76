// PA-5 over HTTP on the real stack: a customer invites a user of its partner account as a guest;
// the guest switches in with a fresh sign-in and works as the account's user while the partner
// account is out of reach; switching back kills the switched token at once; every switch is audited
// and an event; revoking the guest grant leaves the switched token nothing.
import { hashPassword } from '../../platform/secrets';
import { mintToken } from '../../api/identity';
import { apiWithWorker, tokens } from '../support/api';
import { mailSink } from '../support/services';
import { linkIn } from '../support/links';
import { createCustomerAccount, createPartnerAccount } from '../support/world';

const P = 'https://partner-access.example/problems/';
const PASSWORD = 'a long enough password';
const running = apiWithWorker();

/** A partner account with its owner, and two of its customer accounts (each with an org admin). */
async function world() {
  const { db } = running.api;
  const { firm, staff } = await createPartnerAccount(db, ['ACCOUNT_OWNER']);
  const owner = staff[0];
  await db.user.update({ where: { id: owner.id }, data: { passwordHash: await hashPassword(PASSWORD) } });
  const customer = await createCustomerAccount(db, firm.id, { accessModel: 'INVITE_GUEST' });
  const other = await createCustomerAccount(db, firm.id, { accessModel: 'INVITE_GUEST' });
  const admin = await running.api.token(customer.members.ORG_ADMIN[0].id);
  return { firm, owner, customer: customer.org, other: other.org, admin };
}

/** A token with auth_time now, as signing in with the password gives it. */
async function signIn(email: string): Promise<string> {
  const session = await running.api.call('POST', '/sessions', { body: { email, password: PASSWORD } });
  expect(session.status).toBe(200);
  return session.body.token;
}

const exchange = (subjectToken: string, requestedAccount: string) =>
  running.api.call('POST', '/token-exchange', {
    body: {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subjectToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      requested_account: requestedAccount,
    },
  });

/** The customer's org admin invites the owner as a guest, and the owner accepts. */
async function inviteAsGuest(w: Awaited<ReturnType<typeof world>>, role: 'MEMBER' | 'PRODUCT_ADMIN' = 'MEMBER') {
  const invited = await running.api.call('POST', `/customer-accounts/${w.customer.id}/guests`, {
    token: w.admin,
    body: { firstName: 'Ann', lastName: 'Owner', email: w.owner.email, role },
  });
  expect(invited).toMatchObject({ status: 201, body: { invitation: { kind: 'ACCOUNT_GUEST', state: 'PENDING' } } });
  const link = linkIn((await mailSink.waitFor(w.owner.email, /invites you as a guest/)).text);
  const accepted = await running.api.call('POST', `/invitations/${link.id}/accept`, {
    token: await running.api.token(w.owner.id),
    body: { token: link.token },
  });
  expect(accepted).toMatchObject({ status: 200, body: { invitation: { state: 'ACCEPTED' } } });
  const grant = await running.api.db.membership.findUniqueOrThrow({
    where: { userId_organizationId: { userId: w.owner.id, organizationId: w.customer.id } },
  });
  expect(grant).toMatchObject({ source: 'GUEST', role });
  return `membership:${grant.id}`;
}

it('PA-5 switching into a customer account is refused without a guest invitation (403)', async () => {
  const w = await world();
  const refused = await exchange(await signIn(w.owner.email), w.customer.id);
  expect(refused).toMatchObject({
    status: 403,
    body: { type: `${P}forbidden`, detail: expect.stringMatching(/the customer must invite you as a guest first/) },
  });
  // Nothing to switch into, nothing opened; a token that is not one is refused as such.
  const listed = await running.api.call('GET', '/me/accounts', { token: await running.api.token(w.owner.id) });
  expect(listed).toMatchObject({ status: 200, body: { items: [] } });
  expect(await running.api.db.accountSwitch.count({ where: { userId: w.owner.id } })).toBe(0);
  expect((await exchange('not.a.token', w.customer.id)).status).toBe(401);
  expect((await exchange(await signIn(w.owner.email), '00000000-0000-4000-8000-000000000000')).status).toBe(404);
});

it("PA-5 only the account's org admins invite guests, and only users of its partner account", async () => {
  const w = await world();
  const body = { firstName: 'Ann', lastName: 'Owner', email: w.owner.email, role: 'MEMBER' };
  const { userId } = await running.api.db.membership.findFirstOrThrow({
    where: { organizationId: w.customer.id, role: 'MEMBER' },
  });
  const member = await running.api.token(userId);
  const guests = `/customer-accounts/${w.customer.id}/guests`;
  expect((await running.api.call('POST', guests, { token: member, body })).status).toBe(403);
  const stranger = await running.api.call('POST', guests, {
    token: w.admin,
    body: { ...body, email: `stranger-${w.customer.id}@elsewhere.example` },
  });
  expect(stranger).toMatchObject({ status: 422, body: { detail: expect.stringMatching(/partner account/) } });
  const tooHigh = await running.api.call('POST', guests, {
    token: w.admin,
    body: { ...body, role: 'ORG_ADMIN' },
  });
  expect(tooHigh.status).toBe(400);
});

it('PA-5 switching needs a fresh sign-in (stale: 401); switched in, the Accounts list is refused; back', async () => {
  const w = await world();
  const grantId = await inviteAsGuest(w);
  const home = await running.api.token(w.owner.id);
  const mine = await running.api.call('GET', '/me/accounts', { token: home });
  expect(mine.body.items).toEqual([
    expect.objectContaining({ organizationId: w.customer.id, role: 'MEMBER', status: 'ACTIVE', grantId }),
  ]);
  expect(mine.body.items[0].current).toBe(false);

  // A stale sign-in (6 minutes ago), and a token that says nothing of one, are told to sign in again.
  const stale = await mintToken(tokens, w.owner.id, '8h', { authTime: new Date(Date.now() - 6 * 60_000) });
  for (const token of [stale, home]) {
    const refused = await exchange(token, w.customer.id);
    expect(refused).toMatchObject({
      status: 401,
      body: { type: `${P}reauthentication-required`, detail: expect.stringMatching(/POST \/sessions.*5 minutes/) },
    });
  }
  expect(await running.api.db.accountSwitch.count({ where: { userId: w.owner.id } })).toBe(0);

  // Signed in again: the switch answers a token scoped to the account.
  const fresh = await signIn(w.owner.email);
  const switched = await exchange(fresh, w.customer.id);
  expect(switched).toMatchObject({
    status: 200,
    body: {
      issued_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_type: 'Bearer',
      expires_in: expect.any(Number),
      account: { type: 'customer', organizationId: w.customer.id, role: 'MEMBER', switchId: expect.any(String) },
    },
  });
  expect(switched.headers.get('cache-control')).toBe('no-store');
  const { access_token: inside, account } = switched.body;

  // Inside, as the account's user; the partner account and every other account are out of reach.
  const org = await running.api.call('GET', `/organizations/${w.customer.id}`, { token: inside });
  expect(org).toMatchObject({ status: 200, body: { organizationId: w.customer.id, yourAccess: 'MEMBER' } });
  for (const path of [`/partner-accounts/${w.firm.id}/customers`, `/partner-firms/${w.firm.id}/staff`]) {
    const partner = await running.api.call('GET', path, { token: inside });
    expect(partner).toMatchObject({
      status: 403,
      body: {
        type: `${P}switched-in`,
        detail: expect.stringMatching(/Switch back/),
        switchBack: { method: 'POST', href: '/token-exchange' },
      },
    });
  }
  expect((await running.api.call('GET', `/organizations/${w.other.id}`, { token: inside })).body.type).toBe(
    `${P}switched-in`,
  );
  // Each switch starts from the partner account, even into an account the guest could enter.
  expect(await exchange(inside, w.other.id)).toMatchObject({ status: 403, body: { type: `${P}switched-in` } });
  const current = await running.api.call('GET', '/me/accounts', { token: inside });
  expect(current.body.items).toEqual([expect.objectContaining({ organizationId: w.customer.id, current: true })]);

  // Back home: the switched token dies at once, the new home token carries the same auth_time.
  const back = await exchange(inside, 'home');
  expect(back).toMatchObject({ status: 200, body: { account: { type: 'home' }, token_type: 'Bearer' } });
  expect((await running.api.call('GET', `/organizations/${w.customer.id}`, { token: inside })).status).toBe(401);
  expect((await exchange(inside, 'home')).status).toBe(401);
  const again = back.body.access_token;
  expect((await running.api.call('GET', `/partner-firms/${w.firm.id}/staff`, { token: again })).status).toBe(200);
  // Not switched in, the guest grant counts for nothing (the account is invite-guest only).
  expect((await running.api.call('GET', `/organizations/${w.customer.id}`, { token: again })).status).toBe(403);
  expect(await exchange(again, 'home')).toMatchObject({ status: 409, body: { type: `${P}conflict` } });
  // The same sign-in is still fresh: switching in again works with the home token it gave back.
  expect((await exchange(again, w.customer.id)).status).toBe(200);

  const row = await running.api.db.accountSwitch.findUniqueOrThrow({ where: { id: account.switchId } });
  expect(row).toMatchObject({ userId: w.owner.id, organizationId: w.customer.id, endedAt: expect.any(Date) });
  const audits = await running.api.db.auditEntry.findMany({
    where: { subjectId: w.customer.id, actorId: w.owner.id },
    orderBy: { createdAt: 'asc' },
  });
  expect(audits.map((a) => a.action)).toEqual([
    'account.switched-in',
    'account.switched-back',
    'account.switched-in',
  ]);
  expect(audits[0].detail).toMatchObject({ switchId: account.switchId, grantId, role: 'MEMBER' });
  const events = await running.api.db.outboxEvent.findMany({
    where: { aggregateId: account.switchId },
    orderBy: { createdAt: 'asc' },
  });
  const ids = { switchId: account.switchId, userId: w.owner.id, organizationId: w.customer.id };
  expect(events.map((e) => [e.type, e.data])).toEqual([
    ['partneraccess.account.switched-in.v1', { ...ids, grantId, auditEntryId: audits[0].id }],
    ['partneraccess.account.switched-back.v1', { ...ids, auditEntryId: audits[1].id }],
  ]);
});

it(
  'PA-5 revoking the guest grant ends the switch at once: the switched token is refused, ' +
    'the partner token works',
  async () => {
    const w = await world();
    const grantId = await inviteAsGuest(w, 'PRODUCT_ADMIN');
    const home = await signIn(w.owner.email);
    const switched = await exchange(home, w.customer.id);
    expect(switched.body.account).toMatchObject({ role: 'PRODUCT_ADMIN' });
    const inside = switched.body.access_token;
    expect((await running.api.call('GET', `/organizations/${w.customer.id}`, { token: inside })).status).toBe(200);

    const revoked = await running.api.call('POST', `/organizations/${w.customer.id}/access-ledger/revocations`, {
      token: w.admin,
      body: { grantId, reason: 'The project is over.' },
    });
    expect(revoked).toMatchObject({ status: 200, body: { grantId, source: 'GUEST' } });
    // The grant and the switch it carried end in one transaction: the token names a switch that is over.
    expect((await running.api.call('GET', `/organizations/${w.customer.id}`, { token: inside })).status).toBe(401);
    expect((await exchange(inside, 'home')).status).toBe(401);
    const open = await running.api.db.accountSwitch.count({
      where: { organizationId: w.customer.id, endedAt: null },
    });
    expect(open).toBe(0);

    // The partner account is untouched, and switching in again needs a new invitation.
    expect((await running.api.call('GET', `/partner-firms/${w.firm.id}/staff`, { token: home })).status).toBe(200);
    const refused = await exchange(home, w.customer.id);
    expect(refused).toMatchObject({ status: 403, body: { detail: expect.stringMatching(/invite you as a guest/) } });
  },
);

it('PA-5 (issue 12) a password reset ends the switched-in token and the partner token it came from', async () => {
  const w = await world();
  await inviteAsGuest(w);
  const home = await signIn(w.owner.email);
  const inside = (await exchange(home, w.customer.id)).body.access_token;
  expect((await running.api.call('GET', `/organizations/${w.customer.id}`, { token: inside })).status).toBe(200);

  expect((await running.api.call('POST', '/password-resets', { body: { email: w.owner.email } })).status).toBe(202);
  const link = linkIn((await mailSink.waitFor(w.owner.email, /Reset your password/)).text);
  const reset = await running.api.call('POST', `/password-resets/${link.id}`, {
    body: { token: link.token, password: PASSWORD },
  });
  expect(reset.status).toBe(200);
  const ended = {
    status: 401,
    body: { type: `${P}unauthenticated`, detail: expect.stringMatching(/Signed out everywhere/) },
  };
  expect(await running.api.call('GET', `/organizations/${w.customer.id}`, { token: inside })).toMatchObject(ended);
  expect(await exchange(inside, 'home')).toMatchObject(ended);
  expect(await exchange(home, w.customer.id)).toMatchObject(ended);
  // Signed in again, the switch works again.
  const fresh = (await exchange(await signIn(w.owner.email), w.customer.id)).body.access_token;
  expect((await running.api.call('GET', `/organizations/${w.customer.id}`, { token: fresh })).status).toBe(200);
});

it('PA-5 a suspended customer account refuses the switch with its own problem', async () => {
  const w = await world();
  await inviteAsGuest(w);
  await running.api.db.organization.update({ where: { id: w.customer.id }, data: { status: 'SUSPENDED' } });
  const refused = await exchange(await signIn(w.owner.email), w.customer.id);
  expect(refused).toMatchObject({ status: 403, body: { type: `${P}account-suspended` } });
  const listed = await running.api.call('GET', '/me/accounts', { token: await running.api.token(w.owner.id) });
  expect(listed.body.items).toEqual([
    expect.objectContaining({ organizationId: w.customer.id, status: 'SUSPENDED' }),
  ]);
});
