// Issue 12 (encrypted payloads): the codec server the Temporal UI decodes through, on the real API
// and database: who may call it, CORS for the UI's pages, and an audit row per decode.
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { startTestApi, tokens, type TestApi } from '../support/api';
import { config, uniqueSuffix } from '../support/services';
import { createUser } from '../support/world';
import { payloadCodec } from '../../platform/payload-codec';
import { codecServer, DECODE_AUDIT_ACTION, LOOPBACK_ACTOR_ID } from '../../api/codec-server';
import { Authorizer } from '../../domain/authorization/authorizer';
import { problemHandler } from '../../api/problem';
import { createLogger } from '../../platform/logger';

const UI = 'http://127.0.0.1:8233';
const codec = payloadCodec(config);
const person = {
  firstName: 'Zofia',
  lastName: 'Wiśniewska',
  email: 'zofia.w@consultancy.example',
  phone: '+48 22 123 45 67',
};

type PayloadJson = { metadata: Record<string, string>; data: string };
const toJson = (p: Payload): PayloadJson => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const valueOf = (p: PayloadJson) => JSON.parse(Buffer.from(p.data, 'base64').toString());
const encrypted = async (value: unknown) =>
  toJson((await codec.encode([defaultPayloadConverter.toPayload(value)!]))[0]);

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/codec${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': config.TEMPORAL_NAMESPACE, ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe('issue 12 codec server, production: operators only', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ codec: { codec, access: 'operator', corsOrigins: [UI] } });
  });
  afterAll(() => api.close());

  const audits = (actorId: string) => api.db.auditEntry.findMany({ where: { actorId, action: DECODE_AUDIT_ACTION } });

  it(
    'issue 12 codec server decodes real payloads for a support agent, ' +
      'and audits who, where and how many, never what',
    async () => {
      const agent = await createUser(api.db);
      await api.db.supportAgent.create({ data: { userId: agent.id } });
      const token = await api.token(agent.id);
      const plain = toJson(defaultPayloadConverter.toPayload({ before: 'encryption' })!);
      const payloads = [await encrypted(person), plain, await encrypted(null)];
      const res = await post(api.url, '/decode', { payloads }, { authorization: `Bearer ${token}`, origin: UI });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(UI);
      expect(res.body.payloads.map(valueOf)).toEqual([person, { before: 'encryption' }, null]);
      expect(Buffer.from(res.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');

      const [audit] = await audits(agent.id);
      expect(audit).toMatchObject({
        subjectId: config.TEMPORAL_NAMESPACE,
        detail: { payloads: 3, access: 'operator' },
      });
      expect(JSON.stringify(audit)).not.toMatch(/Zofia|Wiśniewska|zofia\.w|123 45 67/);

      // Encode (the UI's signal and query inputs) gives back what decode reads; it is not a decode, so not audited.
      const encoded = await post(api.url, '/encode', { payloads: [plain] }, { authorization: `Bearer ${token}` });
      expect(encoded.status).toBe(200);
      expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
      const back = await post(api.url, '/decode', encoded.body, { authorization: `Bearer ${token}` });
      expect(back.body.payloads.map(valueOf)).toEqual([{ before: 'encryption' }]);
      expect(await audits(agent.id)).toHaveLength(2);
    },
  );

  it('issue 12 codec server refuses anyone without an operator token, before decoding anything', async () => {
    const payloads = [await encrypted(person)];
    const anonymous = await post(api.url, '/decode', { payloads });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.type).toMatch(/unauthenticated$/);
    expect(JSON.stringify(anonymous.body)).not.toContain(person.email);

    const bogus = await post(api.url, '/decode', { payloads }, { authorization: 'Bearer not.a.token' });
    expect(bogus.status).toBe(401);

    // Signed in, but not a support agent: an org admin of some organization.
    const user = await createUser(api.db);
    const res = await post(
      api.url,
      '/decode',
      { payloads },
      { authorization: `Bearer ${await api.token(user.id)}`, origin: UI },
    );
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/operators/);
    // The refusal is readable by the UI's page (CORS on errors too), and nothing was audited.
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(await audits(user.id)).toHaveLength(0);
    const encode = await post(
      api.url,
      '/encode',
      { payloads },
      { authorization: `Bearer ${await api.token(user.id)}` },
    );
    expect(encode.status).toBe(403);
  });

  it('issue 12 codec server answers the UI origin’s preflight, and refuses another origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${api.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const ok = await preflight(UI);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/)).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-namespace']),
    );
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');

    const evil = await preflight('http://evil.example');
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    // Nor is a request from that origin decoded, token or not.
    const agent = await createUser(api.db);
    await api.db.supportAgent.create({ data: { userId: agent.id } });
    const res = await post(
      api.url,
      '/decode',
      { payloads: [await encrypted(person)] },
      {
        origin: 'http://evil.example',
        authorization: `Bearer ${await api.token(agent.id)}`,
      },
    );
    expect(res.status).toBe(403);
    expect(await audits(agent.id)).toHaveLength(0);
  });

  it('issue 12 codec server says what is wrong with a request: namespace, body, an altered payload', async () => {
    const agent = await createUser(api.db);
    await api.db.supportAgent.create({ data: { userId: agent.id } });
    const authorization = `Bearer ${await api.token(agent.id)}`;
    expect((await post(api.url, '/decode', { payloads: [] }, { authorization, 'x-namespace': '' })).status).toBe(400);
    expect((await post(api.url, '/decode', { payloads: {} }, { authorization })).status).toBe(400);
    // An empty list, as protobuf's JSON writes it (left out), is no payloads: the CLI sends it.
    expect(await post(api.url, '/decode', {}, { authorization })).toMatchObject({
      status: 200,
      body: { payloads: [] },
    });
    expect((await post(api.url, '/decode', { payloads: [{ data: 'not base64!' }] }, { authorization })).status).toBe(
      400,
    );
    const altered = await encrypted(person);
    altered.data = Buffer.from(Buffer.from(altered.data, 'base64').map((b, i) => (i === 20 ? b ^ 1 : b))).toString(
      'base64',
    );
    const res = await post(api.url, '/decode', { payloads: [altered] }, { authorization });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/failed authentication/);
  });
});

describe('issue 12 codec server, development: this machine only', () => {
  let api: TestApi;
  let server: Server;
  let external: string;
  beforeAll(async () => {
    api = await startTestApi({ codec: { codec, access: 'loopback', corsOrigins: [UI] } });
    // The same router listening on every interface, reached through this machine's own network
    // address: a caller that is not loopback.
    const address = Object.values(networkInterfaces())
      .flat()
      .find((i) => i?.family === 'IPv4' && !i.internal)?.address;
    if (!address) throw new Error('this test needs a network interface besides loopback');
    const app = express();
    app.set('trust proxy', true); // even a proxy's word that the caller is local does not count
    const logger = createLogger('codec-test', 'silent');
    app.use(
      '/codec',
      codecServer(
        { db: api.db, tokens, authorizer: new Authorizer(api.db), logger },
        { codec, access: 'loopback', corsOrigins: [UI] },
      ),
    );
    app.use(problemHandler(logger));
    server = await new Promise((resolve) => {
      const s = app.listen(0, '0.0.0.0', () => resolve(s));
    });
    external = `http://${address}:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await api.close();
  });

  it(
    'issue 12 codec server decodes for a caller on this machine ' +
      'without a token (the dev UI signs nobody in), audited',
    async () => {
      const namespace = `ns-${uniqueSuffix()}`;
      const res = await post(
        api.url,
        '/decode',
        { payloads: [await encrypted(person)] },
        { origin: UI, 'x-namespace': namespace },
      );
      expect(res.status).toBe(200);
      expect(res.body.payloads.map(valueOf)).toEqual([person]);
      const audit = await api.db.auditEntry.findMany({ where: { subjectId: namespace } });
      expect(audit).toMatchObject([
        { actorId: LOOPBACK_ACTOR_ID, action: DECODE_AUDIT_ACTION, detail: { payloads: 1, access: 'loopback' } },
      ]);
    },
  );

  it('issue 12 codec server refuses a caller from another machine, whatever X-Forwarded-For says', async () => {
    const namespace = `ns-${uniqueSuffix()}`;
    const res = await post(
      external,
      '/decode',
      { payloads: [await encrypted(person)] },
      { 'x-namespace': namespace, 'x-forwarded-for': '127.0.0.1' },
    );
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/this machine only/);
    expect(JSON.stringify(res.body)).not.toContain(person.email);
    expect(await api.db.auditEntry.count({ where: { subjectId: namespace } })).toBe(0);
    expect((await post(external, '/encode', { payloads: [] })).status).toBe(403);
  });
});
