// What every workflow of the engine does the same way. Workflow code: deterministic, no I/O.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** Activities retry with backoff until they succeed; business refusals are non-retryable failures. */
export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Emails, sent after a transition and never by a command (AM-7). A day at most: SMTP that is down
 * longer than that loses the email, not the process. A permanent refusal (5xx, bad recipient) is not
 * retried at all (activities/notifications.ts).
 */
export const mail = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * News queued by transitions and delivered one after another by a single sender the main loop
 * starts, so a command never waits behind SMTP. `deliver` failing is the caller's to log (`failed`).
 */
export function newsSender<N>(deliver: (news: N) => Promise<void>, failed: (news: N, err: unknown) => void) {
  const queue: N[] = [];
  let sending = false;
  return {
    tell(news: N): void {
      queue.push(news);
    },
    /** Starts the sender if news waits and none runs. */
    start(): void {
      if (sending || queue.length === 0) return;
      sending = true;
      void (async () => {
        try {
          while (queue.length > 0) {
            const news = queue.shift()!;
            await deliver(news).catch((err) => failed(news, err));
          }
        } finally {
          sending = false;
        }
      })();
    },
    /** News waits and no sender runs: the main loop should wake to start one. */
    waiting: () => queue.length > 0 && !sending,
    /** Nothing queued and nothing being sent. */
    idle: () => queue.length === 0 && !sending,
  };
}

/** A business refusal: the caller's answer, never retried. */
export const refuse = (type: string, message: string, details?: unknown) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? undefined : [details] });

/**
 * Runs commands and transitions one at a time, in arrival order, so each records its event in order
 * exactly once (and two resends at once leave exactly one valid link).
 */
export function serializer(): <T>(fn: () => Promise<T>) => Promise<T> {
  let lock: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lock.then(fn);
    lock = run.catch(() => undefined);
    return run;
  };
}
