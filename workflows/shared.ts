// What every workflow of the engine does the same way. Workflow code: deterministic, no I/O.
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  condition,
  defineQuery,
  defineUpdate,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  TemporalFailure,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { Activities } from '../activities';
import { PermanentFailure } from '../activities/failure-types';
import { ParkedReasonKey, ProcessStateKey } from '../domain/search-attributes';

/**
 * Activities retry with backoff until they succeed; business refusals are non-retryable failures.
 * No time limit: for workflows whose steps do not park yet (`steps` and `parking` below are the
 * issue-12 way), so a long outage still never fails their run.
 */
export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Database steps of a workflow that parks (`parking().step`). Each is one short transaction, so one
 * that has not succeeded in 6 hours of retries is no blip: the database is down or the step hits a
 * bug, and an operator must see it. The run then parks (STEP_TIMED_OUT) instead of retrying silently
 * for ever; the operator retries it once the cause is fixed. Shorter outages heal by themselves, as
 * before. A permanent failure (a missing row, refused data) stops the retries at once.
 */
export const steps = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Issue 13: the same database steps as local activities, with the same limits. The worker that runs the
 * workflow task runs the step inside it and records its result as a marker, instead of the server
 * scheduling an activity task, a worker polling it and a second workflow task reading its result. A
 * command whose Update waits on two steps (TPU-2: look the third party up, record the transition) then
 * answers after one workflow task instead of three, with two fewer server round trips per step.
 * Retries: backoffs up to `localRetryThreshold` are slept in the worker; longer ones become timers in
 * the history. Operators see the step as a marker in the UI; an attempt that failed is not a pending
 * activity there, but a step that keeps failing parks the run as before (ProcessState, ParkedReason).
 * Emails after a transition stay activities (`mail`): a workflow task must not wait on SMTP. The one
 * email that is a step, an invitation's link (sendInvitation), is one its command waits on anyway.
 */
const localActivities = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '6 hours',
  localRetryThreshold: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * A local activity's last failure reaches the workflow unwrapped (an ApplicationFailure or a
 * TimeoutFailure, not an ActivityFailure: sdk-core#449). Wrapped here as an activity's would be, so
 * parking (permanentStepFailure) and the commands that read a step's refusal (`err.cause`) treat both
 * alike, with the step's name. Deterministic: built from the failure alone.
 */
function asActivityFailure(activityType: string, err: unknown): unknown {
  if (!(err instanceof TemporalFailure) || err instanceof ActivityFailure || err instanceof CancelledFailure) {
    return err;
  }
  const retryState =
    err instanceof TimeoutFailure
      ? RetryState.TIMEOUT
      : err instanceof ApplicationFailure && err.nonRetryable
        ? RetryState.NON_RETRYABLE_FAILURE
        : RetryState.MAXIMUM_ATTEMPTS_REACHED;
  return new ActivityFailure('Local activity failed', activityType, undefined, retryState, undefined, err);
}

const localSteps = new Proxy(localActivities, {
  get(target, activityType: string) {
    const schedule = target[activityType as keyof Activities] as (...args: unknown[]) => Promise<unknown>;
    return (...args: unknown[]) =>
      schedule(...args).catch((err: unknown) => {
        throw asActivityFailure(activityType, err);
      });
  },
});

/** New in issue 13: histories recorded before it scheduled these steps as activities. */
const LOCAL_DATABASE_STEPS = 'issue-13-local-database-steps';

/**
 * The database steps of a workflow whose commands wait on them: local activities in runs recorded with
 * issue 13's code (the patch), activities (`steps`) in the histories recorded before, which replay so.
 * Call it where the step is scheduled, so a long-lived run switches at its first new workflow task.
 */
export const databaseSteps = (): typeof steps => (patched(LOCAL_DATABASE_STEPS) ? localSteps : steps);

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
  ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? undefined : [details],
  });

/**
 * Why a run stopped making progress on its own: the ParkedReason search attribute and the `parked`
 * query. Codes only (operators list every run of one cause), never a message or personal data.
 */
export const ParkedReason = {
  /** A row a step needs is missing (activities/permanent.ts). */
  missingRow: 'MISSING_ROW',
  /** A step's data was refused (schema, foreign key, a use case's rule). */
  rejectedInput: 'REJECTED_INPUT',
  /** SMTP refused an email for good. */
  emailRefused: 'EMAIL_REFUSED',
  /** A step kept failing (an outage) until its schedule-to-close limit. */
  stepTimedOut: 'STEP_TIMED_OUT',
  /** An activity's own non-retryable failure of a type not listed here. */
  stepRefused: 'STEP_REFUSED',
} as const;
export type ParkedReason = (typeof ParkedReason)[keyof typeof ParkedReason];

const reasonOfType: Record<string, ParkedReason> = {
  [PermanentFailure.missingRow]: ParkedReason.missingRow,
  [PermanentFailure.rejectedInput]: ParkedReason.rejectedInput,
  [PermanentFailure.emailRefused]: ParkedReason.emailRefused,
};

/** A step that failed for good: what parks or ends the run. */
export interface PermanentStepFailure {
  reason: ParkedReason;
  /** The activity that failed (its type name). */
  step: string;
  /** The failure's type: a PermanentFailure, an activity's own refusal type, or the timeout's. */
  type: string;
  /** The activity's message: ids and rule names only (activities/permanent.ts). */
  message: string;
}

/**
 * Whether an error a workflow caught is a step that failed for good: an activity's non-retryable
 * failure, or one that ran out of its schedule-to-close time. Null for anything else (a workflow's
 * own refusal, a cancellation), which the caller rethrows.
 */
export function permanentStepFailure(err: unknown): PermanentStepFailure | null {
  if (!(err instanceof ActivityFailure)) return null;
  const { cause } = err;
  const step = err.activityType;
  // Out of time: the limit fired during an attempt (a TimeoutFailure), or the server gave up because the
  // next retry would pass it (its retry state says so; the cause is the last attempt's error).
  const outOfTime = err.retryState === RetryState.TIMEOUT || err.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED;
  if (cause instanceof TimeoutFailure || outOfTime) {
    const last = cause?.message ? `; the last attempt: ${cause.message}` : '';
    const message = `kept failing until its time limit${last}`;
    return { reason: ParkedReason.stepTimedOut, step, type: 'Timeout', message };
  }
  if (cause instanceof ApplicationFailure && cause.nonRetryable) {
    const type = cause.type ?? 'Error';
    return { reason: reasonOfType[type] ?? ParkedReason.stepRefused, step, type, message: cause.message };
  }
  return null;
}

/** What the `parked` query answers while a run is parked (null when it is not). */
export interface ParkedView extends PermanentStepFailure {
  /** When it parked (ISO 8601, the workflow's clock). */
  since: string;
  /** How many times an operator retried this step already. */
  retries: number;
}

/** Why a run is parked; null when it is not. Every workflow that parks answers it. */
export const parkedQuery = defineQuery<ParkedView | null>('parked');
/**
 * An operator's retry of a parked run, once the cause is fixed (the row restored, the outage over):
 * the failed step runs again. Refused (before anything is recorded) when the run is not parked.
 *   temporal workflow update execute --name retryParked --workflow-id <id>
 */
export const retryParkedUpdate = defineUpdate<{ retrying: string }, []>('retryParked');

/** The run is not parked: nothing to retry. */
export const NOT_PARKED = 'NotParked';

/** New in issue 12: histories recorded before it failed (or retried) where a run now parks. */
const PARK_ON_PERMANENT_FAILURE = 'issue-12-park-on-permanent-failure';

/**
 * Parking for one workflow run (call once, at its start). `state` is the run's ProcessState to restore
 * after a retry. `step(fn)` runs an activity call; when it fails for good (`permanentStepFailure`)
 * the run sets ProcessState PARKED and ParkedReason, answers `parked`, and waits for an operator's
 * `retryParked`, then runs the step again (every step parked at that moment). `failure(err)` tells a
 * workflow that ends instead which failures to end on; `stop` marks such an end. Runs recorded before
 * issue 12 keep failing as they did (the patch).
 */
export function parking(o: { state: () => string }) {
  let parked: ParkedView | null = null;
  let parkedSteps = 0;
  let retries = 0;
  let round = 0;
  setHandler(parkedQuery, () => (parked ? { ...parked } : null));
  setHandler(
    retryParkedUpdate,
    () => {
      round += 1;
      return { retrying: parked!.step };
    },
    {
      validator: () => {
        if (!parked) throw refuse(NOT_PARKED, 'The run is not parked: there is nothing to retry.');
      },
    },
  );

  /** The permanent failure `err` stands for, in a run recorded with issue 12's code; else null. */
  const failure = (err: unknown): PermanentStepFailure | null => {
    const f = permanentStepFailure(err);
    return f && patched(PARK_ON_PERMANENT_FAILURE) ? f : null;
  };

  async function park(f: PermanentStepFailure): Promise<void> {
    parked = { ...f, since: new Date().toISOString(), retries };
    parkedSteps += 1;
    upsertSearchAttributes([
      { key: ProcessStateKey, value: 'PARKED' },
      { key: ParkedReasonKey, value: f.reason },
    ]);
    log.warn('run parked: a step failed for good; waiting for an operator to retry it', {
      workflowId: workflowInfo().workflowId,
      reason: f.reason,
      step: f.step,
      type: f.type,
    });
    const mine = round;
    await condition(() => round > mine);
    parkedSteps -= 1;
    if (parkedSteps > 0) return;
    retries += 1;
    parked = null;
    upsertSearchAttributes([
      { key: ProcessStateKey, value: o.state() },
      { key: ParkedReasonKey, value: null },
    ]);
  }

  return {
    /** Why the run is parked now, or null. */
    parked: (): ParkedView | null => parked,
    failure,
    /**
     * Runs a step until it succeeds; a permanent failure parks the run until an operator retries.
     * `ends` picks the failures that end the run instead (nothing can fix them): those are thrown.
     */
    async step<T>(fn: () => Promise<T>, ends: (f: PermanentStepFailure) => boolean = () => false): Promise<T> {
      for (;;) {
        try {
          return await fn();
        } catch (err) {
          const f = permanentStepFailure(err);
          if (!f || ends(f)) throw err;
          if (!failure(err)) throw err;
          await park(f);
        }
      }
    },
    /** Marks a run that ends on a failure: its final ProcessState and the reason, found like a parked one. */
    stop(state: string, f: PermanentStepFailure): void {
      upsertSearchAttributes([
        { key: ProcessStateKey, value: state },
        { key: ParkedReasonKey, value: f.reason },
      ]);
    },
  };
}

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
