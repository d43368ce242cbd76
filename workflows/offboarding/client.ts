// How the API starts an offboarding and reads its progress. (Not part of the workflow bundle.)
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { withCommandDeadline } from '../../platform/temporal';
import { OrganizationIdKey, PartnerUserIdKey, ProcessStateKey } from '../../domain/search-attributes';
import type { offboarding } from './workflow';
import {
  offboardingWorkflowId,
  progressQuery,
  startedUpdate,
  type OffboardingInput,
  type OffboardingProgress,
} from './messages';

export class OffboardingClient {
  constructor(private readonly o: { temporal: Client; taskQueue: string; commandTimeoutMs?: number }) {}

  /** Starts (or joins: one offboarding per user and firm at a time) and answers once the check is done. */
  async start(input: OffboardingInput): Promise<{ workflowId: string; progress: OffboardingProgress }> {
    const workflowId = offboardingWorkflowId(input.partnerFirmId, input.leavingUserId);
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof offboarding>('offboarding', {
      workflowId,
      taskQueue: this.o.taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      // The firm's id goes in OrganizationId: operators find a partner's offboardings the same way.
      typedSearchAttributes: [
        { key: OrganizationIdKey, value: input.partnerFirmId },
        { key: PartnerUserIdKey, value: input.leavingUserId },
        { key: ProcessStateKey, value: 'STARTED' },
      ],
    });
    const progress = await withCommandDeadline(
      this.o.temporal,
      () => this.o.temporal.workflow.executeUpdateWithStart(startedUpdate, { args: [], startWorkflowOperation }),
      this.o.commandTimeoutMs,
    );
    return { workflowId, progress };
  }

  progress(workflowId: string, offboardingId: string): Promise<OffboardingProgress> {
    return this.o.temporal.workflow
      .getHandle<typeof offboarding>(workflowId, undefined, { firstExecutionRunId: offboardingId })
      .query(progressQuery);
  }
}
