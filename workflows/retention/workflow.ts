// Retention (issue 13): a Temporal Schedule starts this every hour or so; it asks one activity to
// delete what has outlived its window, kind by kind, in batches. Deterministic: the clock and the
// database are the activity's.
//
//   scheduled ──► pruneExpiredRows (heartbeats per batch) ──► done, with the count per kind
//
// A run that fails is not retried by the workflow beyond its activity's retries: the next scheduled
// run does the same work, so a missed hour costs nothing.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { RetentionInput, type RetentionResult } from './messages';

const { pruneExpiredRows } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: '50 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function retention(input: RetentionInput): Promise<RetentionResult> {
  return pruneExpiredRows(RetentionInput.parse(input));
}
