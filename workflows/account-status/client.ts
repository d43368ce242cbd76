// How the API suspends and reactivates customer accounts (PA-2). (Not part of the workflow bundle.)
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { withCommandDeadline } from '../../platform/temporal';
import { OrganizationIdKey, ProcessStateKey } from '../../domain/search-attributes';
import type { accountStatus } from './workflow';
import {
  accountStatusWorkflowId,
  changeStatusUpdate,
  type AccountStatusInput,
  type AccountStatusView,
  type ChangeAccountStatus,
} from './messages';

export interface AccountStatusClientOptions {
  temporal: Client;
  taskQueue: string;
  /** Tests end idle runs sooner. */
  idleSeconds?: number;
  commandTimeoutMs?: number;
}

export class AccountStatusClient {
  constructor(private readonly o: AccountStatusClientOptions) {}

  static fromConfig(temporal: Client, config: { TEMPORAL_TASK_QUEUE: string }): AccountStatusClient {
    return new AccountStatusClient({ temporal, taskQueue: config.TEMPORAL_TASK_QUEUE });
  }

  /** Suspends or reactivates, starting the account's workflow if none runs; answers once recorded. */
  change(organizationId: string, command: ChangeAccountStatus): Promise<AccountStatusView> {
    const input: AccountStatusInput = {
      organizationId,
      ...(this.o.idleSeconds ? { idleSeconds: this.o.idleSeconds } : {}),
    };
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof accountStatus>('accountStatus', {
      workflowId: accountStatusWorkflowId(organizationId),
      taskQueue: this.o.taskQueue,
      args: [input],
      // Joins the account's running workflow, so its changes stay in one order.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [
        { key: OrganizationIdKey, value: organizationId },
        { key: ProcessStateKey, value: 'STARTED' },
      ],
    });
    return withCommandDeadline(
      this.o.temporal,
      () =>
        this.o.temporal.workflow.executeUpdateWithStart(changeStatusUpdate, {
          args: [command],
          startWorkflowOperation,
        }),
      this.o.commandTimeoutMs,
    );
  }
}
