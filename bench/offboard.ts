// npm run bench:offboard: one run on the local stack. Offboards a user who is in 1,000
// organizations with 10 assignments in each, through the real worker process, and prints:
//  1. the total time and organizations per second (from the request to COMPLETED);
//  2. the worker process's peak resident memory (VmHWM);
//  3. the raw baseline: the same per-organization transactions called directly, 10 at a time,
//     without Temporal, on identical worlds, once before the workflow and once after it; and the ratio.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../platform/config';
import { createDatabase, type Database } from '../platform/database';
import { connectTemporal } from '../platform/temporal';
import { offboardingActivities } from '../activities/offboarding';
import { OffboardingClient } from '../workflows/offboarding/client';
import { offboardingWorkflowId } from '../workflows/offboarding/messages';
import { nodeArgs } from './support';

const ORGS = Number(process.env.BENCH_ORGS ?? 1000);
const PER_ORG = 10;
const PARALLEL = 10;
const config = loadConfig();
const db = createDatabase(config.DATABASE_URL);

async function world(db: Database, label: string) {
  const firm = await db.partnerFirm.create({ data: { name: `Bench ${label}` } });
  const [owner, leaving, replacement] = await Promise.all(
    ['owner', 'leaving', 'replacement'].map((n) =>
      db.user.create({ data: { email: `${n}-${label}-${randomUUID()}@bench.example`, displayName: n } }),
    ),
  );
  await db.practiceStaffMember.createMany({
    data: [
      { userId: owner.id, partnerFirmId: firm.id, role: 'ACCOUNT_OWNER' },
      { userId: leaving.id, partnerFirmId: firm.id, role: 'STAFF' },
      { userId: replacement.id, partnerFirmId: firm.id, role: 'STAFF' },
    ],
  });
  const orgIds = Array.from({ length: ORGS }, () => randomUUID());
  await db.organization.createMany({ data: orgIds.map((id, i) => ({ id, name: `Bench org ${label} ${i}` })) });
  // AM-1: memberships the firm delegated, each under its relationship with that client.
  const relationships = orgIds.map((organizationId) => ({ id: randomUUID(), organizationId }));
  await db.clientRelationship.createMany({
    data: relationships.map((r) => ({
      id: r.id,
      workflowId: `client-relationship-${r.id}`,
      partnerFirmId: firm.id,
      organizationId: r.organizationId,
      state: 'ACTIVE' as const,
      roleCeiling: 'MEMBER' as const,
      durationDays: 365,
      autoExtend: false,
      expiresAt: new Date(Date.now() + 365 * 86400_000),
      reason: 'Bench.',
      transition: 1,
    })),
  });
  await db.membership.createMany({
    data: relationships.map((r) => ({
      userId: leaving.id,
      organizationId: r.organizationId,
      role: 'MEMBER' as const,
      source: 'DELEGATION' as const,
      clientRelationshipId: r.id,
    })),
  });
  await db.assignment.createMany({
    data: orgIds.flatMap((organizationId) =>
      Array.from({ length: PER_ORG }, (_, n) => ({
        organizationId,
        title: `Assignment ${n}`,
        ownerUserId: leaving.id,
      })),
    ),
  });
  return { firm, owner, leaving, replacement, orgIds };
}

/** VmHWM: the process's peak resident memory so far; VmRSS: now. */
function memoryMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`))!;
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

async function main() {
  process.stdout.write(`preparing three worlds of ${ORGS} organizations × ${PER_ORG} assignments...\n`);
  const viaWorkflow = await world(db, 'workflow');
  const raw = await world(db, 'raw');
  const rawAfter = await world(db, 'raw-after');

  // Baseline: the very same transactions, called directly, ten at a time. Run once before the workflow
  // and once after it, on a world of its own each: this 2-core machine is shared, and its load moves
  // within a minute (one run had the baseline at 0.62 of the workflow's time, the next at 1.57).
  const acts = offboardingActivities(db);
  async function rawBaseline(w: Awaited<ReturnType<typeof world>>): Promise<number> {
    const rawId = randomUUID();
    await db.offboarding.create({
      data: {
        id: rawId,
        workflowId: `raw-baseline-${rawId}`,
        partnerFirmId: w.firm.id,
        userId: w.leaving.id,
        replacementUserId: w.replacement.id,
        requestedById: w.owner.id,
        state: 'RUNNING',
        reason: 'baseline',
        total: ORGS,
      },
    });
    const r0 = process.hrtime.bigint();
    for (let i = 0; i < w.orgIds.length; i += PARALLEL) {
      await Promise.all(
        w.orgIds.slice(i, i + PARALLEL).map((organizationId) =>
          acts.offboardOrganization({
            offboardingId: rawId,
            workflowId: `raw-baseline-${rawId}`,
            partnerFirmId: w.firm.id,
            leavingUserId: w.leaving.id,
            replacementUserId: w.replacement.id,
            organizationId,
          }),
        ),
      );
    }
    return Number(process.hrtime.bigint() - r0) / 1e9;
  }
  const rawSecondsBefore = await rawBaseline(raw);

  // The real worker process, on a task queue of its own.
  const taskQueue = `bench-offboard-${Date.now()}`;
  // BENCH_WORKER_NODE_ARGS: e.g. --cpu-prof; its metrics listener is off (another worker may hold the port).
  const args = [
    ...nodeArgs('BENCH_WORKER_NODE_ARGS'),
    '--import',
    'tsx',
    join(__dirname, '..', 'workers', 'main.ts'),
  ];
  const worker = spawn(process.execPath, args, {
    env: {
      ...process.env,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'error',
      CLIENT_RELATIONSHIP_ADOPTION: 'off',
      WORKER_METRICS_PORT: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const temporal = await connectTemporal(config);
  try {
    const client = new OffboardingClient({ temporal, taskQueue, commandTimeoutMs: 120000 });
    // Warm-up: the worker bundles its workflows and connects before the clock starts.
    const warm = await world(db, 'warm-up').then(async (w) =>
      client
        .start({
          partnerFirmId: w.firm.id,
          leavingUserId: w.leaving.id,
          replacementUserId: w.replacement.id,
          requestedByUserId: w.owner.id,
        })
        .then(() => w),
    );
    await temporal.workflow.getHandle(offboardingWorkflowId(warm.firm.id, warm.leaving.id)).result();

    const warmRss = memoryMiB(worker.pid!, 'VmRSS');
    let runPeak = warmRss;
    const sampler = setInterval(() => (runPeak = Math.max(runPeak, memoryMiB(worker.pid!, 'VmRSS'))), 100);
    const t0 = process.hrtime.bigint();
    await client.start({
      partnerFirmId: viaWorkflow.firm.id,
      leavingUserId: viaWorkflow.leaving.id,
      replacementUserId: viaWorkflow.replacement.id,
      requestedByUserId: viaWorkflow.owner.id,
      parallelOrganizations: PARALLEL,
    });
    const result = await temporal.workflow
      .getHandle(offboardingWorkflowId(viaWorkflow.firm.id, viaWorkflow.leaving.id))
      .result();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    const moved = await db.assignment.count({ where: { ownerUserId: viaWorkflow.replacement.id } });
    const rawSecondsAfter = await rawBaseline(rawAfter);
    const rawSeconds = (rawSecondsBefore + rawSecondsAfter) / 2;
    const peak = memoryMiB(worker.pid!, 'VmHWM');

    const rows = [
      ['organizations', `${ORGS} (${PER_ORG} assignments each, ${PARALLEL} at a time)`],
      [
        'workflow: total time',
        `${seconds.toFixed(2)} s (state ${result.state}, ${result.done}/${result.total} organizations, ` +
          `${moved} assignments moved)`,
      ],
      ['workflow: organizations per second', (ORGS / seconds).toFixed(1)],
      [
        'raw transactions (no Temporal): organizations per second',
        `${(ORGS / rawSeconds).toFixed(1)} (before the workflow ${(ORGS / rawSecondsBefore).toFixed(1)}, ` +
          `after it ${(ORGS / rawSecondsAfter).toFixed(1)})`,
      ],
      ['ratio workflow / raw (the mean of both)', (rawSeconds / seconds).toFixed(2)],
      ['worker peak resident memory during the run (sampled)', `${runPeak} MiB (${warmRss} MiB before it)`],
      ['worker peak resident memory since start (VmHWM)', `${peak} MiB (includes bundling the workflows)`],
    ];
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(58)} ${v}\n`);
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await temporal.connection.close();
    await db.$disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
