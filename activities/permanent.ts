// Failures no retry can heal (issue 12). An activity says so by throwing `permanent(type, message)`:
// Temporal then stops retrying at once, and the workflow decides (workflows/shared.ts `parking`)
// whether the run ends with its reason or parks until an operator retries it. Everything else an
// activity throws is taken for an outage and retried, up to the step's schedule-to-close limit.
import { ApplicationFailure } from '@temporalio/common';
import { log } from '@temporalio/activity';
import { Prisma } from '@prisma/client';
import { ZodError } from 'zod';
import { UseCaseRefusal } from '../domain/refusal';
import { PermanentFailure } from './failure-types';

export { PermanentFailure };

/**
 * The one way an activity says "never retry this": a non-retryable ApplicationFailure with a stable
 * type. The message goes into the workflow's history: ids and rule names only, no personal data.
 */
export function permanent(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? undefined : [details],
  });
}

// Prisma's known-request codes that name the data, not the connection: P2025 a record an
// OrThrow/update/delete needed is missing, P2001 the record searched for does not exist, P2015 a
// related record was not found, P2018 required connected records were not found; P2003 a foreign key
// names a row that does not exist, P2000/P2006/P2007/P2011/P2012/P2019/P2020/P2023 a value the
// column refuses. A unique violation (P2002) is left out: it is usually a concurrent first attempt,
// and the retry finds what that attempt wrote.
const missingRowCodes = new Set(['P2001', 'P2015', 'P2018', 'P2025']);
const rejectedInputCodes = new Set(['P2000', 'P2003', 'P2006', 'P2007', 'P2011', 'P2012', 'P2019', 'P2020', 'P2023']);

/** The permanent failure an error an activity threw stands for, or null: an outage, to retry. */
export function permanentFailureOf(err: unknown): ApplicationFailure | null {
  if (err instanceof ApplicationFailure) return null; // the activity already said what it is
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    // The code and the model only: Prisma's own message may quote the values of the query.
    const what = `${err.code}${err.meta?.modelName ? ` on ${String(err.meta.modelName)}` : ''}`;
    if (missingRowCodes.has(err.code)) {
      return permanent(PermanentFailure.missingRow, `A row the step needs is missing (${what}).`);
    }
    if (rejectedInputCodes.has(err.code)) {
      return permanent(PermanentFailure.rejectedInput, `The database refused the step's data (${what}).`);
    }
    return null;
  }
  if (err instanceof Prisma.PrismaClientValidationError) {
    return permanent(PermanentFailure.rejectedInput, 'The step built a query the schema refuses.');
  }
  if (err instanceof ZodError) {
    const fields = err.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    return permanent(PermanentFailure.rejectedInput, `The step's data does not fit its schema: ${fields}.`);
  }
  if (err instanceof UseCaseRefusal) {
    // Its kind only: a refusal's words may name the person it is about.
    return permanent(PermanentFailure.rejectedInput, `A use case refused the step (${err.kind}).`);
  }
  return null;
}

const errorName = (err: unknown) => (err instanceof Error ? err.constructor.name : typeof err);

type ActivityFunctions = Record<string, (...args: any[]) => Promise<unknown>>;

/**
 * Every activity of the worker, each turning the errors that name the data (a missing row, data the
 * database or a schema refuses) into permanent failures, so no activity retries those for ever
 * (a ticket for an unknown organization used to fail on `findUniqueOrThrow` every minute, for ever).
 */
export function failingPermanentlyOnBadData<A extends ActivityFunctions>(activities: A): A {
  const wrapped: ActivityFunctions = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        const failure = permanentFailureOf(err);
        if (!failure) throw err;
        // What it was, for whoever debugs it: the class and code, not the message (it may quote values).
        const code = (err as { code?: unknown }).code;
        log.warn('activity failed for good', { activity: name, type: failure.type, error: errorName(err), code });
        throw failure;
      }
    };
  }
  return wrapped as A;
}
