// Identity and errors over HTTP against the real database: who you are comes from a verified token,
// what you may do comes from the database, and every error is problem+json with a stable type.
import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { startTestApi, tokens, type TestApi } from '../support/api';
import { createOrganization, createUser } from '../support/world';
import { updateMyProfile } from '../../domain/my-profile';
import { useCase } from '../../api/workflow-command';
import { Problem } from '../../api/problem';

const P = 'https://partner-access.example/problems/';
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

describe('identity', () => {
  it('GET /me answers with the roles the database holds', async () => {
    const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1 });
    const admin = members.ORG_ADMIN[0];
    const res = await api.call('GET', '/me', { token: await api.token(admin.id) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      userId: admin.id,
      email: admin.email,
      memberships: [{ organizationId: org.id, organizationName: org.name, role: 'ORG_ADMIN' }],
      practiceRoles: [],
      isSupportAgent: false,
      portalRole: null,
    });
  });

  it.each([
    ['no Authorization header', undefined, /bearer token/],
    ['a token signed with another secret', 'other', /not valid/],
    ['an expired token', 'expired', /expired/],
    ['a token for a user that does not exist', 'unknown-user', /no known user/],
    ['a token with the wrong audience', 'audience', /not valid/],
  ])('401 with %s', async (_case, kind, detail) => {
    const user = await createUser(api.db);
    const key = (s: string) => new TextEncoder().encode(s);
    let token: string | undefined;
    const base = () =>
      new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(tokens.issuer).setAudience(tokens.audience);
    if (kind === 'other')
      token = await base()
        .setSubject(user.id)
        .setExpirationTime('1h')
        .sign(key('x'.repeat(40)));
    if (kind === 'expired')
      token = await base()
        .setSubject(user.id)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(key(tokens.secret));
    if (kind === 'unknown-user') token = await api.token(randomUUID());
    if (kind === 'audience')
      token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(tokens.issuer)
        .setAudience('someone-else')
        .setSubject(user.id)
        .setExpirationTime('1h')
        .sign(key(tokens.secret));
    const res = await api.call('GET', '/me', { token });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.body.type).toBe(P + 'unauthenticated');
    expect(res.body.detail).toMatch(detail);
  });

  it('403 for a deactivated account, distinct from 401', async () => {
    const user = await createUser(api.db, { status: 'DEACTIVATED' });
    const res = await api.call('GET', '/me', { token: await api.token(user.id) });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe(P + 'forbidden');
  });

  it('roles come from the database, not the request: a member cannot claim to be an admin', async () => {
    const { members } = await createOrganization(api.db, { MEMBER: 1 });
    const token = await api.token(members.MEMBER[0].id);
    const res = await api.call('PATCH', '/me', { token, body: { displayName: 'New Name', role: 'ORG_ADMIN' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ pointer: '/role', message: 'unknown field', in: 'body' });
    const me = await api.call('GET', '/me', { token });
    expect(me.body.displayName).toBe('MEMBER 0'); // nothing half-written
    expect(me.body.memberships[0].role).toBe('MEMBER');
  });
});

describe('organizations and precise statuses', () => {
  it('a member reads their organization; a non-member gets 403; an unknown id 404; a malformed id 400', async () => {
    const { org, domain, members } = await createOrganization(api.db, { ORG_ADMIN: 1, MEMBER: 2 });
    const ok = await api.call('GET', `/organizations/${org.id}`, { token: await api.token(members.MEMBER[1].id) });
    expect(ok).toMatchObject({
      status: 200,
      body: { organizationId: org.id, domains: [domain], memberCount: 3, yourAccess: 'MEMBER' },
    });

    const outsider = await createUser(api.db);
    const token = await api.token(outsider.id);
    expect((await api.call('GET', `/organizations/${org.id}`, { token })).body.type).toBe(P + 'forbidden');
    const missing = await api.call('GET', `/organizations/${randomUUID()}`, { token });
    expect(missing).toMatchObject({ status: 404, body: { type: P + 'not-found' } });
    const malformed = await api.call('GET', '/organizations/not-a-uuid', { token });
    expect(malformed).toMatchObject({ status: 400, body: { type: P + 'validation-failed' } });
    expect(malformed.body.errors[0]).toMatchObject({ pointer: '/organizationId', in: 'params' });
  });

  it('PATCH /me changes the profile; bad JSON, a wrong content type and an empty change are refused', async () => {
    const user = await createUser(api.db);
    const token = await api.token(user.id);
    const ok = await api.call('PATCH', '/me', {
      token,
      body: { displayName: '  Ada Lovelace ', firmName: 'Analytical Ltd' },
    });
    expect(ok).toMatchObject({ status: 200, body: { displayName: 'Ada Lovelace', firmName: 'Analytical Ltd' } });

    expect((await api.call('PATCH', '/me', { token, rawBody: '{"displayName":' })).body.type).toBe(
      P + 'malformed-json',
    );
    const wrongType = await api.call('PATCH', '/me', { token, rawBody: 'displayName=x', contentType: 'text/plain' });
    expect(wrongType).toMatchObject({ status: 415, body: { type: P + 'unsupported-media-type' } });
    expect((await api.call('PATCH', '/me', { token, body: {} })).status).toBe(400);
  });

  it('PATCH /me for a user deleted after the request was authenticated: 404, and no event recorded', async () => {
    // The race the route cannot be driven into over HTTP (the user goes between authentication and the
    // update), through the route's own two steps: the use case, and useCase() turning its refusal into
    // the problem. Before, Prisma's P2025 reached the API as a 500.
    const user = await createUser(api.db);
    await api.db.user.delete({ where: { id: user.id } });
    const refused = useCase(() => updateMyProfile(api.db, user.id, { displayName: 'Gone' }));
    await expect(refused).rejects.toBeInstanceOf(Problem);
    await expect(refused).rejects.toMatchObject({ kind: 'not-found' });
    expect(await api.db.outboxEvent.count({ where: { aggregateId: user.id } })).toBe(0);

    const kept = await createUser(api.db);
    await updateMyProfile(api.db, kept.id, { firmName: 'Still Here Ltd' });
    expect(await api.db.outboxEvent.count({ where: { aggregateId: kept.id } })).toBe(1);
  });

  it('an unknown route is a 404 problem', async () => {
    const res = await api.call('GET', '/nowhere');
    expect(res).toMatchObject({ status: 404, body: { type: P + 'not-found', instance: '/nowhere' } });
  });
});

describe('API description', () => {
  it('/openapi.json is generated from the zod contracts, with problem responses', async () => {
    const res = await api.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/me', '/organizations/{organizationId}']),
    );
    const patch = res.body.paths['/me'].patch;
    expect(patch.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/UpdateMyProfileV1');
    expect(res.body.components.schemas.UpdateMyProfileV1.additionalProperties).toBe(false);
    expect(patch.responses['401'].content).toHaveProperty('application/problem+json');
    expect(res.body.paths['/readyz'].get.responses).toHaveProperty('503');
  });

  it('/docs serves Swagger UI', async () => {
    const res = await fetch(`${api.url}/docs/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger-ui');
  });
});
