// npm run bench:api — the authenticated hot path (issue 13), one run on the local stack against a
// database of its own. The API runs compiled (node dist/api/main.js, as npm start and the image run
// it) in a process of its own; the load comes from autocannon in this one, 20 connections for
// BENCH_API_SECONDS each. Prints throughput, p50, p97.5 and p99 for:
//  1. /healthz: no authentication, no database (the raw baseline of this process);
//  2. GET /me: the token checked, the actor and the answer read (one statement);
//  3. GET /organizations/{id}/third-party-users: the same, then the decision point (the organization's
//     facts, one statement), then the list (one statement).
// Each authenticated figure is also given as a ratio to /healthz's throughput on the same process, and
// with the API process's CPU time per request: the load generator shares the cores, so that figure is
// the one that does not depend on what else runs. The load generator's own CPU per request is printed
// next to it, to show how much of the two cores the load took.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { loadConfig } from '../platform/config';
import { createDatabase } from '../platform/database';
import { mintToken } from '../api/identity';
import { createTenant } from '../test/integration/authorization-matrix.world';

const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 20);

async function load(url: string, token: string | undefined, pid: number | undefined) {
  // A short warm-up first (JIT, pool connections), not counted.
  await run(url, token, 2);
  const cpu = cpuMs(pid);
  const loadCpu = process.cpuUsage();
  const r = await run(url, token, SECONDS);
  const { user, system } = process.cpuUsage(loadCpu);
  return {
    ...r,
    cpuPerRequest: (cpuMs(pid) - cpu) / r.requests,
    loadCpuPerRequest: (user + system) / 1000 / r.requests,
  };
}

/** The process's user and system CPU time so far, in ms (Linux /proc; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 1/100 s
  } catch {
    return NaN;
  }
}

/**
 * The load: autocannon, as the issue measured it, in this process (the API has its own). Its per-request
 * cost is a small part of fetch's, which this bench used before: on two cores the load generator's CPU
 * is taken from the API's and PostgreSQL's, so a heavy one understates the API.
 */
async function run(url: string, token: string | undefined, seconds: number) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const requests = result.requests.total;
  return {
    requests,
    perSecond: requests / seconds,
    p50: result.latency.p50,
    p975: result.latency.p97_5,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

async function startCompiledApi(port: number) {
  const api = spawn('node', ['dist/api/main.js'], {
    env: { ...process.env, API_PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, pid: api.pid, stop: () => api.kill('SIGTERM') };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  api.kill('SIGKILL');
  throw new Error('the compiled API did not become ready (npm run build first?)');
}

const ms = (value: number) => `${value.toFixed(1).padStart(5)} ms`;

async function main() {
  const config = loadConfig();
  const db = createDatabase(config.DATABASE_URL);
  const tenant = await createTenant(db);
  const { AUTH_JWT_SECRET: secret, AUTH_JWT_ISSUER: issuer, AUTH_JWT_AUDIENCE: audience } = config;
  const settings = { secret, issuer, audience };
  const token = await mintToken(settings, tenant.people.orgAdmin);
  const api = await startCompiledApi(Number(process.env.BENCH_API_PORT ?? 3990));
  console.log(`bench:api — ${CONNECTIONS} connections, ${SECONDS} s each after a 2 s warm-up, compiled API`);
  const rows: Array<[string, string | undefined]> = [
    ['/healthz', undefined],
    ['/me', token],
    [`/organizations/${tenant.organizationId}/third-party-users`, token],
  ];
  let baseline = 0;
  try {
    for (const [path, bearer] of rows) {
      const r = await load(api.url + path, bearer, api.pid);
      if (!baseline) baseline = r.perSecond;
      const name = path.replace(tenant.organizationId, '{id}');
      const ratio = path === '/healthz' ? '' : `  ${(r.perSecond / baseline).toFixed(2)} of /healthz`;
      const failed = r.failed ? `  (${r.failed} not 200)` : '';
      const cpu = `CPU ms/req: API ${r.cpuPerRequest.toFixed(2)}, load ${r.loadCpuPerRequest.toFixed(2)}`;
      console.log(
        `${name.padEnd(42)} ${r.perSecond.toFixed(0).padStart(6)} req/s   p50 ${ms(r.p50)}   p97.5 ${ms(r.p975)}` +
          `   p99 ${ms(r.p99)}   ${cpu}${ratio}${failed}`,
      );
    }
  } finally {
    api.stop();
    await db.$disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
