// How a ticket kind starts its workflow (INT-1): once per ticket id, whatever happens. A dispatch
// repeated while the run is open joins it; one repeated after it closed (the intake's transaction
// failed at commit, and the ticket came again) finds it closed and starts nothing: a ticket acts
// once. (Not part of the workflow bundle.)
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
} from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { ProcessStateKey, TicketIdKey } from '../domain/search-attributes';

/** Starts `workflowType` with its one input; the caller's client types the input. */
export async function startOncePerTicket<I>(
  temporal: Client,
  workflowType: string,
  o: { workflowId: string; taskQueue: string; ticketId: string; input: I; searchAttributes?: SearchAttributePair[] },
): Promise<{ workflowId: string }> {
  try {
    await temporal.workflow.start(workflowType, {
      workflowId: o.workflowId,
      taskQueue: o.taskQueue,
      args: [o.input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: TicketIdKey, value: o.ticketId },
        { key: ProcessStateKey, value: 'STARTED' },
        ...(o.searchAttributes ?? []),
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { workflowId: o.workflowId };
}
