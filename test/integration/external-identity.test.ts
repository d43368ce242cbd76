// Issue 12, external identity: besides its own HS256 tokens the API accepts an OpenID Connect
// provider's, found by issuer discovery and verified against the provider's JWKS (RS256, ES256). The
// provider is played by a node:http server on 127.0.0.1 serving a discovery document and a JWKS the
// test changes while the API runs; tokens are minted with jose and sent to real routes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { startTestApi, tokens, type TestApi } from '../support/api';
import { createCustomerAccount, createOrganization, createPartnerAccount, createUser } from '../support/world';
import { ExternalIdentity } from '../../platform/external-identity';
import { endSessionsOf } from '../../domain/session-validity';

const P = 'https://partner-access.example/problems/';
const AUDIENCE = 'partner-access-api-external';
/** Short, so rotation is seen in seconds: a new kid may refetch 1 s after a fetch; a set lasts 3 s. */
const COOLDOWN_SECONDS = 1;
const MAX_AGE_SECONDS = 3;
const timings = { cooldownSeconds: COOLDOWN_SECONDS, maxAgeSeconds: MAX_AGE_SECONDS };

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(alg: 'RS256' | 'ES256', kid = `${alg}-${randomUUID().slice(0, 8)}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** The provider: a discovery document naming its JWKS, and the JWKS it publishes right now. */
class LocalProvider {
  published: JWK[] = [];
  jwksFetches = 0;
  private server?: Server;
  issuer = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') {
        const algs = { id_token_signing_alg_values_supported: ['RS256', 'ES256'] };
        res.end(JSON.stringify({ issuer: this.issuer, jwks_uri: this.jwksUri, ...algs }));
      } else if (req.url === '/jwks') {
        this.jwksFetches += 1;
        res.end(JSON.stringify({ keys: this.published }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  get jwksUri() {
    return `${this.issuer}/jwks`;
  }

  publish(...keys: SigningKey[]) {
    this.published.push(...keys.map((k) => k.jwk));
  }

  withdraw(key: SigningKey) {
    this.published = this.published.filter((k) => k.kid !== key.kid);
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const provider = new LocalProvider();
let rsa: SigningKey;
let ec: SigningKey;
let api: TestApi;

beforeAll(async () => {
  await provider.start();
  [rsa, ec] = await Promise.all([signingKey('RS256'), signingKey('ES256')]);
  provider.publish(rsa, ec);
  const externalIdentity = new ExternalIdentity({
    issuer: provider.issuer,
    audience: AUDIENCE,
    cooldownSeconds: COOLDOWN_SECONDS,
    maxAgeSeconds: MAX_AGE_SECONDS,
    nodeEnv: 'test',
  });
  api = await startTestApi({ externalIdentity });
});
afterAll(async () => {
  await api?.close();
  await provider.stop();
});

const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A provider's token: signed by `key`, for `sub`, valid for an hour, with the claims given. */
function mint(key: SigningKey, sub: string, claims: JWTPayload = {}, o: { iss?: string; aud?: string } = {}) {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(o.iss ?? provider.issuer)
    .setAudience(o.aud ?? AUDIENCE)
    .setSubject(sub)
    .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : now())
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now() + 3600)
    .sign(key.privateKey);
}

/** A first token for `email`, vouched for by the provider: it links the account to a new subject. */
const vouched = (email: string) => ({ email, email_verified: true });
const me = (token: string) => api.call('GET', '/me', { token });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function expectRefused(res: Awaited<ReturnType<TestApi['call']>>, detail: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  expect(res.body.type).toBe(`${P}unauthenticated`);
  expect(res.body.detail).toMatch(detail);
}

async function linkOf(userId: string) {
  const select = { externalIssuer: true, externalSubject: true };
  return api.db.user.findUniqueOrThrow({ where: { id: userId }, select });
}

describe('Issue 12 external identity: tokens the provider signs', () => {
  it.each(['RS256', 'ES256'] as const)('Issue 12 a %s token of the provider is accepted on a route', async (alg) => {
    const user = await createUser(api.db);
    const sub = `provider-${randomUUID()}`;
    const res = await me(await mint(alg === 'RS256' ? rsa : ec, sub, vouched(user.email)));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: user.id, email: user.email });
    expect(await linkOf(user.id)).toEqual({ externalIssuer: provider.issuer, externalSubject: sub });
  });

  it("Issue 12 roles come from the database, never from the token's claims", async () => {
    const { org, members } = await createOrganization(api.db, { MEMBER: 1 });
    const member = members.MEMBER[0];
    const claims = {
      ...vouched(member.email),
      ...{ role: 'ORG_ADMIN', roles: ['PORTAL_OWNER'], portalRole: 'OWNER', isSupportAgent: true },
    };
    const token = await mint(rsa, `provider-${randomUUID()}`, claims);
    const res = await me(token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      userId: member.id,
      memberships: [{ organizationId: org.id, role: 'MEMBER' }],
      isSupportAgent: false,
      portalRole: null,
    });
    // Admin-only: the member is refused whatever the token says.
    const ledger = await api.call('GET', `/organizations/${org.id}/access-ledger`, { token });
    expect(ledger.status).toBe(403);
  });

  it("Issue 12 the API's own HS256 tokens still work beside the provider's", async () => {
    const user = await createUser(api.db);
    expect((await me(await api.token(user.id))).status).toBe(200);
  });
});

describe('Issue 12 external identity: tokens refused', () => {
  let user: Awaited<ReturnType<typeof createUser>>;
  let sub: string;
  beforeAll(async () => {
    user = await createUser(api.db);
    sub = `provider-${randomUUID()}`;
    expect((await me(await mint(rsa, sub, vouched(user.email)))).status).toBe(200); // linked
  });

  it('Issue 12 another issuer: the same key and subject, but not the configured issuer', async () => {
    expectRefused(await me(await mint(rsa, sub, {}, { iss: `${provider.issuer}/other` })), /not valid/);
    expectRefused(await me(await mint(rsa, sub, {}, { iss: `${provider.issuer}/` })), /not valid/);
  });

  it('Issue 12 another audience', async () => {
    const res = await me(await mint(rsa, sub, {}, { aud: 'some-other-api' }));
    expectRefused(res, /not meant for this API \(audience\)/);
  });

  it('Issue 12 expired, and issued in the future', async () => {
    expectRefused(await me(await mint(rsa, sub, { iat: now() - 7200, exp: now() - 600 })), /expired/);
    expectRefused(await me(await mint(rsa, sub, { iat: now() + 600, exp: now() + 3600 })), /issued in the future/);
  });

  it('Issue 12 HS256, alg none and algorithm confusion are refused', async () => {
    const claims = { sub, iss: provider.issuer, aud: AUDIENCE, iat: now(), exp: now() + 3600 };
    const hs256 = (secret: Uint8Array, kid?: string) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...(kid ? { kid } : {}) }).sign(secret);
    // Signed with the API's own secret but claiming the provider as issuer.
    expectRefused(await me(await hs256(new TextEncoder().encode(tokens.secret))), /not signed with RS256 or ES256/);
    // The classic confusion: HMAC keyed with the provider's public key, which anyone can read.
    const publicJwk = new TextEncoder().encode(JSON.stringify(rsa.jwk));
    expectRefused(await me(await hs256(publicJwk, rsa.kid)), /not signed with RS256 or ES256/);
    // Unsigned.
    expectRefused(await me(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`), /not valid|not signed/);
    // The provider's key with the API's own issuer: the local verifier takes HS256 and its secret only.
    const local = await mint(rsa, user.id, {}, { iss: tokens.issuer, aud: tokens.audience });
    expectRefused(await me(local), /not valid/);
  });

  it('Issue 12 a key the provider does not publish, and a forged signature under a published kid', async () => {
    const stranger = await signingKey('RS256');
    expectRefused(await me(await mint(stranger, sub)), /key the identity provider does not publish/);
    const forger = { ...(await signingKey('ES256')), kid: ec.kid };
    expectRefused(await me(await mint(forger, sub)), /not valid/);
  });

  it('Issue 12 a deactivated user is refused (403), linked or matched by email, and is not linked', async () => {
    await api.db.user.update({ where: { id: user.id }, data: { status: 'DEACTIVATED' } });
    const res = await me(await mint(ec, sub));
    expect(res.status).toBe(403);
    expect(res.body.type).toBe(`${P}forbidden`);
    await api.db.user.update({ where: { id: user.id }, data: { status: 'ACTIVE' } });

    const inactive = await createUser(api.db, { status: 'DEACTIVATED' });
    const byEmail = await me(await mint(ec, `provider-${randomUUID()}`, vouched(inactive.email)));
    expect(byEmail.status).toBe(403);
    expect(await linkOf(inactive.id)).toEqual({ externalIssuer: null, externalSubject: null });
  });

  it("Issue 12 sessions-valid-after applies to the provider's tokens (iat)", async () => {
    const before = await mint(rsa, sub, { iat: now() - 5 });
    expect((await me(before)).status).toBe(200);
    await api.db.$transaction((tx) => endSessionsOf(tx, user.id, new Date((now() - 2) * 1000)));
    const res = await me(before);
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/Signed out everywhere/);
    expect((await me(await mint(rsa, sub, { iat: now() }))).status).toBe(200);
  });
});

describe('Issue 12 external identity: linking by sub, the verified email a first-time match only', () => {
  it('Issue 12 the first token with the verified email links the account; then the sub alone names it', async () => {
    const user = await createUser(api.db);
    const sub = `provider-${randomUUID()}`;
    expect((await me(await mint(rsa, sub, vouched(user.email.toUpperCase())))).body.userId).toBe(user.id);
    // The link holds whatever email later tokens carry, or none.
    const moved = vouched(`moved-${randomUUID()}@elsewhere.example`);
    expect((await me(await mint(rsa, sub, moved))).body.userId).toBe(user.id);
    expect((await me(await mint(ec, sub))).body.userId).toBe(user.id);
    expect((await me(await mint(ec, sub, { email: 42, email_verified: true }))).body.userId).toBe(user.id);
    // Another subject with the same verified email does not get the account.
    const other = await mint(rsa, `provider-${randomUUID()}`, vouched(user.email));
    expectRefused(await me(other), /linked to another identity/);
    expect(await linkOf(user.id)).toEqual({ externalIssuer: provider.issuer, externalSubject: sub });
  });

  it.each([
    ['email_verified false', { email_verified: false }],
    ['email_verified missing', {}],
    ['email_verified as the string "true"', { email_verified: 'true' }],
  ])('Issue 12 an email the provider does not vouch for (%s) matches nobody', async (_case, verified) => {
    const user = await createUser(api.db);
    const res = await me(await mint(rsa, `provider-${randomUUID()}`, { email: user.email, ...verified }));
    expectRefused(res, /No account here is linked to this identity/);
    expect(await linkOf(user.id)).toEqual({ externalIssuer: null, externalSubject: null });
  });

  it('Issue 12 an unknown subject with an unknown email is refused, and no account is created', async () => {
    const email = `nobody-${randomUUID()}@nowhere.example`;
    const res = await me(await mint(ec, `provider-${randomUUID()}`, vouched(email)));
    expectRefused(res, /No account here is linked to this identity.*tokens do not create accounts/);
    expect(await api.db.user.count({ where: { email } })).toBe(0);
  });

  it('Issue 12 two first tokens at once for one email: one subject wins, the other is refused', async () => {
    const user = await createUser(api.db);
    const subs = [`provider-${randomUUID()}`, `provider-${randomUUID()}`];
    const answers = await Promise.all(subs.map(async (s) => me(await mint(rsa, s, vouched(user.email)))));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    const winner = subs[answers.findIndex((a) => a.status === 200)];
    expect(await linkOf(user.id)).toEqual({ externalIssuer: provider.issuer, externalSubject: winner });
  });
});

describe('Issue 12 external identity: switching into a customer account (PA-5)', () => {
  it("Issue 12 PA-5 a provider's token is a subject token; its auth_time is the sign-in to be fresh", async () => {
    const { firm, staff } = await createPartnerAccount(api.db, ['ACCOUNT_OWNER']);
    const owner = staff[0];
    const customer = await createCustomerAccount(api.db, firm.id, { accessModel: 'INVITE_GUEST' });
    // The guest grant as accepting the customer's invitation leaves it (account-switching.test.ts does it all).
    await api.db.membership.create({
      data: { userId: owner.id, organizationId: customer.org.id, role: 'MEMBER', source: 'GUEST' },
    });
    const sub = `provider-${randomUUID()}`;
    const exchange = async (claims: JWTPayload) =>
      api.call('POST', '/token-exchange', {
        body: {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: await mint(ec, sub, { ...vouched(owner.email), ...claims }),
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          requested_account: customer.org.id,
        },
      });
    for (const stale of [{}, { auth_time: now() - 600 }]) {
      expect(await exchange(stale)).toMatchObject({ status: 401, body: { type: `${P}reauthentication-required` } });
    }
    const switched = await exchange({ auth_time: now() - 5 });
    const account = { type: 'customer', organizationId: customer.org.id };
    expect(switched).toMatchObject({ status: 200, body: { account } });
    expect((await me(switched.body.access_token)).status).toBe(200);
  });
});

describe('Issue 12 external identity: a freed email (PP-2)', () => {
  it('Issue 12 PP-2 freeing an email unlinks the account linked through it; the right account is next', async () => {
    const email = `held-${randomUUID()}@partner.example`;
    const wrong = await api.db.user.create({ data: { email, displayName: 'Wrongly Registered' } });
    const partnerEmail = `p-${randomUUID()}@partner.example`;
    const partner = await api.db.portalPartner.create({ data: { name: 'Partner', email: partnerEmail } });
    const held = await api.db.portalPartnerUser.create({
      data: {
        ...{ portalPartnerId: partner.id, email, firstName: 'Wrongly', lastName: 'Registered' },
        ...{ phone: '+44 20 7946 0958', userId: wrong.id, status: 'ACTIVE' as const },
      },
    });
    await api.db.portalEmail.create({ data: { email, ownerType: 'portal-partner-user', ownerId: held.id } });
    const sub = `provider-${randomUUID()}`;
    expect((await me(await mint(rsa, sub, vouched(email)))).body.userId).toBe(wrong.id); // linked by the email

    const agent = await createUser(api.db);
    await api.db.supportAgent.create({ data: { userId: agent.id } });
    const freed = await api.call('POST', '/support/portal-emails/free', {
      token: await api.token(agent.id),
      body: { email, reason: 'Registered by the wrong person (ticket 4712)' },
    });
    expect(freed.status).toBe(200);
    expect(await linkOf(wrong.id)).toEqual({ externalIssuer: null, externalSubject: null });
    await sleep(1100); // past the second the sessions ended in (iat is in whole seconds)
    expectRefused(await me(await mint(rsa, sub, vouched(email))), /No account here is linked/);

    const right = await createUser(api.db);
    await api.db.user.update({ where: { id: right.id }, data: { email } });
    expect((await me(await mint(rsa, sub, vouched(email)))).body.userId).toBe(right.id);
  });
});

describe('Issue 12 external identity: keys rotate without a restart', () => {
  it('Issue 12 a key published after start is accepted; a withdrawn one refused once the set is fetched', async () => {
    const user = await createUser(api.db);
    const sub = `provider-${randomUUID()}`;
    expect((await me(await mint(rsa, sub, vouched(user.email)))).status).toBe(200);

    const next = await signingKey('RS256');
    provider.publish(next);
    await sleep(COOLDOWN_SECONDS * 1000 + 200);
    const fetches = provider.jwksFetches;
    expect((await me(await mint(next, sub))).body.userId).toBe(user.id); // unknown kid: fetched again
    expect(provider.jwksFetches).toBe(fetches + 1);

    // Within the cooldown, tokens with unknown kids make no fetch (nobody can make us hammer the provider).
    for (let i = 0; i < 5; i++) {
      expectRefused(await me(await mint(await signingKey('ES256'), sub)), /does not publish/);
    }
    expect(provider.jwksFetches).toBe(fetches + 1);

    // Withdrawn: still accepted while the fetched set is fresh, refused once it is older than its maximum age.
    provider.withdraw(rsa);
    expect((await me(await mint(rsa, sub))).status).toBe(200);
    await sleep(MAX_AGE_SECONDS * 1000 + 200);
    expectRefused(await me(await mint(rsa, sub)), /key the identity provider does not publish/);
    expect((await me(await mint(next, sub))).status).toBe(200);
    provider.publish(rsa);
  });

  it('Issue 12 a withdrawn key is refused after the cooldown when an unknown kid makes the API refetch', async () => {
    const user = await createUser(api.db);
    const sub = `provider-${randomUUID()}`;
    const spare = await signingKey('ES256');
    provider.publish(spare);
    await sleep(COOLDOWN_SECONDS * 1000 + 200);
    expect((await me(await mint(spare, sub, vouched(user.email)))).status).toBe(200); // fetched now
    provider.withdraw(spare);
    await sleep(COOLDOWN_SECONDS * 1000 + 200); // past the cooldown, well within the maximum age
    expectRefused(await me(await mint(await signingKey('RS256'), sub)), /does not publish/); // refetches
    expectRefused(await me(await mint(spare, sub)), /key the identity provider does not publish/);
  });
});

describe('Issue 12 external identity: discovery', () => {
  // Each document points at the real provider's JWKS, whose keys would verify the token: only the
  // discovery rules stand between it and acceptance.
  const keysOf = (issuer: string) => ({ issuer, jwks_uri: provider.jwksUri });
  it.each([
    ['names another issuer', 'test', (_self: string) => keysOf(provider.issuer)],
    ['names plain http keys in production', 'production', (self: string) => keysOf(self)],
  ])('Issue 12 a discovery document that %s is not trusted', async (_case, nodeEnv, document) => {
    let self = '';
    const liar = createServer((_req, res) => res.end(JSON.stringify(document(self))));
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    self = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
    const identity = new ExternalIdentity({ ...timings, issuer: self, audience: AUDIENCE, nodeEnv });
    try {
      const fetches = provider.jwksFetches;
      const token = await mint(rsa, 'anyone', {}, { iss: self });
      await expect(identity.verify(token)).rejects.toThrow(/could not be reached/);
      expect(provider.jwksFetches).toBe(fetches);
    } finally {
      await new Promise((resolve) => liar.close(resolve));
    }
  });
});

describe('Issue 12 external identity: an unreachable provider', () => {
  it('Issue 12 answers 503 (the token may be fine), and logs no token', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }),
    );
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve)); // nothing listens there now
    const down = await startTestApi({
      externalIdentity: new ExternalIdentity({ ...timings, issuer, audience: AUDIENCE, nodeEnv: 'test', logger }),
    });
    try {
      const token = await mint(rsa, `provider-${randomUUID()}`, {}, { iss: issuer });
      const res = await down.call('GET', '/me', { token });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ type: `${P}not-ready`, detail: expect.stringMatching(/identity provider/) });
      // PA-5's token exchange verifies its subject token in the handler: the 503 is in its OpenAPI entry.
      const exchanged = await down.call('POST', '/token-exchange', {
        body: {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: token,
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          requested_account: 'home',
        },
      });
      expect(exchanged).toMatchObject({ status: 503, body: { type: `${P}not-ready` } });
      expect(lines.join('')).toMatch(/identity provider discovery failed/);
      expect(lines.join('')).not.toContain(token.split('.')[1]);
    } finally {
      await down.close();
    }
  });
});
