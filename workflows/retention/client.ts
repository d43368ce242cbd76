// The retention schedule (issue 13), registered by every worker at start. (Not part of the workflow bundle.)
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { retention } from './workflow';
import { RETENTION_SCHEDULE_ID, RETENTION_WORKFLOW_ID, type RetentionInput } from './messages';

export interface RetentionScheduleSettings {
  TEMPORAL_TASK_QUEUE: string;
  RETENTION_EVERY_MINUTES: number;
  RETENTION_PUBLISHED_EVENTS_DAYS: number;
  RETENTION_PROCESSED_EVENTS_DAYS: number;
  RETENTION_SPENT_SECRETS_DAYS: number;
}

/**
 * Creates the schedule, or brings an existing one in line with this worker's configuration: any
 * number of workers may start at once, and the last one's settings stand. Answers the schedule's id.
 */
export async function ensureRetentionSchedule(
  temporal: Client,
  settings: RetentionScheduleSettings,
  scheduleId = RETENTION_SCHEDULE_ID,
): Promise<string> {
  const input: RetentionInput = {
    publishedEventsDays: settings.RETENTION_PUBLISHED_EVENTS_DAYS,
    processedEventsDays: settings.RETENTION_PROCESSED_EVENTS_DAYS,
    spentSecretsDays: settings.RETENTION_SPENT_SECRETS_DAYS,
  };
  const options = {
    scheduleId,
    spec: { intervals: [{ every: `${settings.RETENTION_EVERY_MINUTES} minutes` }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'retention',
      workflowId: scheduleId === RETENTION_SCHEDULE_ID ? RETENTION_WORKFLOW_ID : scheduleId,
      taskQueue: settings.TEMPORAL_TASK_QUEUE,
      args: [input],
    },
    // A run still going when the next is due: the next is skipped (both would delete the same rows).
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  } satisfies ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof retention>>;
  try {
    await temporal.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule.getHandle(scheduleId).update((previous) => ({
      ...previous,
      spec: options.spec,
      action: options.action,
      policies: { ...previous.policies, ...options.policies },
    }));
  }
  return scheduleId;
}
