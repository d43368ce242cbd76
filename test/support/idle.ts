// Waits until a workflow run has nothing in flight. Commands answer before their emails go out
// (AM-7), so a test that counts history events first waits for the run to settle.
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { waitUntil } from './kafka';

export function waitUntilIdle(handle: WorkflowHandle, timeoutMs = 15000): Promise<void> {
  return waitUntil(
    `${handle.workflowId} is idle`,
    async () => {
      if (((await handle.describe()).raw.pendingActivities ?? []).length > 0) return false;
      // Read after describe: an activity scheduled since then would follow this completed task.
      const last = (await handle.fetchHistory()).events!.at(-1)!;
      return last.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
    },
    timeoutMs,
  );
}
