// Issue 13: the retention workflow's one activity. Deleting rows older than a window is idempotent:
// a retry deletes what is left.
import { heartbeat } from '@temporalio/activity';
import type { Database } from '../platform/database';
import { pruneBatch, RetainedKinds, type Pruned } from '../domain/retention';
import { RetentionInput, type RetentionResult } from '../workflows/retention/messages';

export function retentionActivities(db: Database) {
  return {
    async pruneExpiredRows(input: RetentionInput): Promise<RetentionResult> {
      const { batch, ...windows } = RetentionInput.parse(input);
      // One "now" for the whole run, so that each kind's window ends at the same instant.
      const now = new Date();
      const pruned = Object.fromEntries(RetainedKinds.map((kind) => [kind, 0])) as Pruned;
      for (const kind of RetainedKinds) {
        for (;;) {
          const deleted = await pruneBatch(db, kind, windows, now, batch);
          pruned[kind] += deleted;
          heartbeat({ kind, pruned: pruned[kind] });
          if (deleted < batch) break;
        }
      }
      return pruned;
    },
  };
}
