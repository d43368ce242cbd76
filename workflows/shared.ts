// What every workflow of the engine does the same way. Workflow code: deterministic, no I/O.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** Activities retry with backoff until they succeed; business refusals are non-retryable failures. */
export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

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
