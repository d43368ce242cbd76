// Every route that drives a workflow answers its outcomes the same way: a refusal from an Update
// validator or handler becomes the matching problem (403, 409, 429, ...), a missing or finished run
// its own answer, and a command past its deadline 503 (it may still complete).
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Problem, type ProblemType } from './problem';
import { UseCaseRefusal } from '../domain/refusal';
import { timeCommand } from '../platform/metrics';

export interface CommandAnswers {
  /** What the caller is told to check again after a timeout ("the invitation"). */
  subject: string;
  /** The answer when no run is there to take the command (commands to a known run id). */
  notFound?: Problem;
  /** Workflow refusal types (ApplicationFailure.type) and the problem each becomes. */
  refusals: Record<string, ProblemType>;
}

/** A use case that drives no workflow: its refusal becomes the matching problem, like a command's. */
export const useCase = <T>(run: () => Promise<T>): Promise<T> =>
  workflowCommand(run, { subject: 'the request', refusals: {} });

export async function workflowCommand<T>(run: () => Promise<T>, answers: CommandAnswers): Promise<T> {
  // Issue 13: timed by the route that sent it, the outcome being the problem type the caller is told.
  return timeCommand(
    () => answered(run, answers),
    (err) => (err instanceof Problem ? err.kind : 'error'),
  );
}

async function answered<T>(run: () => Promise<T>, answers: CommandAnswers): Promise<T> {
  try {
    return await run();
  } catch (err) {
    // A use case said no before or after driving a workflow: its own answer.
    if (err instanceof UseCaseRefusal) throw new Problem(err.kind, err.message, err.details);
    if (err instanceof WorkflowNotFoundError && answers.notFound) throw answers.notFound;
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      throw new Problem(
        'not-ready',
        `The engine did not answer in time; the command may still complete. Check ${answers.subject} again shortly.`,
      );
    }
    const refusal =
      err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause : null;
    if (refusal?.type && answers.refusals[refusal.type]) {
      throw new Problem(
        answers.refusals[refusal.type],
        refusal.message,
        (refusal.details?.[0] ?? {}) as Record<string, unknown>,
      );
    }
    throw err;
  }
}
