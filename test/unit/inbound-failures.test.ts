// Issue 12: what an inbound consumer dead-letters (poison) and what it retries (an outage).
import { Prisma } from '@prisma/client';
import { ServiceError } from '@temporalio/client';
import { z } from 'zod';
import { classifyFailure, PoisonMessage, retryDelayMs } from '../../events/failures';
import { NotACloudEvent } from '../../events/cloudevents';
import { UseCaseRefusal } from '../../domain/refusal';

const clientVersion = Prisma.prismaVersion.client;
const outage = (dependency: string) => ({ kind: 'infrastructure', dependency });
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('issue 12 inbound failures: poison or outage', () => {
  it('issue 12 a bad envelope, unknown type, bad data or a business refusal is poison, with its reason', () => {
    const envelope = 'not a CloudEvents 1.0 binary-mode record';
    expect(classifyFailure(new NotACloudEvent(envelope))).toEqual({ kind: 'poison', reason: envelope });
    const unknown = new PoisonMessage('unknown event type x');
    expect(classifyFailure(unknown)).toEqual({ kind: 'poison', reason: 'unknown event type x' });
    const zod = z.strictObject({ email: z.email() }).safeParse({ email: 'nope' });
    const badData = classifyFailure(zod.error);
    expect(badData).toEqual({ kind: 'poison', reason: expect.stringMatching(/^the data does not fit: email /) });
    const refusal = new UseCaseRefusal('not-found', 'No customer account has this organization id.');
    const refused = classifyFailure(refusal);
    expect(refused).toEqual({ kind: 'poison', reason: `refused (not-found): ${refusal.message}` });
  });

  it('issue 12 an unreachable database, Temporal unavailable or a timeout is an outage, named, never poison', () => {
    const unreachable = "Can't reach database server at `127.0.0.1:5432`";
    const known = (message: string, code: string) =>
      new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion });
    expect(classifyFailure(known(unreachable, 'P1001'))).toEqual(outage('database'));
    const init = new Prisma.PrismaClientInitializationError(unreachable, clientVersion, 'P1001');
    expect(classifyFailure(init)).toEqual(outage('database'));
    const pool = known('Timed out fetching a new connection from the pool', 'P2024');
    expect(classifyFailure(pool)).toEqual(outage('database'));
    const pgShutdown = withCode('terminating connection due to administrator command', '57P01');
    expect(classifyFailure(pgShutdown)).toEqual(outage('database'));
    expect(classifyFailure(new ServiceError('Failed to start workflow: 14 UNAVAILABLE'))).toEqual(outage('temporal'));
    const wrapped = new Error('dispatch failed', { cause: withCode('connect timed out', 'ETIMEDOUT') });
    expect(classifyFailure(wrapped)).toEqual(outage('timeout'));
    expect(classifyFailure(new Error('Transaction already closed: timed out'))).toEqual(outage('timeout'));
    // Unknown errors are retried too: a handler's bug holds its partition (logged) rather than losing news.
    expect(classifyFailure(new TypeError('x is undefined'))).toEqual(outage('unknown'));
  });

  it('issue 12 the retry backoff doubles from its base and stays under its cap, for ever', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((a) => retryDelayMs(a, 200, 5000));
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(retryDelayMs(10_000, 200, 30000)).toBe(30000);
  });
});
