// Which of a run's steps were retried: what "retried every minute, for ever" looks like to a test.
// Activities show it as a pending activity at attempt 2 or more (describe()); issue 13's database
// steps are local activities, which describe() does not list: each of their final attempts is in the
// history, in the marker the worker records (its `data` names the activity and the attempt, in plain
// JSON written by the SDK's core, never our payloads).
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';

export interface RetriedStep {
  activity: string;
  attempt: number;
}

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

export async function retriedSteps(handle: WorkflowHandle): Promise<RetriedStep[]> {
  try {
    const described = await handle.describe();
    const pending = (described.raw.pendingActivities ?? []).map((a) => ({
      activity: a.activityType?.name ?? '?',
      attempt: a.attempt ?? 0,
    }));
    const local = ((await handle.fetchHistory()).events ?? []).flatMap((e) => {
      const marker = e.markerRecordedEventAttributes;
      const data = marker?.markerName === LOCAL_ACTIVITY_MARKER ? marker.details?.data?.payloads?.[0]?.data : null;
      if (!data) return [];
      const recorded = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string; attempt: number };
      return [{ activity: recorded.activity_type, attempt: recorded.attempt }];
    });
    return [...pending, ...local].filter((step) => step.attempt > 1);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return [];
    throw err;
  }
}
