// Issue 13, an OpenAPI contract that holds: what the API answers outside its routes' handlers (other
// methods, bodies it cannot read) is what /openapi.json says.
import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/api';
import { createUser } from '../support/world';
import { fetchFrom } from '../support/client-address';

const P = 'https://partner-access.example/problems/';
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

it('Issue 13 contract: a method a known path does not take is 405 problem+json with Allow, not 404', async () => {
  const token = await api.token((await createUser(api.db)).id);
  const me = await api.call('DELETE', '/me', { token });
  expect(me.status).toBe(405);
  expect(me.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(me.body).toMatchObject({ type: P + 'method-not-allowed', status: 405 });
  expect(me.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'OPTIONS', 'PATCH']);
  // A path with parameters; and a path two route paths match, whose `Allow` is their union.
  const relationship = `/organizations/${randomUUID()}/third-party-users/${randomUUID()}`;
  const put = await api.call('PUT', relationship);
  expect(put.status).toBe(405);
  expect(put.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS']);
  const revoke = await api.call('PUT', '/invitations/revoke-by-email');
  expect(revoke.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'OPTIONS', 'POST']);
  const options = await api.call('OPTIONS', '/me');
  expect(options.status).toBe(204);
  expect(options.headers.get('allow')).toContain('PATCH');
  // A path no route has stays 404.
  expect((await api.call('DELETE', '/no-such-path')).status).toBe(404);
  const doc = (await api.call('GET', '/openapi.json')).body;
  expect(doc.info.description).toMatch(/405 \(method-not-allowed\) with `Allow`/);
});

it('Issue 13 contract: a body in a charset it cannot read is 415 where one is taken, ignored elsewhere', async () => {
  const token = await api.token((await createUser(api.db)).id);
  const latin1 = 'application/json; charset=latin1';
  const patch = await api.call('PATCH', '/me', { token, body: { displayName: 'Zoë' }, contentType: latin1 });
  expect(patch.status).toBe(415);
  expect(patch.body).toMatchObject({ type: P + 'unsupported-media-type' });
  const doc = (await api.call('GET', '/openapi.json')).body;
  expect(doc.paths['/me'].patch.responses).toHaveProperty('415');
  // DELETE of a relationship takes no body: one sent, readable or not, is not read (its entry lists no 415).
  const path = `/organizations/${randomUUID()}/third-party-users/${randomUUID().replace(/-/g, '')}`;
  const entry = doc.paths['/organizations/{organizationId}/third-party-users/{relationshipId}'];
  expect(entry.delete.responses).not.toHaveProperty('415');
  const del = await api.call('DELETE', path, { token, rawBody: '{not json', contentType: latin1 });
  expect(del.status).toBe(404);
});

it('Issue 13 contract: a conditional GET answers 200 and its body, never an undeclared 304', async () => {
  const token = await api.token((await createUser(api.db)).id);
  const first = await api.call('GET', '/me', { token });
  expect(first.status).toBe(200);
  // node:http (fetchFrom), not fetch: fetch adds `Cache-Control: no-cache` to a conditional request, which no server
  // answers 304. A cache or a client that validates sends If-None-Match alone; '*' matches any validator.
  const client = fetchFrom('127.0.0.1');
  const again = await client
    .fetch(api.url + '/me', { headers: { authorization: `Bearer ${token}`, 'if-none-match': '*' } })
    .finally(client.close);
  expect(again.status).toBe(200);
  expect(await again.json()).toEqual(first.body);
  // And no validator is offered for a client to send back.
  expect(first.headers.get('etag')).toBeNull();
  const doc = (await api.call('GET', '/openapi.json')).body;
  expect(doc.paths['/me'].get.responses).not.toHaveProperty('304');
});

it('INT-1 contract: the ticket lookup’s path pattern leaves out . and .., which no URL can carry', async () => {
  const doc = (await api.call('GET', '/openapi.json')).body;
  const parameter = doc.paths['/support/tickets/{ticketId}'].get.parameters.find(
    (p: { name: string }) => p.name === 'ticketId',
  );
  const pattern = new RegExp(parameter.schema.pattern);
  expect(['.', '..'].filter((id) => pattern.test(id))).toEqual([]);
  expect(['...', '.a', 'T-1', 'ZD:42'].filter((id) => !pattern.test(id))).toEqual([]);
  // Why: the client removes the dot segment, and the request reaches another path, whose answer the
  // lookup's entry does not list.
  const agent = await createUser(api.db);
  await api.db.supportAgent.create({ data: { userId: agent.id } });
  const token = await api.token(agent.id);
  const dot = await api.call('GET', '/support/tickets/.', { token });
  expect(dot.status).toBe(405);
  expect(doc.paths['/support/tickets/{ticketId}'].get.responses).not.toHaveProperty('405');
  // An id the pattern takes reaches the lookup.
  expect((await api.call('GET', '/support/tickets/...', { token })).status).toBe(404);
});
