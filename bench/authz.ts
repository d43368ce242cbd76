// npm run bench:authz — one run on the local stack, against a database of its own. Prints p50/p99 of:
//  1. a signed-in request that skips authorization (GET /me: authentication and one read): the baseline;
//  2. a signed-in request the decision point answers first (GET /organizations/{id}), and its ratio
//     to the baseline;
//  3. one decision with its entities read from the database (Authorizer.decide), as a route asks it;
//  4. Cedar's evaluation alone, over entities already in hand.
import { Authorizer, decideWith } from '../domain/authorization/authorizer';
import { principalEntity, resourceEntities } from '../domain/authorization/entities';
import { startTestApi } from '../test/support/api';
import { createTenant } from '../test/integration/authorization-matrix.world';

const N = Number(process.env.BENCH_AUTHZ ?? 2000);
const WARMUP = 200;

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return { p50: at(50), p99: at(99) };
}

async function measure(name: string, run: () => Promise<unknown> | unknown) {
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const start = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const { p50, p99 } = percentiles(samples);
  console.log(`${name.padEnd(58)} p50 ${p50.toFixed(3).padStart(8)} ms   p99 ${p99.toFixed(3).padStart(8)} ms`);
  return { p50, p99 };
}

async function main() {
  const api = await startTestApi();
  const tenant = await createTenant(api.db);
  const admin = tenant.people.orgAdmin;
  const token = await api.token(admin);
  const authorizer = new Authorizer(api.db);
  const ok = async (path: string) => {
    const res = await api.call('GET', path, { token });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  };
  console.log(`bench:authz — ${N} samples each after ${WARMUP} warm-up, one caller at a time`);
  const baseline = await measure('GET /me (signed in, no decision)', () => ok('/me'));
  const decided = await measure('GET /organizations/{id} (signed in, decided first)', () =>
    ok(`/organizations/${tenant.organizationId}`),
  );
  const request = {
    principalId: admin,
    action: 'viewOrganization' as const,
    resource: { type: 'Organization' as const, id: tenant.organizationId },
  };
  const decision = await measure('Authorizer.decide (entities read from the database)', () =>
    authorizer.decide(request),
  );
  const [principal, resource] = await Promise.all([
    principalEntity(api.db, admin),
    resourceEntities(api.db, request.resource),
  ]);
  const prepared = {
    principal: principal.uid as never,
    action: request.action,
    resource: resource.uid as never,
    context: {},
    entities: [principal, ...resource.entities],
  };
  const cedarOnly = await measure('Cedar evaluation alone (entities in hand)', () => decideWith(prepared));
  console.log(
    `ratio decided/baseline: p50 ${(decided.p50 / baseline.p50).toFixed(2)}x, ` +
      `p99 ${(decided.p99 / baseline.p99).toFixed(2)}x; ` +
      `the decision is ${((decision.p50 / decided.p50) * 100).toFixed(0)}% of the decided request's p50, ` +
      `Cedar alone ${((cedarOnly.p50 / decision.p50) * 100).toFixed(0)}% of the decision's`,
  );
  await api.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
