// Issue 12, abuse limits: the endpoints anyone can call are limited per client IP and per account,
// in PostgreSQL (every API instance counts the same), answer 429 with Retry-After, and keep the
// process responsive under a flood; they answer alike for known and unknown emails; a password
// reset with a made-up link is refused before any hashing. Production's limits unless a test says.
// Every request calls from 127.0.0.2, this file's own client IP, so the file runs beside the others
// (whose requests come from 127.0.0.1) and only its own requests spend its counts.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startTestApi, RAISED_ABUSE_LIMITS, type TestApi } from '../support/api';
import { createUser } from '../support/world';
import { uniqueSuffix } from '../support/services';
import { CONCURRENT_HASHES, hashPassword, hashToken, newToken } from '../../platform/secrets';
import { LIMITS } from '../../domain/abuse-limits';
import { answerTimeBound, interleaved, median } from '../support/answer-times';
import type { Database } from '../../platform/database';

jest.setTimeout(180_000);

const P = 'https://partner-access.example/problems/';
const PASSWORD = 'the right password here';
const CLIENT = '127.0.0.2';
/** The client IPs the proxy test forwards. */
const FORWARDED = ['203.0.113.7', '203.0.113.8'];

/** Forgets what this file's client addresses have spent (the table's keys are `<limit>:<ip>`), no one else's. */
const forgetCounts = (db: Database) =>
  db.rateLimit.deleteMany({ where: { OR: [CLIENT, ...FORWARDED].map((ip) => ({ key: { endsWith: `:${ip}` } })) } });

/** Runs `jobs` with at most `inFlight` at once, in order of start. */
async function bounded<T>(count: number, inFlight: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await job(i);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return results;
}

/** /healthz polled back to back while `load` runs: every answer's status and time. */
async function healthzDuring<T>(api: TestApi, load: () => Promise<T>) {
  const probes: { status: number; ms: number }[] = [];
  let done = false;
  const poll = (async () => {
    while (!done) {
      const start = performance.now();
      const res = await fetch(`${api.url}/healthz`);
      await res.arrayBuffer();
      probes.push({ status: res.status, ms: performance.now() - start });
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const result = await load();
  done = true;
  await poll;
  const sorted = probes.map((p) => p.ms).sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
  return { result, probes, p99 };
}

async function timed(api: TestApi, path: string, body: unknown) {
  const start = performance.now();
  const res = await api.call('POST', path, { body });
  return { ...res, ms: performance.now() - start };
}

async function userWithPassword(api: TestApi) {
  const user = await createUser(api.db);
  await api.db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(PASSWORD) } });
  return user;
}

type Answer = { status: number; headers: Headers; body: any };
function expectLimited(answers: Answer[]) {
  const limited = answers.filter((a) => a.status === 429);
  expect(limited.length).toBeGreaterThan(0);
  for (const a of limited) {
    expect(a.body).toMatchObject({ type: `${P}rate-limited`, retryAfterSeconds: expect.any(Number) });
    expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(a.headers.get('retry-after'))).toBe(a.body.retryAfterSeconds);
  }
  return limited.length;
}

describe('abuse limits (production numbers)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ abuseLimits: 'production', clientAddress: CLIENT });
  });
  afterAll(() => api.close());
  // Every test starts with nothing counted: they all come from CLIENT.
  beforeEach(() => forgetCounts(api.db));

  it('Abuse limits: 2000 sign-ins on one account: 429 with Retry-After, 10 hashed, /healthz answers', async () => {
    const user = await userWithPassword(api);
    const started = performance.now();
    const {
      result: answers,
      probes,
      p99,
    } = await healthzDuring(api, () =>
      bounded(2000, 50, () =>
        api.call('POST', '/sessions', { body: { email: user.email, password: 'a wrong guess' } }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].sort()).toEqual([401, 429]);
    const limited = expectLimited(answers);
    // Only answers that hashed a password say 401: the back-off stops the account after 5 free failures.
    const hashed = answers.filter((a) => a.status === 401).length;
    expect(hashed).toBeLessThanOrEqual(LIMITS.signInPerAccount.points);
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((p) => p.status === 200)).toBe(true);
    console.log(
      `one account: 2000 attempts in ${seconds.toFixed(1)} s, ${limited} × 429, ${hashed} × 401; ` +
        `/healthz ${probes.length} probes, p99 ${p99.toFixed(1)} ms`,
    );
  });

  it('Abuse limits: 2000 sign-ins on 2000 accounts from one IP: the IP limit stops them', async () => {
    const s = uniqueSuffix();
    const real = await userWithPassword(api);
    const {
      result: answers,
      probes,
      p99,
    } = await healthzDuring(api, () =>
      bounded(2000, 50, (i) =>
        api.call('POST', '/sessions', {
          body: { email: i % 100 === 0 ? real.email : `guess-${i}-${s}@firm.example`, password: 'a wrong guess' },
        }),
      ),
    );
    const limited = expectLimited(answers);
    const hashed = answers.filter((a) => a.status === 401).length;
    expect(hashed).toBeLessThanOrEqual(LIMITS.signInPerIp.points);
    expect(hashed + limited).toBe(2000);
    expect(probes.every((p) => p.status === 200)).toBe(true);
    console.log(
      `many accounts: ${limited} × 429, ${hashed} × 401; /healthz ${probes.length} probes, p99 ${p99.toFixed(1)} ms`,
    );
  });

  it(
    'Abuse limits: failed sign-ins in a row make the account wait longer each time; a ' + 'success resets it',
    async () => {
      const user = await userWithPassword(api);
      const wrong = () => api.call('POST', '/sessions', { body: { email: user.email, password: 'a wrong guess' } });
      for (let i = 0; i < 5; i++) expect((await wrong()).status).toBe(401);
      // The sixth failure is the first to cost a wait (1 s), so the next try is refused, right password or not.
      expect((await wrong()).status).toBe(401);
      const waiting = await api.call('POST', '/sessions', { body: { email: user.email, password: PASSWORD } });
      expect(waiting).toMatchObject({ status: 429, body: { retryAfterSeconds: 1 } });
      await new Promise((r) => setTimeout(r, 1100));
      expect((await wrong()).status).toBe(401); // the seventh: 2 s now
      const longer = await wrong();
      expect(longer).toMatchObject({ status: 429, body: { type: `${P}rate-limited`, retryAfterSeconds: 2 } });
      await new Promise((r) => setTimeout(r, 2100));
      expect((await api.call('POST', '/sessions', { body: { email: user.email, password: PASSWORD } })).status).toBe(
        200,
      );
      // Reset on success: without it this ninth failure would cost 4 s, and the right password would wait.
      expect((await wrong()).status).toBe(401);
      expect((await api.call('POST', '/sessions', { body: { email: user.email, password: PASSWORD } })).status).toBe(
        200,
      );
      // Ten tries in this window: the account's limit (signInPerAccount) is spent, whatever the password.
      expect(await api.call('POST', '/sessions', { body: { email: user.email, password: PASSWORD } })).toMatchObject({
        status: 429,
      });
    },
  );

  it('Abuse limits: registration, resets, invitation links and accepts answer 429 past the limit', async () => {
    const s = uniqueSuffix();
    const register = await bounded(LIMITS.registrationPerIp.points + 1, 1, (i) =>
      api.call('POST', '/accounts', { body: { email: `new-${i}-${s}@firm.example`, displayName: `New ${i}` } }),
    );
    expect(register.slice(0, -1).every((a) => a.status === 202)).toBe(true);
    expectLimited(register.slice(-1));

    // Per account: the same email from the same address, known or not.
    const reset = await bounded(LIMITS.passwordResetRequestPerAccount.points + 1, 1, () =>
      api.call('POST', '/password-resets', { body: { email: `someone-${s}@firm.example` } }),
    );
    expect(reset.slice(0, -1).every((a) => a.status === 202)).toBe(true);
    expectLimited(reset.slice(-1));

    const completion = await bounded(LIMITS.passwordResetCompletionPerIp.points + 1, 1, () =>
      api.call('POST', `/password-resets/${randomUUID()}`, {
        body: { token: newToken(), password: 'a new password here' },
      }),
    );
    expect(completion.slice(0, -1).every((a) => a.status === 404)).toBe(true);
    expectLimited(completion.slice(-1));

    const link = await bounded(LIMITS.linkCheckPerIp.points + 1, 5, () =>
      api.call('GET', `/invitations/${randomUUID()}/link?token=${newToken()}`),
    );
    expect(link.filter((a) => a.status === 404)).toHaveLength(LIMITS.linkCheckPerIp.points);
    expectLimited(link);

    const accept = await bounded(LIMITS.invitationAcceptPerIp.points + 1, 1, () =>
      api.call('POST', `/invitations/${randomUUID()}/accept`, {
        body: { token: newToken(), password: 'a new password here' },
      }),
    );
    expect(accept.slice(0, -1).every((a) => a.status === 404)).toBe(true);
    expectLimited(accept.slice(-1));
  });

  it(
    'Abuse limits: the hosted sign-in page answers a 429 page with the wait once the account ' + 'is limited',
    async () => {
      const user = await userWithPassword(api);
      const form = await api.fetch(`${api.url}/sign-in`);
      const cookie = form.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
      const post = () =>
        api.fetch(`${api.url}/sign-in`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
          body: new URLSearchParams({ _csrf: csrf, email: user.email, password: 'a wrong guess' }),
        });
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let i = 0; i < 12 && !limited; i++) {
        const res = await post();
        statuses.push(res.status);
        if (res.status === 429) limited = res;
      }
      expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
      expect(limited).toBeDefined();
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited!.text()).toMatch(/Too many attempts[\s\S]*Try again in \d+ seconds?/);
    },
  );

  it('Abuse limits: trust proxy off (the default): X-Forwarded-For dodges nothing', async () => {
    const n = LIMITS.passwordResetCompletionPerIp.points + 1;
    const answers = await bounded(n, 1, (i) =>
      api
        .fetch(`${api.url}/password-resets/${randomUUID()}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i + 1}` },
          body: JSON.stringify({ token: newToken(), password: 'a new password here' }),
        })
        .then((r) => r.status),
    );
    expect(answers.at(-1)).toBe(429);
    // The count is the socket's peer, this file's own address: what lets the file share the suite's run.
    const key = `passwordResetCompletionPerIp:${CLIENT}`;
    expect(await api.db.rateLimit.findUnique({ where: { key } })).toMatchObject({ points: n });
  });
});

describe('abuse limits behind a proxy', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ abuseLimits: 'production', trustProxy: 1, clientAddress: CLIENT });
  });
  afterAll(() => api.close());
  beforeEach(() => forgetCounts(api.db));

  it('Abuse limits: with TRUST_PROXY=1 each forwarded client IP has its own count', async () => {
    const n = LIMITS.passwordResetCompletionPerIp.points + 1;
    const from = (ip: string) =>
      bounded(n, 1, () =>
        api
          .fetch(`${api.url}/password-resets/${randomUUID()}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
            body: JSON.stringify({ token: newToken(), password: 'a new password here' }),
          })
          .then((r) => r.status),
      );
    expect((await from(FORWARDED[0])).at(-1)).toBe(429);
    expect((await from(FORWARDED[1])).slice(0, -1).every((s) => s === 404)).toBe(true);
  });
});

describe('answers that tell nothing, and no hashing before the cheap checks (limits raised)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ abuseLimits: RAISED_ABUSE_LIMITS, clientAddress: CLIENT });
  });
  afterAll(() => api.close());

  // The bound: the same status and body every time, and over 30 tries each, interleaved, the medians
  // of known and unknown emails within 25 ms of each other (or a quarter of the slower median, when the
  // suite's other files load the machine so much that it is larger), and their ranges overlapping.
  // A password hashed on one side only (0.1 s of a core) is most of the slower median, so still fails.
  type Timed = Awaited<ReturnType<typeof timed>>;
  const compare = (known: Timed[], unknown: Timed[]) => {
    for (const a of [...known, ...unknown]) {
      expect(a.status).toBe(known[0].status);
      expect(a.body).toEqual(known[0].body);
    }
    const [k, u] = [known.map((a) => a.ms), unknown.map((a) => a.ms)];
    const gap = Math.abs(median(k) - median(u));
    expect(Math.min(...k)).toBeLessThan(Math.max(...u));
    expect(Math.min(...u)).toBeLessThan(Math.max(...k));
    return { known: median(k), unknown: median(u), gap };
  };

  it('Abuse limits: POST /password-resets answers known and unknown emails alike: status, body, time', async () => {
    const s = uniqueSuffix();
    const users = await Promise.all(Array.from({ length: 30 }, () => createUser(api.db)));
    const { known, unknown } = await interleaved(30, (kind, i) =>
      timed(api, '/password-resets', { email: kind === 'known' ? users[i].email : `nobody-${i}-${s}@firm.example` }),
    );
    const m = compare(known, unknown);
    console.log(`password resets: median known ${m.known.toFixed(1)} ms, unknown ${m.unknown.toFixed(1)} ms`);
    expect(m.gap).toBeLessThan(answerTimeBound(m));
  });

  it("Abuse limits: POST /sessions answers a known email's wrong password as an unknown email's", async () => {
    const s = uniqueSuffix();
    const user = await userWithPassword(api);
    const { known, unknown } = await interleaved(30, (kind, i) =>
      timed(api, '/sessions', {
        email: kind === 'known' ? user.email : `nobody-${i}-${s}@firm.example`,
        password: 'a wrong guess',
      }),
    );
    const m = compare(known, unknown);
    console.log(`sign-in: median known ${m.known.toFixed(1)} ms, unknown ${m.unknown.toFixed(1)} ms`);
    expect(m.gap).toBeLessThan(answerTimeBound(m));
  });

  it('Abuse limits: 200 resets with made-up links refused before hashing; a real link works once', async () => {
    const user = await createUser(api.db);
    const token = newToken();
    const reset = await api.db.passwordReset.create({
      data: { userId: user.id, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + 3600_000) },
    });
    // What one turn of hashing (CONCURRENT_HASHES at once) costs now, on this machine under this load.
    const turns = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await Promise.all(Array.from({ length: CONCURRENT_HASHES }, () => hashPassword('a new password here')));
      turns.push(performance.now() - start);
    }
    const turn = median(turns);
    const started = performance.now();
    const answers = await bounded(200, 50, (i) =>
      // Half to links that do not exist, half to a real one with a wrong token.
      api.call('POST', `/password-resets/${i % 2 ? randomUUID() : reset.id}`, {
        body: { token: newToken(), password: 'a new password here' },
      }),
    );
    const ms = performance.now() - started;
    expect(answers.every((a) => a.status === 404)).toBe(true);
    console.log(`200 made-up reset links refused in ${ms.toFixed(0)} ms (a hashing turn: ${turn.toFixed(0)} ms)`);
    // Hashing each would take 200 / CONCURRENT_HASHES turns (10 s unloaded); 3 s, or a quarter of those
    // turns as measured just now if the suite's load makes that longer, is far below either.
    expect(ms).toBeLessThan(Math.max(3000, ((200 / CONCURRENT_HASHES) * turn) / 4));

    // Single use still: two completions at once with the right token, one wins.
    const both = await Promise.all(
      ['first new password', 'other new password'].map((password) =>
        api.call('POST', `/password-resets/${reset.id}`, { body: { token, password } }),
      ),
    );
    expect(both.map((a) => a.status).sort()).toEqual([200, 409]);
  });
});
