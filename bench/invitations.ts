// npm run bench:invitations (issue 13): BENCH_INVITATIONS (default 100,000) pending invitations held by
// one compiled worker process, on the local stack, in the benches' own Temporal namespace. Prints:
//  1. the start rate: each invitation is started with the client directly (workflow.start with the
//     input InvitationsClient.open builds, Practice Staff invitations of one firm), not through the
//     API, which would wait for each first email; at most BENCH_INVITATIONS_WINDOW started and not
//     yet sent, so the server's queue stays short and the rate is what the worker sustains;
//  2. the worker's resident memory once all are pending, with its workflow cache settings;
//  3. the drain: the last tenth (BENCH_INVITATIONS_EXPIRING) is started with an expiry that ends at
//     one common moment, and the time from that moment until every one is EXPIRED in the database.
// At the end every workflow the bench started is terminated, so the shared dev server is not left
// holding them.
import { execFileSync } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../platform/config';
import { createDatabase } from '../platform/database';
import { connectTemporal } from '../platform/temporal';
import { relationshipIdFor } from '../domain/third-party-access';
import { timingsFor } from '../domain/invitations';
import { InvitationKindKey, ProcessStateKey } from '../domain/search-attributes';
import { invitationWorkflowId, type InvitationInput } from '../workflows/invitation/messages';
import type { invitation } from '../workflows/invitation/workflow';
import { RETENTION_SCHEDULE_ID } from '../workflows/retention/messages';
import {
  inParallel,
  memoryMiB,
  nodeArgs,
  sleep,
  startCompiledWorker,
  startSmtpSink,
  stopProcess,
  thousands,
} from './support';

const TOTAL = Number(process.env.BENCH_INVITATIONS ?? 100_000);
const EXPIRING = Number(process.env.BENCH_INVITATIONS_EXPIRING ?? Math.round(TOTAL / 10));
const WINDOW = Number(process.env.BENCH_INVITATIONS_WINDOW ?? 100);
const STARTERS = 32;
// The pending ones measure the start rate the expiring ones' common deadline is computed from.
if (!(EXPIRING > 0 && EXPIRING < TOTAL)) {
  throw new Error(`BENCH_INVITATIONS_EXPIRING (${EXPIRING}) must be above 0 and below BENCH_INVITATIONS (${TOTAL})`);
}
const config = loadConfig();
const db = createDatabase(config.DATABASE_URL);
const run = Date.now().toString(36);
const taskQueue = `bench-invitations-${run}`;

/** The SDK's default cache size, which the worker uses (it sets none): from the V8 heap limit of its process. */
function workerCacheSettings(): string {
  const heapLimit = Number(
    execFileSync(
      process.execPath,
      [...nodeArgs('BENCH_WORKER_NODE_ARGS'), '-p', 'require("v8").getHeapStatistics().heap_size_limit'],
      {
        env: process.env,
      },
    ).toString(),
  );
  const heapMiB = heapLimit / 2 ** 20;
  const maxCached = Math.max(Math.floor((Math.max(heapMiB - 200, 0) * 600) / 1024), 10);
  return (
    `maxCachedWorkflows ${thousands(maxCached)} (the SDK's default for a V8 heap limit of ${thousands(heapMiB)} ` +
    `MiB${process.env.BENCH_WORKER_NODE_ARGS ? `, node ${process.env.BENCH_WORKER_NODE_ARGS}` : ''}; the worker ` +
    'sets none), reuseV8Context on, 40 workflow tasks and 100 activities at a time'
  );
}

async function main() {
  console.log(
    `bench:invitations: ${thousands(TOTAL)} invitations, the last ${thousands(EXPIRING)} expiring at one moment; ` +
      `namespace ${config.TEMPORAL_NAMESPACE}, task queue ${taskQueue}`,
  );
  const firm = await db.partnerFirm.create({ data: { name: `Bench firm ${run}` } });
  const owner = await db.user.create({
    data: { email: `owner-${run}@bench.example`, displayName: 'Bench Owner' },
  });
  await db.practiceStaffMember.create({ data: { userId: owner.id, partnerFirmId: firm.id, role: 'ACCOUNT_OWNER' } });

  const sink = await startSmtpSink();
  const worker = startCompiledWorker({ taskQueue, smtpPort: sink.port });
  const temporal = await connectTemporal(config);
  const handles: WorkflowHandle[] = [];
  let sampler: NodeJS.Timeout | undefined;
  // Ctrl-C (or bench.sh's TERM) stops the run where it is; what was started is still terminated below.
  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const wait = async (ms: number) => {
    if (stopping) throw new Error('bench:invitations stopped');
    await sleep(ms);
  };
  try {
    const start = async (i: number, expirySeconds?: number) => {
      const email = `invitee-${run}-${i}@bench.example`;
      const input: InvitationInput = {
        kind: 'PRACTICE_STAFF',
        scopeId: firm.id,
        invitee: { email, firstName: 'Bench', lastName: `Invitee ${i}` },
        invitedByUserId: owner.id,
        offer: { role: 'STAFF' },
        details: {},
        timings: timingsFor('PRACTICE_STAFF', expirySeconds ? { expirySeconds } : {}),
      };
      handles[i] = await temporal.workflow.start<typeof invitation>('invitation', {
        workflowId: invitationWorkflowId(
          'PRACTICE_STAFF',
          firm.id,
          relationshipIdFor(config.RELATIONSHIP_ID_KEY, email),
        ),
        taskQueue,
        args: [input],
        typedSearchAttributes: [
          { key: InvitationKindKey, value: 'PRACTICE_STAFF' },
          { key: ProcessStateKey, value: 'STARTED' },
        ],
      });
    };
    const sent = async () =>
      db.invitationSend.count({ where: { invitation: { scopeId: firm.id } } }).then((n) => n - warmUps);

    // Warm-up: the worker connects and loads its bundle before the clock starts.
    const warmUps = 1;
    await start(TOTAL);
    while ((await db.invitationSend.count({ where: { invitation: { scopeId: firm.id } } })) < warmUps)
      await sleep(200);
    const idleRss = memoryMiB(worker.pid!, 'VmRSS');
    console.log(`worker ready, resident memory ${idleRss} MiB`);

    let sentSoFar = 0;
    let startedSoFar = 0;
    let peakRss = idleRss;
    sampler = setInterval(() => {
      if (worker.exitCode === null) peakRss = Math.max(peakRss, memoryMiB(worker.pid!, 'VmRSS'));
      // A database outage mid-run (another test restarting PostgreSQL) pauses the count, not the run.
      void sent().then(
        (n) => (sentSoFar = n),
        () => undefined,
      );
    }, 500);
    const gate = (window: number) => async () => {
      while (startedSoFar - sentSoFar >= window) await wait(50);
      if (stopping) throw new Error('bench:invitations stopped');
    };
    const t0 = Date.now();
    let lastReport = t0;
    const progress = () => {
      if (Date.now() - lastReport < 15_000) return;
      lastReport = Date.now();
      const s = (Date.now() - t0) / 1000;
      console.log(
        `  ${s.toFixed(0).padStart(5)} s: ${thousands(startedSoFar)} started, ${thousands(sentSoFar)} sent ` +
          `(${(sentSoFar / s).toFixed(0)}/s), worker ${memoryMiB(worker.pid!, 'VmRSS')} MiB`,
      );
    };
    const pending = TOTAL - EXPIRING;
    await inParallel(
      0,
      pending,
      STARTERS,
      async (i) => {
        startedSoFar++;
        await start(i);
        progress();
      },
      gate(WINDOW),
    );
    while (sentSoFar < pending) await wait(100);
    const pendingSeconds = (Date.now() - t0) / 1000;
    const rate = pending / pendingSeconds;

    // The expiring ones: started as fast as the worker sends, each with the expiry that ends at `deadline`.
    const deadline = Date.now() + (EXPIRING / rate) * 1000 * 1.3 + 20_000;
    const t1 = Date.now();
    await inParallel(
      pending,
      TOTAL,
      STARTERS,
      async (i) => {
        startedSoFar++;
        await start(i, Math.max(1, Math.ceil((deadline - Date.now()) / 1000)));
        progress();
      },
      gate(Math.min(WINDOW, 20)), // a short queue: each expiry is its send time plus the same wait
    );
    while (sentSoFar < TOTAL) await wait(100);
    const allSeconds = (Date.now() - t0) / 1000;
    const expiringRate = EXPIRING / ((Date.now() - t1) / 1000);
    await sleep(3000); // the last workflow tasks settle on their timers
    const heldRss = memoryMiB(worker.pid!, 'VmRSS');

    const [window] = await db.$queryRaw<Array<{ first: Date; last: Date }>>`
      select min("expiresAt") as first, max("expiresAt") as last from "Invitation"
      where "scopeId" = ${firm.id}::uuid and "expiresAt" < now() + interval '1 day'`;
    if (Date.now() > window.first.getTime())
      console.log('  (the expiring tenth was sent late: the drain started early)');
    while (Date.now() < window.first.getTime()) await wait(50);
    let expired = 0;
    let drainPeakRss = memoryMiB(worker.pid!, 'VmRSS');
    while (expired < EXPIRING) {
      await wait(250);
      drainPeakRss = Math.max(drainPeakRss, memoryMiB(worker.pid!, 'VmRSS'));
      expired = await db.invitation.count({ where: { scopeId: firm.id, state: 'EXPIRED' } });
    }
    const drainSeconds = (Date.now() - window.first.getTime()) / 1000;
    clearInterval(sampler);
    const stillPending = await db.invitation.count({ where: { scopeId: firm.id, state: 'PENDING' } });

    const rows: Array<[string, string]> = [
      [
        'started and sent (first email out)',
        `${thousands(TOTAL)} in ${allSeconds.toFixed(0)} s: ${rate.toFixed(0)}/s ` +
          `for the first ${thousands(pending)}, ` +
          `${expiringRate.toFixed(0)}/s for the expiring ${thousands(EXPIRING)}; ${thousands(sink.received())} emails`,
      ],
      [
        'worker resident memory, all pending',
        `${heldRss} MiB (${idleRss} MiB idle before; peak sampled ${peakRss} MiB)`,
      ],
      ['worker cache settings', workerCacheSettings()],
      [
        'expiry deadlines of the expiring ones',
        `spread over ${((window.last.getTime() - window.first.getTime()) / 1000).toFixed(1)} s`,
      ],
      [
        `drain: ${thousands(EXPIRING)} expired at once`,
        `${drainSeconds.toFixed(1)} s from the first deadline to the last EXPIRED row ` +
          `(${(EXPIRING / drainSeconds).toFixed(0)}/s); worker peak ${drainPeakRss} MiB; ` +
          `${thousands(stillPending)} still PENDING`,
      ],
      ['worker peak resident memory since start (VmHWM)', `${memoryMiB(worker.pid!, 'VmHWM')} MiB`],
    ];
    for (const [k, v] of rows) console.log(`${k.padEnd(48)} ${v}`);
  } finally {
    if (sampler) clearInterval(sampler);
    await stopProcess(worker);
    // Nothing the bench started stays open on the shared server.
    const t = Date.now();
    let terminated = 0;
    const open = handles.filter(Boolean);
    await inParallel(0, open.length, STARTERS, async (i) => {
      await open[i].terminate('bench:invitations is over').then(
        () => terminated++,
        () => undefined, // already closed
      );
    });
    console.log(`terminated ${thousands(terminated)} workflows in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    // The worker registered the retention schedule on this run's task queue, which no worker polls now.
    await temporal.schedule
      .getHandle(RETENTION_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    sink.close();
    await temporal.connection.close();
    await db.$disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
