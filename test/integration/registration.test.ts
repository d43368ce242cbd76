// Registration (TPU-1, issue 12): POST /accounts answers alike for every email and proves the email
// before the account exists. A new email gets a single-use verification link; a known one gets a
// reminder to sign in. Only a verified registration counts for TPU-1 and moves a waiting request.
// Every request calls from 127.0.0.3, this file's own client IP, so the file runs beside the others
// (whose requests come from 127.0.0.1) and only its own requests spend its per-IP counts.
import { mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createOrganization, createUser } from '../support/world';
import { waitUntil } from '../support/kafka';
import { answerTimeBound, interleaved, median } from '../support/answer-times';

const P = 'https://partner-access.example/problems/';
const VERIFY_SUBJECT = /Confirm your email/;
const KNOWN_SUBJECT = /You already have an account/;
const CLIENT = '127.0.0.3';
let api: TestApi;
let worker: TestWorker;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue, accountWaitSeconds: 600, clientAddress: CLIENT });
});
afterAll(async () => {
  await api.close();
  await worker.stop();
});

/** The verification link in an email: its hosted page's id and token. */
function verificationLinkIn(text: string): { id: string; token: string } {
  const m = text.match(/https?:\/\/[^\s/]+\/verify-email\/([0-9a-f-]{36})\?token=([A-Za-z0-9_-]{43})/);
  if (!m) throw new Error(`no verification link in email:\n${text}`);
  return { id: m[1], token: m[2] };
}

it('Registration answers a known and an unknown email alike: same status, body and timings', async () => {
  const known = await createUser(api.db);
  const s = uniqueSuffix();
  const register = (email: string) => api.call('POST', '/accounts', { body: { email, displayName: 'Someone' } });
  // Warm both paths once (the first request of a process pays for compiling and connecting).
  await register(known.email);
  await register(`warm-${s}@firm.example`);

  // Interleaved, so both sides see the same load; the mail each request sends after its answer
  // overlaps the next request whichever kind it was.
  const answers = new Set<string>();
  const TRIES = 40;
  const times = await interleaved(TRIES, async (kind, i) => {
    const email = kind === 'known' ? known.email : `new-${i}-${s}@firm.example`;
    const started = performance.now();
    const res = await register(email);
    answers.add(JSON.stringify({ status: res.status, body: res.body, location: res.headers.get('location') }));
    return performance.now() - started;
  });
  // One answer for all 80 requests: nothing in it tells a known email from a new one.
  expect(answers.size).toBe(1);
  expect(JSON.parse([...answers][0])).toMatchObject({ status: 202, location: null });
  // The bound: medians within 25 ms (or a quarter of the slower median, if the machine is so loaded
  // that it is larger) over 40 interleaved tries each. Neither path looks the email up or hashes before
  // answering, so the medians differ by noise: measured 1 to 3 ms apart at medians of 20 to 40 ms on
  // the loaded 2-core machine. A scrypt hash on the known path only measured 267 ms apart and fails.
  // No absolute time is asserted.
  const [k, u] = [median(times.known), median(times.unknown)];
  expect(Math.abs(k - u)).toBeLessThan(answerTimeBound({ known: k, unknown: u }));
  // And the distributions overlap: each side's fastest answer is faster than the other side's slowest.
  expect(Math.min(...times.known)).toBeLessThan(Math.max(...times.unknown));
  expect(Math.min(...times.unknown)).toBeLessThan(Math.max(...times.known));
  // The known account is unchanged, and got reminders, not verification links.
  const after = await api.db.user.findUniqueOrThrow({ where: { id: known.id } });
  expect(after).toEqual(known);
  await mailSink.waitFor(known.email, KNOWN_SUBJECT);
  await mailSink.waitFor(`new-${TRIES - 1}-${s}@firm.example`, VERIFY_SUBJECT);
  const toKnown = await mailSink.messages();
  expect(toKnown.filter((m) => m.to[0]?.address === known.email && VERIFY_SUBJECT.test(m.subject))).toEqual([]);
});

it('Registration a new email gets a link that verifies it once; a known email gets a sign-in reminder', async () => {
  const email = `nina-${uniqueSuffix()}@independent.example`;
  const body = { email, displayName: 'Nina Newcomer', firmName: 'Independent' };
  const res = await api.call('POST', '/accounts', { body });
  expect(res.status).toBe(202);
  const mail = await mailSink.waitFor(email, VERIFY_SUBJECT);
  // No account until the email is proved.
  expect(await api.db.user.findUnique({ where: { email } })).toBeNull();
  const link = verificationLinkIn(mail.text);
  // The token is kept only as a hash.
  const row = await api.db.accountRegistration.findUniqueOrThrow({ where: { id: link.id } });
  expect(row.tokenHash).not.toContain(link.token);
  expect(JSON.stringify(row)).not.toContain(link.token);

  const wrong = await api.call('POST', `/account-verifications/${link.id}`, { body: { token: 'A'.repeat(43) } });
  expect(wrong).toMatchObject({ status: 404, body: { type: `${P}not-found` } });
  const verified = await api.call('POST', `/account-verifications/${link.id}`, { body: { token: link.token } });
  expect(verified).toMatchObject({ status: 200, body: { userId: expect.any(String) } });
  const user = await api.db.user.findUniqueOrThrow({ where: { email } });
  expect(user).toMatchObject({ id: verified.body.userId, displayName: 'Nina Newcomer', firmName: 'Independent' });
  const again = await api.call('POST', `/account-verifications/${link.id}`, { body: { token: link.token } });
  expect(again).toMatchObject({ status: 409, body: { type: `${P}link-expired` } });

  // Registering the same email again (any case) changes nothing and reminds them to sign in.
  const twice = await api.call('POST', '/accounts', { body: { email: email.toUpperCase(), displayName: 'Again' } });
  expect(twice).toMatchObject({ status: 202, body: res.body });
  const reminder = await mailSink.waitFor(email, KNOWN_SUBJECT);
  expect(reminder.text).toMatch(/sign in/i);
  expect(reminder.text).toMatch(/reset-password|forgot-password/);
  expect(await api.db.user.findUniqueOrThrow({ where: { email } })).toEqual(user);
});

it('Registration two links for one email: the first used makes the account, the other makes none', async () => {
  const email = `twice-${uniqueSuffix()}@independent.example`;
  await api.call('POST', '/accounts', { body: { email, displayName: 'First' } });
  const first = verificationLinkIn((await mailSink.waitFor(email, VERIFY_SUBJECT)).text);
  await api.call('POST', '/accounts', { body: { email, displayName: 'Second' } });
  const links = () => api.db.accountRegistration.count({ where: { email } });
  await waitUntil('two links', async () => (await links()) === 2, 15000);
  const second = await api.db.accountRegistration.findFirstOrThrow({ where: { email, id: { not: first.id } } });
  // Both go through at once: exactly one account.
  const [a, b] = await Promise.all([
    api.call('POST', `/account-verifications/${first.id}`, { body: { token: first.token } }),
    api.call('POST', `/account-verifications/${first.id}`, { body: { token: first.token } }),
  ]);
  expect([a.status, b.status].sort()).toEqual([200, 409]);
  expect(await api.db.user.count({ where: { email } })).toBe(1);
  expect(second.usedAt).toBeNull();
});

it('TPU-1 an unverified registration does not move a waiting request; verifying it does, once', async () => {
  const { members } = await createOrganization(api.db, { ORG_ADMIN: 1 });
  const orgAdmin = await api.token(members.ORG_ADMIN[0].id);
  const org = await api.db.membership.findFirstOrThrow({ where: { userId: members.ORG_ADMIN[0].id } });
  const email = `waiting-${uniqueSuffix()}@independent.example`;
  const base = `/organizations/${org.organizationId}/third-party-users`;
  const request = { thirdPartyName: 'Wanda Waiting', firmName: 'Independent', email };
  const req = await api.call('POST', base, { token: orgAdmin, body: request });
  expect(req).toMatchObject({ status: 202, body: { state: 'AWAITING_ACCOUNT' } });
  const state = async () => (await api.call('GET', `${base}/${req.body.relationshipId}`, { token: orgAdmin })).body;

  const registered = await api.call('POST', '/accounts', { body: { email, displayName: 'Wanda Waiting' } });
  // The old code moved the request at once (well within this wait); an unverified email moves nothing.
  await new Promise((r) => setTimeout(r, 3000));
  expect(await state()).toMatchObject({ state: 'AWAITING_ACCOUNT', thirdPartyUserId: null });
  expect(registered.status).toBe(202);
  const mail = await mailSink.waitFor(email, VERIFY_SUBJECT);
  const { workflowId } = api.thirdPartyAccess.workflowIdFor(org.organizationId, email);
  const signals = async () => {
    const history = await api.temporal.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
  };
  expect(await signals()).toBe(0);

  const link = verificationLinkIn(mail.text);
  const verified = await api.call('POST', `/account-verifications/${link.id}`, { body: { token: link.token } });
  expect(verified.status).toBe(200);
  await waitUntil('request moves on', async () => (await state()).state === 'REQUESTED', 15000);
  expect(await state()).toMatchObject({ thirdPartyUserId: verified.body.userId });
  // Once: a second use of the link is refused and announces nothing.
  const twice = await api.call('POST', `/account-verifications/${link.id}`, { body: { token: link.token } });
  expect(twice.status).toBe(409);
  expect(await signals()).toBe(1);
});

it('Registration each email is limited to 3 an hour, known or not, since each registration emails it', async () => {
  const limited = await startTestApi({ abuseLimits: 'production', clientAddress: CLIENT });
  // This file's other tests registered from CLIENT under raised limits: its counts start empty
  // (the table's keys are `<limit>:<ip>`; other files' counts are theirs).
  const forgetCounts = () => limited.db.rateLimit.deleteMany({ where: { key: { endsWith: `:${CLIENT}` } } });
  try {
    await forgetCounts();
    const known = await createUser(limited.db);
    for (const email of [known.email, `flooded-${uniqueSuffix()}@firm.example`]) {
      const answers = [];
      for (let i = 0; i < 4; i++) {
        answers.push(await limited.call('POST', '/accounts', { body: { email, displayName: 'Flood' } }));
      }
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 429]);
      expect(answers[3].body).toMatchObject({ type: `${P}rate-limited`, retryAfterSeconds: expect.any(Number) });
    }
  } finally {
    await forgetCounts();
    await limited.close();
  }
});
