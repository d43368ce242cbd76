// The real worker process (workers/main.ts), started as a child on a task queue of the test's own,
// so a test can kill it the way an operator's machine would (SIGKILL: no drain, no goodbye).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './local-env';

export interface WorkerProcess {
  child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
}

export function startWorkerProcess(taskQueue: string): WorkerProcess {
  // node itself with tsx as a loader (not the tsx wrapper): the signal reaches the worker, not a parent.
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'workers', 'main.ts')], {
    cwd: repoRoot,
    // The test database is shared: its relationships are the other tests' to drive.
    env: { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn', CLIENT_RELATIONSHIP_ADOPTION: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20000)));
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
  };
}
