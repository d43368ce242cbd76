// AM-3: the authorization matrix, generated over every route the app mounts. Each route's own check
// (its `authorize`) is asked of the real policy decision point with entities read from the real
// database, exactly as the API asks it before a handler, for every actor on their own tenant and on
// another tenant; anonymous callers are tried over HTTP. The expected outcomes are one table
// (authorization-matrix.table.ts), reviewed like code.
import { loadActor } from '../../domain/actor';
import { Authorizer } from '../../domain/authorization/authorizer';
import { enforce, type AnyRoute } from '../../api/routes';
import { Problem } from '../../api/problem';
import { CODEC_CHECK, CODEC_ENDPOINTS } from '../../api/codec-server';
import { startTestApi, type TestApi } from '../support/api';
import { ACTORS, MATRIX, type Actor } from './authorization-matrix.table';
import { createTenant, type Tenant } from './authorization-matrix.world';

let api: TestApi;
let tenants: [Tenant, Tenant];

beforeAll(async () => {
  api = await startTestApi();
  tenants = [await createTenant(api.db), await createTenant(api.db)];
});
afterAll(() => api.close());

const keyOf = (route: AnyRoute) => `${route.method.toUpperCase()} ${route.path}`;

it('AM-3 every route the app mounts has its row in the matrix, and declares its check the way the row says', () => {
  const keys = [...api.routes.map(keyOf), ...CODEC_ENDPOINTS];
  expect(keys.filter((k) => !MATRIX[k])).toEqual([]);
  expect(Object.keys(MATRIX).filter((k) => !keys.includes(k))).toEqual([]);
  const declared = api.routes.map((r) => [keyOf(r), typeof r.authorize === 'function' ? 'checked' : 'anyone']);
  expect(declared).toEqual(api.routes.map((r) => [keyOf(r), MATRIX[keyOf(r)].anyone ? 'anyone' : 'checked']));
});

it('AM-3 each actor on their own tenant and on another tenant gets exactly what the matrix says', async () => {
  const authorizer = new Authorizer(api.db);
  const [target, other] = tenants;
  const outcome = async (route: AnyRoute, actor: Actor, from: Tenant) => {
    const request = MATRIX[keyOf(route)].request(target);
    const who = (await loadActor(api.db, from.people[actor]))!;
    const ctx = { actor: who, params: request.params ?? {}, query: request.query ?? {}, body: request.body ?? {} };
    try {
      if (typeof route.authorize !== 'function') return 'allow';
      await enforce(authorizer, who, await route.authorize(ctx as never));
      return 'allow';
    } catch (err) {
      if (err instanceof Problem && (err.kind === 'forbidden' || err.kind === 'not-found')) return 'deny';
      throw err;
    }
  };
  const seen: Record<string, Record<string, string>> = {};
  const expected: Record<string, Record<string, string>> = {};
  let cases = 0;
  let allows = 0;
  for (const route of api.routes.filter((r) => typeof r.authorize === 'function')) {
    const row = MATRIX[keyOf(route)];
    for (const actor of ACTORS) {
      for (const [side, from, allowed] of [
        ['own', target, row.own ?? []],
        ['other', other, row.other ?? []],
      ] as const) {
        const got = await outcome(route, actor, from);
        (seen[keyOf(route)] ??= {})[`${side} ${actor}`] = got;
        (expected[keyOf(route)] ??= {})[`${side} ${actor}`] = allowed.includes(actor) ? 'allow' : 'deny';
        cases += 1;
        if (got === 'allow') allows += 1;
      }
    }
  }
  expect(seen).toEqual(expected);
  // The figures the note reports.
  console.info(
    `authorization matrix: ${api.routes.length} routes, ${cases} cases, ${allows} allows, ${cases - allows} denies`,
  );
});

it(
  'AM-3 the codec server, outside the route table, lets exactly the matrix row’s actors ' + 'decode and encode',
  async () => {
    const authorizer = new Authorizer(api.db);
    const seen: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const endpoint of CODEC_ENDPOINTS) {
      const row = MATRIX[endpoint];
      for (const actor of ACTORS) {
        for (const [side, from, allowed] of [
          ['own', tenants[0], row.own ?? []],
          ['other', tenants[1], row.other ?? []],
        ] as const) {
          const who = (await loadActor(api.db, from.people[actor]))!;
          const decision = await enforce(authorizer, who, CODEC_CHECK).then(
            () => 'allow',
            (err: unknown) => {
              if (err instanceof Problem && err.kind === 'forbidden') return 'deny';
              throw err;
            },
          );
          seen[`${endpoint} ${side} ${actor}`] = decision;
          expected[`${endpoint} ${side} ${actor}`] = allowed.includes(actor) ? 'allow' : 'deny';
        }
      }
    }
    expect(seen).toEqual(expected);
  },
);

it('AM-3 an anonymous caller gets 401 on every route that needs a sign-in, before anything is decided', async () => {
  const statuses: Record<string, number> = {};
  for (const route of api.routes.filter((r) => r.auth)) {
    const request = MATRIX[keyOf(route)].request(tenants[0]);
    const path = route.path.replace(
      /:(\w+)/g,
      (_, name: string) => request.params?.[name] ?? '00000000-0000-4000-8000-000000000000',
    );
    const res = await api.call(route.method.toUpperCase(), path, route.body ? { body: {} } : {});
    statuses[keyOf(route)] = res.status;
  }
  expect(Object.entries(statuses).filter(([, status]) => status !== 401)).toEqual([]);
});
