// The offboarding workflow's contract (PS-5), shared by the workflow and its callers.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { PartnerFirmId, UserId } from '../../domain/messages/values/identifiers';

export const OffboardingInput = z.strictObject({
  partnerFirmId: PartnerFirmId,
  leavingUserId: UserId,
  replacementUserId: UserId,
  requestedByUserId: UserId,
  /** How many organizations are handled at once (each in its own transaction). */
  parallelOrganizations: z.number().int().min(1).max(50).default(10),
  /** Past this many organizations in one run, continue as new (history stays small). */
  organizationsPerRun: z.number().int().min(1).default(500),
  carried: z.object({ remaining: z.array(z.uuid()), total: z.number().int(), done: z.number().int() }).optional(),
});
export type OffboardingInput = z.input<typeof OffboardingInput>;

export function offboardingWorkflowId(partnerFirmId: string, leavingUserId: string): string {
  return `offboarding-${partnerFirmId}-${leavingUserId}`;
}

export interface OffboardingProgress {
  offboardingId: string;
  state: 'CHECKING' | 'RUNNING' | 'COMPLETED' | 'REFUSED';
  total: number;
  done: number;
  reason: string;
}

export const OffboardingRefusal = { invalidReplacement: 'InvalidReplacement' } as const;

/** Answers once the check is done: refused (nothing changed) or running. */
export const startedUpdate = defineUpdate<OffboardingProgress, []>('started');
export const progressQuery = defineQuery<OffboardingProgress>('progress');
