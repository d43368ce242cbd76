// Issue 12, sessions end when they must: a password reset, a deactivation and a freed email end every
// bearer token issued before them, over HTTP on the real stack. `iat` is in whole seconds, so a token
// of the second the sessions ended is refused, and a sign-in in that second still gets a working one.
import { decodeJwt, SignJWT } from 'jose';
import { mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, tokens, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { linkIn } from '../support/links';
import { createCustomerAccount, createPartnerAccount, createUser } from '../support/world';
import { hashPassword } from '../../platform/secrets';
import { endSessionsOf } from '../../domain/session-validity';

const P = 'https://partner-access.example/problems/';
let api: TestApi;
let worker: TestWorker;
beforeAll(async () => {
  worker = await startTestWorker(); // PP-2's portal invitation runs as a workflow
  api = await startTestApi({ taskQueue: worker.taskQueue });
});
afterAll(async () => {
  await api.close();
  await worker.stop();
});

async function personWithPassword(password: string) {
  const user = await createUser(api.db);
  await api.db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } });
  return user;
}

const signIn = (email: string, password: string) => api.call('POST', '/sessions', { body: { email, password } });
const me = (token: string) => api.call('GET', '/me', { token });

function expectSignedOutEverywhere(res: Awaited<ReturnType<TestApi['call']>>) {
  expect(res.status).toBe(401);
  expect(res.body.type).toBe(`${P}unauthenticated`);
  expect(res.body.detail).toMatch(/Signed out everywhere.*sign in again/);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
}

/** A token for the user, signed as the API signs them, issued at this second (whole seconds since 1970). */
const tokenIssuedAt = (userId: string, iat: number) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(tokens.issuer)
    .setAudience(tokens.audience)
    .setIssuedAt(iat)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(tokens.secret));

it('Issue 12 a reset ends the tokens issued before it; signing in with the new password works at once', async () => {
  const person = await personWithPassword('the old password');
  const before = await signIn(person.email, 'the old password');
  expect(before.status).toBe(200);
  expect((await me(before.body.token)).status).toBe(200);

  expect((await api.call('POST', '/password-resets', { body: { email: person.email } })).status).toBe(202);
  const link = linkIn((await mailSink.waitFor(person.email, /Reset your password/)).text);
  const reset = await api.call('POST', `/password-resets/${link.id}`, {
    body: { token: link.token, password: 'the new password' },
  });
  expect(reset.status).toBe(200);

  expectSignedOutEverywhere(await me(before.body.token));
  // Signed in right after the reset, most often in the same second: the new token still counts.
  const after = await signIn(person.email, 'the new password');
  expect(after.status).toBe(200);
  expect((await me(after.body.token)).status).toBe(200);
  const { sessionsValidAfter } = await api.db.user.findUniqueOrThrow({ where: { id: person.id } });
  expect(decodeJwt(after.body.token).iat).toBeGreaterThan(Math.floor(sessionsValidAfter!.getTime() / 1000));
});

it('Issue 12 same second: a token of the second the sessions ended is refused, one of the next counts', async () => {
  const person = await personWithPassword('a password of theirs');
  const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 400); // well inside its second
  await api.db.user.update({ where: { id: person.id }, data: { sessionsValidAfter: at } });
  const second = Math.floor(at.getTime() / 1000);

  expectSignedOutEverywhere(await me(await tokenIssuedAt(person.id, second - 1)));
  // Issued in the same second, before or after the end: `iat` cannot tell, so it is refused.
  expectSignedOutEverywhere(await me(await tokenIssuedAt(person.id, second)));
  expect((await me(await tokenIssuedAt(person.id, second + 1))).status).toBe(200);
});

it('Issue 12 same second: a sign-in then gets a token that counts; a later end in that second ends it', async () => {
  const person = await personWithPassword('a password of theirs');
  // The end is put a few seconds ahead, so the sign-in below falls in or before its second however slow
  // the test runs (as it would on an instance whose clock is a little behind the one that ended them).
  const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 3400);
  const second = Math.floor(at.getTime() / 1000);
  await api.db.$transaction((tx) => endSessionsOf(tx, person.id, at));

  const signedIn = await signIn(person.email, 'a password of theirs');
  expect(decodeJwt(signedIn.body.token).iat).toBe(second + 1);
  expect((await me(signedIn.body.token)).status).toBe(200);
  // A second end in the same second moves past that second: the token stamped after the first ends too.
  await api.db.$transaction((tx) => endSessionsOf(tx, person.id, new Date(at.getTime() + 100)));
  const { sessionsValidAfter } = await api.db.user.findUniqueOrThrow({ where: { id: person.id } });
  expect(sessionsValidAfter).toEqual(new Date((second + 1) * 1000));
  expectSignedOutEverywhere(await me(signedIn.body.token));
});

it('Issue 12 a deactivation in a customer account (PA-3) ends the tokens the user held', async () => {
  const { firm, staff } = await createPartnerAccount(api.db, ['ACCOUNT_OWNER', 'STAFF']);
  const partner = await api.token(staff[1].id);
  const customer = await createCustomerAccount(api.db, firm.id, { people: { ORG_ADMIN: 1, MEMBER: 2 } });
  const [leaving, staying] = customer.members.MEMBER;
  const leavingToken = await api.token(leaving.id);
  const stayingToken = await api.token(staying.id);
  expect((await me(leavingToken)).status).toBe(200);

  const users = `/customer-accounts/${customer.org.id}/users`;
  expect((await api.call('POST', `${users}/${leaving.id}/deactivate`, { token: partner })).status).toBe(200);
  expectSignedOutEverywhere(await me(leavingToken));
  expect((await me(stayingToken)).status).toBe(200);
  // Reactivating does not bring the ended token back.
  expect((await api.call('POST', `${users}/${leaving.id}/reactivate`, { token: partner })).status).toBe(200);
  expectSignedOutEverywhere(await me(leavingToken));
});

it('Issue 12 support freeing a portal email (PP-2) ends the tokens of the user who held it', async () => {
  const portalAdmin = await createUser(api.db);
  await api.db.portalAdmin.create({ data: { userId: portalAdmin.id, role: 'ADMIN' } });
  const admin = await api.token(portalAdmin.id);
  const agent = await createUser(api.db);
  await api.db.supportAgent.create({ data: { userId: agent.id } });
  const support = await api.token(agent.id);

  const partner = await api.call('POST', '/portal/partners', {
    token: admin,
    body: { name: `Partner ${uniqueSuffix()}`, email: `hello-${uniqueSuffix()}@partner.example` },
  });
  const email = `held-${uniqueSuffix()}@partner.example`;
  await api.call('POST', `/portal/partners/${partner.body.partnerId}/users`, {
    token: admin,
    body: { firstName: 'Held', lastName: 'Email', email, phone: '+44 20 7946 0958' },
  });
  const invite = linkIn((await mailSink.waitFor(email, /Set your password/)).text);
  const accepted = await api.call('POST', `/invitations/${invite.id}/accept`, {
    body: { token: invite.token, password: 'their portal password' },
  });
  expect(accepted.status).toBe(200);
  const held = await signIn(email, 'their portal password');
  expect((await me(held.body.token)).status).toBe(200);

  const freed = await api.call('POST', '/support/portal-emails/free', {
    token: support,
    body: { email, reason: 'Registered by the wrong person (ticket 4711)' },
  });
  expect(freed.status).toBe(200);
  expectSignedOutEverywhere(await me(held.body.token));
});
