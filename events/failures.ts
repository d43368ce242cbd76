// Why an inbound message failed decides what happens to it. Poison can never succeed, whatever the
// retries: it goes to the dead-letter topic at once, so it does not hold up its partition. Anything
// else is taken for an outage of our own dependencies (database, Temporal, a timeout) and retried
// without limit: dead-lettering it would lose news that is perfectly good (issue 12).
import { ZodError } from 'zod';
import { UseCaseRefusal } from '../domain/refusal';
import { NotACloudEvent } from './cloudevents';

/** A message that can never succeed, whatever the retries: straight to the dead-letter topic. */
export class PoisonMessage extends Error {}

/** Which dependency an infrastructure failure points at: for the retry log and operators. */
export type Dependency = 'database' | 'temporal' | 'kafka' | 'timeout' | 'unknown';

export type FailureClass = { kind: 'poison'; reason: string } | { kind: 'infrastructure'; dependency: Dependency };

// Prisma's codes for a database it cannot reach or that went away (P1xxx are connection-level;
// P2024 is a pool timeout, P2028 a transaction the server dropped, P2037 too many connections).
const prismaOutageCodes = new Set(['P1001', 'P1002', 'P1008', 'P1011', 'P1017', 'P2024', 'P2028', 'P2037']);
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

function errorName(err: object): string {
  return (err as { constructor?: { name?: string } }).constructor?.name ?? (err as { name?: string }).name ?? '';
}

// eslint-disable-next-line complexity -- a flat table, one line per error shape; split, it would hide the order
function dependencyOf(err: unknown, depth = 0): Dependency {
  if (!err || typeof err !== 'object' || depth > 4) return 'unknown';
  const name = errorName(err);
  const e = err as { code?: unknown; errorCode?: unknown; message?: unknown; cause?: unknown };
  const code = typeof e.code === 'string' ? e.code : typeof e.errorCode === 'string' ? e.errorCode : undefined;
  if (name.startsWith('PrismaClient') || (code && prismaOutageCodes.has(code))) return 'database';
  // pg's own errors for the connection (57P01 admin shutdown, 08xxx connection exceptions).
  if (code && (/^08/.test(code) || /^57P0/.test(code))) return 'database';
  // @temporalio/client: ServiceError wraps gRPC failures (UNAVAILABLE, DEADLINE_EXCEEDED).
  if (name === 'ServiceError' || name === 'TransportError') return 'temporal';
  if (/^Kafka/.test(name)) return 'kafka';
  if (code && socketCodes.has(code)) return code === 'ETIMEDOUT' ? 'timeout' : 'unknown';
  if (name === 'TimeoutError' || (typeof e.message === 'string' && /timed? ?out/i.test(e.message))) return 'timeout';
  return e.cause ? dependencyOf(e.cause, depth + 1) : 'unknown';
}

/**
 * Poison: a bad envelope, an unknown type, data that fails its schema, a business rejection (a use
 * case's refusal). Everything else is retried: a bug in a handler then holds its partition and is
 * logged on every attempt until it is fixed, which is better than losing the message.
 */
export function classifyFailure(err: unknown): FailureClass {
  if (err instanceof PoisonMessage || err instanceof NotACloudEvent) return { kind: 'poison', reason: err.message };
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
    return { kind: 'poison', reason: `the data does not fit: ${issues}` };
  }
  if (err instanceof UseCaseRefusal) return { kind: 'poison', reason: `refused (${err.kind}): ${err.message}` };
  return { kind: 'infrastructure', dependency: dependencyOf(err) };
}

/** Capped exponential backoff: attempt 1 waits `baseMs`, each next one twice as long, never more than `capMs`. */
export function retryDelayMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 30));
}
