// What the benches that drive workflows share: an SMTP sink that accepts and drops every email (so a
// benchmark's 100,000 invitations do not fill the stack's mail UI), the compiled worker in a process
// of its own, and that process's memory.
import { createServer, type Server } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** Plain SMTP, just enough for nodemailer: every message is accepted and dropped, and counted. */
export async function startSmtpSink(): Promise<{ port: number; received: () => number; close: () => void }> {
  let received = 0;
  const server: Server = createServer((socket) => {
    let buffered = '';
    let inData = false;
    socket.on('error', () => socket.destroy());
    socket.write('220 bench-sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            received++;
            socket.write('250 OK dropped\r\n');
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-bench-sink\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the SMTP sink has no port');
  return { port: address.port, received: () => received, close: () => server.close() };
}

/**
 * Node's flags for a process the bench starts, from the environment: e.g. BENCH_WORKER_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/profiles" for a CPU profile, or "--max-old-space-size=512" for a smaller heap (the
 * SDK sizes the worker's workflow cache from the heap limit).
 */
export const nodeArgs = (variable: string): string[] => (process.env[variable] ?? '').split(/\s+/).filter(Boolean);

/**
 * The compiled worker (node dist/workers/main.js, as npm start and the image run it) on a task queue of
 * its own, mailing into `smtpPort`. Its metrics listener is off (another worker may hold the port) and
 * it adopts no client relationships (the bench's database is not its own).
 */
export function startCompiledWorker(o: { taskQueue: string; smtpPort: number }): ChildProcess {
  return spawn(
    process.execPath,
    [...nodeArgs('BENCH_WORKER_NODE_ARGS'), join(__dirname, '..', 'dist', 'workers', 'main.js')],
    {
      env: {
        ...process.env,
        TEMPORAL_TASK_QUEUE: o.taskQueue,
        SMTP_PORT: String(o.smtpPort),
        WORKER_METRICS_PORT: '0',
        CLIENT_RELATIONSHIP_ADOPTION: 'off',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** VmRSS: resident memory now; VmHWM: its peak since the process started. MiB. */
export function memoryMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`))!;
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task(i)` for i in [from, to) with at most `concurrency` under way; `gate` may hold the next one back. */
export async function inParallel(
  from: number,
  to: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
  gate: () => Promise<void> = async () => {},
): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < to) {
        await gate();
        const i = next++;
        if (i >= to) return;
        await task(i);
      }
    }),
  );
}

export const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * CPU seconds (user + system) spent so far by each process of the parts a workflow command crosses, read
 * from /proc (Linux; elsewhere nothing is found): the API and the worker by pid, the Temporal server (its
 * dev server on `temporalPort`) and PostgreSQL's processes by command line. Two snapshots around a load,
 * divided by its requests, say which part bounds it (`cpuPerRequest`). A PostgreSQL backend that exited
 * during the load is not counted (its CPU left with it); the benches' pools keep theirs open.
 */
type CpuPart = 'temporal' | 'worker' | 'api' | 'postgres';
export type CpuSnapshot = Map<string, { part: CpuPart; seconds: number }>;

/** Fields 14-15 of /proc/<pid>/stat (utime, stime) in clock ticks, 100 a second on Linux. */
const cpuSeconds = (pid: number | string): number => {
  try {
    // Counted from the ')' that closes the command name, which may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [utime, stime] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 13)
      .map(Number);
    return (utime + stime) / 100;
  } catch {
    return 0;
  }
};

const commandLine = (pid: string): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

export function cpuSnapshot(o: { apiPid?: number; workerPid?: number; temporalPort: number }): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return snapshot;
  }
  const partOf = (pid: string): CpuPart | null => {
    if (pid === String(o.apiPid)) return 'api';
    if (pid === String(o.workerPid)) return 'worker';
    const line = commandLine(pid);
    if (line.includes('server start-dev') && line.includes(`--port ${o.temporalPort} `)) return 'temporal';
    return line.startsWith('postgres') ? 'postgres' : null;
  };
  for (const pid of pids) {
    const part = partOf(pid);
    if (part) snapshot.set(pid, { part, seconds: cpuSeconds(pid) });
  }
  return snapshot;
}

/** Milliseconds of CPU per request of each part between two snapshots: "temporal 9.1, worker 6.0, …". */
export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number): string {
  const spent: Record<CpuPart, number> = { temporal: 0, worker: 0, api: 0, postgres: 0 };
  for (const [pid, { part, seconds }] of after) spent[part] += seconds - (before.get(pid)?.seconds ?? 0);
  return (Object.keys(spent) as CpuPart[])
    .map((part) => `${part} ${((spent[part] * 1000) / Math.max(requests, 1)).toFixed(1)}`)
    .join(', ');
}
