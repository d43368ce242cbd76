// How the ticket intake starts access-model-change workflows (PA-4), and how tests and operators read
// one. (Not part of the workflow bundle.)
import type { Client } from '@temporalio/client';
import { OrganizationIdKey } from '../../domain/search-attributes';
import { startOncePerTicket } from '../ticket-start';
import type { accessModelChange } from './workflow';
import {
  accessModelChangeWorkflowId,
  progressQuery,
  type AccessModelChangeInput,
  type AccessModelChangeView,
} from './messages';

export class AccessModelChangesClient {
  constructor(private readonly o: { temporal: Client; taskQueue: string }) {}

  static fromConfig(temporal: Client, config: { TEMPORAL_TASK_QUEUE: string }): AccessModelChangesClient {
    return new AccessModelChangesClient({ temporal, taskQueue: config.TEMPORAL_TASK_QUEUE });
  }

  /** Starts the change a ticket asks for, once per ticket id. */
  start(input: AccessModelChangeInput): Promise<{ workflowId: string }> {
    return startOncePerTicket<AccessModelChangeInput>(this.o.temporal, 'accessModelChange', {
      workflowId: accessModelChangeWorkflowId(input.ticketId),
      taskQueue: this.o.taskQueue,
      ticketId: input.ticketId,
      input,
      searchAttributes: [{ key: OrganizationIdKey, value: input.organizationId }],
    });
  }

  handle(ticketId: string) {
    return this.o.temporal.workflow.getHandle<typeof accessModelChange>(accessModelChangeWorkflowId(ticketId));
  }

  view(ticketId: string): Promise<AccessModelChangeView> {
    return this.handle(ticketId).query(progressQuery);
  }
}
