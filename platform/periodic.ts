// A task the worker runs by itself every so often (dispatching waiting tickets, applying kept CRM news):
// one pass at a time, a pass due while one runs is skipped, and stopping waits for the pass under way.

export interface Periodic {
  stop(): Promise<void>;
}

/** Runs `task` every `everyMs` (and once at once when `atStart`); the task logs its own failures. */
export function runEvery(everyMs: number, task: () => Promise<void>, opts: { atStart?: boolean } = {}): Periodic {
  let running: Promise<void> | null = null;
  const pass = () => {
    if (running) return;
    running = task()
      .catch(() => undefined)
      .finally(() => {
        running = null;
      });
  };
  if (opts.atStart) pass();
  const timer = setInterval(pass, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
