// The retention workflow's contract (issue 13): one run prunes what the engine keeps only for a while.
// Pure definitions, shared by the workflow, the schedule's client and the activity; safe to bundle.
import { z } from 'zod';

/** The windows, in days; the schedule carries the configured ones as the run's input. */
export const RetentionInput = z.strictObject({
  publishedEventsDays: z.number().int().positive(),
  processedEventsDays: z.number().int().positive(),
  spentSecretsDays: z.number().int().positive(),
  /** Rows per delete statement. */
  batch: z.number().int().positive().max(10_000).default(1000),
});
export type RetentionInput = z.input<typeof RetentionInput>;

/** How many rows of each kind one run deleted. */
export type RetentionResult = Record<string, number>;

export const RETENTION_SCHEDULE_ID = 'retention';
/** The workflow id each scheduled run gets (Temporal appends the scheduled time). */
export const RETENTION_WORKFLOW_ID = 'retention';
