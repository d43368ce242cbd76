// How the ticket intake starts duplicate-email-fix workflows (PP-2), and how tests and operators read
// one. (Not part of the workflow bundle.)
import type { Client } from '@temporalio/client';
import { startOncePerTicket } from '../ticket-start';
import type { duplicateEmailFix } from './workflow';
import {
  duplicateEmailFixWorkflowId,
  progressQuery,
  type DuplicateEmailFixInput,
  type DuplicateEmailFixView,
} from './messages';

export class DuplicateEmailFixesClient {
  constructor(private readonly o: { temporal: Client; taskQueue: string }) {}

  static fromConfig(temporal: Client, config: { TEMPORAL_TASK_QUEUE: string }): DuplicateEmailFixesClient {
    return new DuplicateEmailFixesClient({ temporal, taskQueue: config.TEMPORAL_TASK_QUEUE });
  }

  /** Starts the fix a ticket asks for, once per ticket id. No personal data in the id or the search attributes. */
  start(input: DuplicateEmailFixInput): Promise<{ workflowId: string }> {
    return startOncePerTicket<DuplicateEmailFixInput>(this.o.temporal, 'duplicateEmailFix', {
      workflowId: duplicateEmailFixWorkflowId(input.ticketId),
      taskQueue: this.o.taskQueue,
      ticketId: input.ticketId,
      input,
    });
  }

  handle(ticketId: string) {
    return this.o.temporal.workflow.getHandle<typeof duplicateEmailFix>(duplicateEmailFixWorkflowId(ticketId));
  }

  view(ticketId: string): Promise<DuplicateEmailFixView> {
    return this.handle(ticketId).query(progressQuery);
  }
}
