// bench:api, second part (issue 13): commands that start workflows, through HTTP, next to the raw
// client on the same Temporal server. Run by `npm run bench:api` after bench/api.ts, against the same
// database; the compiled API and the compiled worker each in a process of their own (the worker on a
// task queue of its own, mailing into a sink). Each row runs BENCH_API_CONNECTIONS (20) at once for
// BENCH_API_SECONDS after a 2 s warm-up, and prints req/s, p50 and p99:
//  1. raw client.workflow.start of a no-op workflow (bench/workflows/noop.ts, on the bench's own
//     no-op worker; not in the production bundle): the baseline the issue names;
//  2. raw start and wait for the no-op's result: the round trip through a worker, which the two
//     commands below also wait for (an Update-with-Start answers once the workflow ran);
//  3. POST /organizations/{id}/third-party-users (TPU-2): a new third party each time;
//  4. POST /partner-firms/{id}/staff/invitations (PS-2): a new invitation each time, answered once its
//     first email is out.
// Rows 3 and 4 are also given as a ratio to row 1 (the issue's goal: at least 0.8) and to row 2.
// Every workflow the part started is terminated at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import { loadConfig } from '../platform/config';
import { createDatabase } from '../platform/database';
import { connectTemporal } from '../platform/temporal';
import { mintToken } from '../api/identity';
import { createTenant } from '../test/integration/authorization-matrix.world';
import {
  cpuPerRequest,
  cpuSnapshot,
  inParallel,
  nodeArgs,
  sleep,
  startCompiledWorker,
  startSmtpSink,
  stopProcess,
} from './support';

const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 20);
const PORT = Number(process.env.BENCH_API_WORKFLOWS_PORT ?? 3995);
const run = Date.now().toString(36);
const taskQueue = `bench-api-${run}`;
const noopQueue = `bench-api-noop-${run}`;

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
  firstFailure?: string;
}

/**
 * POSTs from a worker thread, so that the load does not share an event loop with what it measures.
 * `{n}` in the body becomes a number unique to the request.
 */
const LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, body, seconds, connections, expect, prefix } = workerData;
(async () => {
  const latencies = [];
  let failed = 0, firstFailure, n = 0;
  const end = Date.now() + seconds * 1000;
  const headers = { authorization: 'Bearer ' + token, 'content-type': 'application/json' };
  async function loop() {
    while (Date.now() < end) {
      const started = performance.now();
      const res = await fetch(url, { method: 'POST', headers, body: body.replaceAll('{n}', prefix + '-' + n++) });
      const text = await res.text();
      if (res.status !== expect) { failed++; firstFailure ??= res.status + ' ' + text.slice(0, 300); }
      latencies.push(performance.now() - started);
    }
  }
  await Promise.all(Array.from({ length: connections }, loop));
  parentPort.postMessage({ latencies, failed, firstFailure });
})();`;

function figures(latencies: number[], seconds: number, failed: number, firstFailure?: string): Figures {
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { perSecond: sorted.length / seconds, p50: at(0.5), p99: at(0.99), failed, firstFailure };
}

function postLoad(o: { url: string; token: string; body: string; expect: number; seconds: number; prefix: string }) {
  return new Promise<Figures>((resolve, reject) => {
    const thread = new Thread(LOAD, { eval: true, workerData: { ...o, connections: CONNECTIONS } });
    thread.once('error', reject);
    thread.once('message', (m: { latencies: number[]; failed: number; firstFailure?: string }) => {
      resolve(figures(m.latencies, o.seconds, m.failed, m.firstFailure));
      void thread.terminate();
    });
  });
}

/** The raw client in this process's main thread, which does nothing else meanwhile. */
async function rawLoad(seconds: number, call: () => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        const started = performance.now();
        await call().catch((err: Error) => {
          failed++;
          firstFailure ??= err.message;
        });
        latencies.push(performance.now() - started);
      }
    }),
  );
  return figures(latencies, seconds, failed, firstFailure);
}

async function startCompiledApi(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const api = spawn(
    process.execPath,
    [...nodeArgs('BENCH_API_NODE_ARGS'), join(__dirname, '..', 'dist', 'api', 'main.js')],
    {
      env: { ...process.env, ...env, API_PORT: String(PORT), PUBLIC_BASE_URL: `http://127.0.0.1:${PORT}` },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let i = 0; i < 240; i++) {
    const ready = await fetch(`http://127.0.0.1:${PORT}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return api;
    await sleep(250);
  }
  api.kill('SIGKILL');
  throw new Error('the compiled API did not become ready (npm run build first?)');
}

function startNoopWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'noop-worker.ts'), noopQueue], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the no-op worker exited (${code})`)));
    createInterface({ input: child.stdout! }).once('line', () => resolve(child));
  });
}

const row = (name: string, f: Figures & { cpu?: string }, ratios = '') =>
  console.log(
    `${name.padEnd(52)} ${f.perSecond.toFixed(0).padStart(5)} req/s   p50 ${f.p50.toFixed(1).padStart(6)} ms` +
      `   p99 ${f.p99.toFixed(1).padStart(6)} ms${ratios}` +
      (f.failed ? `  (${f.failed} failed; first: ${f.firstFailure})` : '') +
      (f.cpu ? `\n${''.padEnd(52)}   CPU ms per request: ${f.cpu}` : ''),
  );

async function main() {
  const config = loadConfig();
  const db = createDatabase(config.DATABASE_URL);
  const tenant = await createTenant(db);
  const settings = {
    secret: config.AUTH_JWT_SECRET,
    issuer: config.AUTH_JWT_ISSUER,
    audience: config.AUTH_JWT_AUDIENCE,
  };
  const orgAdmin = await mintToken(settings, tenant.people.orgAdmin);
  const accountOwner = await mintToken(settings, tenant.people.accountOwner);

  const sink = await startSmtpSink();
  const children: ChildProcess[] = [];
  const temporal = await connectTemporal(config);
  try {
    children.push(startCompiledWorker({ taskQueue, smtpPort: sink.port }));
    children.push(await startCompiledApi({ TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' }));
    children.push(await startNoopWorker());
    console.log(
      `\nbench:api, workflow commands: ${CONNECTIONS} connections, ${SECONDS} s each after a 2 s warm-up; ` +
        `compiled API and worker, namespace ${config.TEMPORAL_NAMESPACE}`,
    );

    let started = 0;
    const start = () =>
      temporal.workflow.start('benchNoop', { taskQueue: noopQueue, workflowId: `bench-noop-${run}-${started++}` });
    const execute = () =>
      temporal.workflow.execute('benchNoop', { taskQueue: noopQueue, workflowId: `bench-noop-${run}-${started++}` });
    // Where each row's CPU went, per request: what bounds a row on this machine's 2 cores.
    const temporalPort = Number(config.TEMPORAL_ADDRESS.split(':').at(-1));
    const [workerChild, apiChild, noopWorker] = children;
    const withCpu = async (parts: { apiPid?: number; workerPid?: number }, load: () => Promise<Figures>) => {
      const before = cpuSnapshot({ ...parts, temporalPort });
      const f = await load();
      const cpu = cpuPerRequest(before, cpuSnapshot({ ...parts, temporalPort }), f.perSecond * SECONDS);
      return { ...f, cpu };
    };
    const noop = { workerPid: noopWorker.pid };
    await rawLoad(2, start);
    const rawStart = await withCpu(noop, () => rawLoad(SECONDS, start));
    row('raw client.workflow.start (no-op)', rawStart);
    await rawLoad(2, execute);
    const rawExecute = await withCpu(noop, () => rawLoad(SECONDS, execute));
    row('raw start + result (no-op, through its worker)', rawExecute);

    const ratios = (f: Figures) =>
      `   ${(f.perSecond / rawStart.perSecond).toFixed(2)} of start, ` +
      `${(f.perSecond / rawExecute.perSecond).toFixed(2)} of start + result`;
    const api = `http://127.0.0.1:${PORT}`;
    const commands = [
      {
        name: 'POST /organizations/{id}/third-party-users',
        url: `${api}/organizations/${tenant.organizationId}/third-party-users`,
        token: orgAdmin,
        body: JSON.stringify({
          thirdPartyName: 'Bench Third',
          firmName: 'Elsewhere',
          email: 'tp-{n}@elsewhere.example',
        }),
        expect: 202,
      },
      {
        name: 'POST /partner-firms/{id}/staff/invitations',
        url: `${api}/partner-firms/${tenant.partnerFirmId}/staff/invitations`,
        token: accountOwner,
        body: JSON.stringify({
          email: 'staff-{n}@elsewhere.example',
          firstName: 'Bench',
          lastName: 'Staff',
          role: 'STAFF',
        }),
        expect: 201,
      },
    ];
    for (const c of commands) {
      await postLoad({ ...c, seconds: 2, prefix: `${run}-warm` });
      const parts = { apiPid: apiChild.pid, workerPid: workerChild.pid };
      const f = await withCpu(parts, () => postLoad({ ...c, seconds: SECONDS, prefix: run }));
      row(c.name, f, ratios(f));
    }
  } finally {
    for (const child of children.reverse()) await stopProcess(child);
    // What the part started stays open on no shared server: the relationships and invitations wait
    // for weeks, and no-op runs started last may not have run.
    const open: string[] = [];
    for await (const w of temporal.workflow.list({
      query: `ExecutionStatus = "Running" AND (TaskQueue = "${taskQueue}" OR TaskQueue = "${noopQueue}")`,
    }))
      open.push(w.workflowId);
    await inParallel(0, open.length, 16, async (i) => {
      await temporal.workflow
        .getHandle(open[i])
        .terminate('bench:api is over')
        .catch(() => undefined);
    });
    console.log(`terminated ${open.length} workflows`);
    sink.close();
    await temporal.connection.close();
    await db.$disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
