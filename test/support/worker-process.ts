// The real worker process (workers/main.ts) and API process (api/main.ts), started as children, so a
// test can kill them the way an operator's machine would (SIGKILL: no drain, no goodbye).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './local-env';

export interface WorkerProcess {
  child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
  /** Resolves once the output shows `pattern`; rejects if the process ends first or the time runs out. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export type ApiProcess = WorkerProcess & { url: string };

/** A port nobody listens on right now (for a child's API or metrics listener). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startProcess(entry: string, env: Record<string, string>): WorkerProcess {
  // node itself with tsx as a loader (not the tsx wrapper): the signal reaches the process, not a parent.
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, entry)], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const seen = new Set<(text: string) => void>();
  const append = (d: Buffer) => {
    out = (out + d).slice(-20000);
    for (const look of seen) look(String(d));
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      // A graceful stop gets 20 s to drain; then it is not graceful any more.
      const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
      await exited;
      clearTimeout(timer);
    },
    output: () => out,
    waitForOutput(pattern, timeoutMs = 60000) {
      if (pattern.test(out)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        let tail = '';
        const done = (err?: Error) => {
          seen.delete(look);
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        };
        // A chunk may split the pattern: match against what came since the wait began, bounded.
        const look = (text: string) => {
          tail = (tail + text).slice(-4000);
          if (pattern.test(tail)) done();
        };
        seen.add(look);
        const timer = setTimeout(
          () => done(new Error(`${entry}: no ${pattern} within ${timeoutMs} ms:\n${out}`)),
          timeoutMs,
        );
        void exited.then(() => done(new Error(`${entry} ended before ${pattern}:\n${out}`)));
      });
    },
  };
}

export function startWorkerProcess(taskQueue: string, env: Record<string, string> = {}): WorkerProcess {
  // The test database is shared: its relationships are the other tests' to drive.
  return startProcess(join('workers', 'main.ts'), {
    TEMPORAL_TASK_QUEUE: taskQueue,
    CLIENT_RELATIONSHIP_ADOPTION: 'off',
    ...env,
  });
}

/** The API process on its own port, its workflows on `taskQueue`; ready once /healthz answers. */
export async function startApiProcess(taskQueue: string, env: Record<string, string> = {}): Promise<ApiProcess> {
  const port = await freePort();
  const api = startProcess(join('api', 'main.ts'), {
    TEMPORAL_TASK_QUEUE: taskQueue,
    API_HOST: '127.0.0.1',
    API_PORT: String(port),
    ...env,
  });
  return { ...api, url: `http://127.0.0.1:${port}` };
}

/** Waits until the API process answers /healthz (it listens once its clients are made). */
export async function apiReady(api: ApiProcess, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${api.url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (api.child.exitCode !== null) throw new Error(`the API process ended:\n${api.output()}`);
    if (Date.now() > deadline)
      throw new Error(`the API process did not answer /healthz in ${timeoutMs} ms:\n${api.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
