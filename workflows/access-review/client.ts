// How the API starts and drives access reviews (AM-6), and keeps each organization's schedule in step
// with its policy. (Not part of the workflow bundle.)
import { randomUUID } from 'node:crypto';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  type Client,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import { withCommandDeadline } from '../../platform/temporal';
import { OrganizationIdKey, ProcessStateKey } from '../../domain/search-attributes';
import type { accessReview } from './workflow';
import {
  accessReviewScheduleId,
  accessReviewWorkflowId,
  decideUpdate,
  openedUpdate,
  progressQuery,
  scheduledAccessReviewWorkflowId,
  type AccessReviewInput,
  type AccessReviewProgress,
  type DecideCommand,
  type Unconfirmed,
} from './messages';

const DAY_MS = 24 * 3600 * 1000;
type Progress = AccessReviewProgress;

export interface AccessReviewsClientOptions {
  temporal: Client;
  taskQueue: string;
  commandTimeoutMs?: number;
}

/** What a review is started with: the policy's terms, and who chose them. */
export interface ReviewTerms {
  organizationId: string;
  deadlineDays: number;
  unconfirmed: Unconfirmed;
  policySetByUserId: string | null;
}

/** The organization's schedule as Temporal holds it. */
export interface ScheduledReviews {
  everyDays: number;
  nextReviewAt: string | null;
}

export class AccessReviewsClient {
  constructor(private readonly o: AccessReviewsClientOptions) {}

  static fromConfig(temporal: Client, config: { TEMPORAL_TASK_QUEUE: string }): AccessReviewsClient {
    return new AccessReviewsClient({ temporal, taskQueue: config.TEMPORAL_TASK_QUEUE });
  }

  private within<T>(fn: () => Promise<T>): Promise<T> {
    return withCommandDeadline(this.o.temporal, fn, this.o.commandTimeoutMs);
  }

  private handle(workflowId: string, reviewId: string) {
    // The review id is the first run's id: pinned, a command never reaches another run.
    const pinned = { firstExecutionRunId: reviewId };
    return this.o.temporal.workflow.getHandle<typeof accessReview>(workflowId, undefined, pinned);
  }

  /** A review started now, by an org admin; answers once its grants are snapshotted (or it was refused). */
  async start(terms: ReviewTerms, startedByUserId: string): Promise<{ workflowId: string; progress: Progress }> {
    const workflowId = accessReviewWorkflowId(terms.organizationId, randomUUID());
    const input: AccessReviewInput = { ...terms, startedByUserId };
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof accessReview>('accessReview', {
      workflowId,
      taskQueue: this.o.taskQueue,
      args: [input],
      // A fresh id each time: there is nothing to join; the opening activity refuses a second open review.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      typedSearchAttributes: [
        { key: OrganizationIdKey, value: terms.organizationId },
        { key: ProcessStateKey, value: 'STARTED' },
      ],
    });
    const progress = await this.within(() =>
      this.o.temporal.workflow.executeUpdateWithStart(openedUpdate, { args: [], startWorkflowOperation }),
    );
    return { workflowId, progress };
  }

  decide(workflowId: string, reviewId: string, command: DecideCommand): Promise<AccessReviewProgress> {
    return this.within(() => this.handle(workflowId, reviewId).executeUpdate(decideUpdate, { args: [command] }));
  }

  progress(workflowId: string, reviewId: string): Promise<AccessReviewProgress> {
    return this.handle(workflowId, reviewId).query(progressQuery);
  }

  /**
   * Creates the organization's schedule, or updates its interval and what it starts. An unchanged
   * interval keeps its phase: changing only the deadline does not move the next review.
   */
  async schedule(terms: ReviewTerms, everyDays: number): Promise<void> {
    const scheduleId = accessReviewScheduleId(terms.organizationId);
    const every = everyDays * DAY_MS;
    // Aligned so the first review opens `everyDays` from now (intervals otherwise count from the epoch).
    // Floored to the second, which Temporal rounds to: the phase's match now is already past.
    const spec = { intervals: [{ every, offset: Math.floor((Date.now() % every) / 1000) * 1000 }] };
    const input: AccessReviewInput = { ...terms, startedByUserId: null };
    const action: ScheduleOptionsStartWorkflowAction<typeof accessReview> = {
      type: 'startWorkflow',
      workflowType: 'accessReview',
      // Temporal appends each run's scheduled time: one id per review.
      workflowId: scheduledAccessReviewWorkflowId(terms.organizationId),
      taskQueue: this.o.taskQueue,
      args: [input],
      typedSearchAttributes: [
        { key: OrganizationIdKey, value: terms.organizationId },
        { key: ProcessStateKey, value: 'STARTED' },
      ],
    };
    const handle = this.o.temporal.schedule.getHandle(scheduleId);
    const update = () =>
      handle.update<typeof accessReview>((prev) => {
        const kept = prev.spec.intervals?.length === 1 && prev.spec.intervals[0].every === every;
        return { ...prev, spec: kept ? prev.spec : spec, action };
      });
    try {
      await update();
      return;
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    try {
      await this.o.temporal.schedule.create({
        scheduleId,
        spec,
        action,
        // The deadline is shorter than the interval, so runs never overlap; if one still runs, skip.
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        state: { note: `AM-6: access reviews of organization ${terms.organizationId}` },
      });
    } catch (err) {
      // Two policy changes at once: the other created it, so this one updates it.
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await update();
    }
  }

  /** Deletes the organization's schedule; answers whether there was one. Open reviews run on. */
  async unschedule(organizationId: string): Promise<boolean> {
    try {
      await this.o.temporal.schedule.getHandle(accessReviewScheduleId(organizationId)).delete();
      return true;
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return false;
      throw err;
    }
  }

  /** The organization's schedule, or null when it has none (reviews disabled). */
  async scheduled(organizationId: string): Promise<ScheduledReviews | null> {
    try {
      const d = await this.o.temporal.schedule.getHandle(accessReviewScheduleId(organizationId)).describe();
      const every = d.spec.intervals?.[0]?.every ?? 0;
      return {
        everyDays: Math.round(every / DAY_MS),
        nextReviewAt: d.info.nextActionTimes[0]?.toISOString() ?? null,
      };
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return null;
      throw err;
    }
  }
}
