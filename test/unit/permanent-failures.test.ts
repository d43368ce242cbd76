// Issue 12: which failures no retry heals. Pure classification: activities (permanentFailureOf) and
// workflows (permanentStepFailure) on errors built as the libraries build them.
import { Prisma } from '@prisma/client';
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import { z } from 'zod';
import { permanent, permanentFailureOf, PermanentFailure } from '../../activities/permanent';
import { UseCaseRefusal } from '../../domain/refusal';
import { ParkedReason, permanentStepFailure } from '../../workflows/shared';

const prismaError = (code: string, modelName?: string) =>
  new Prisma.PrismaClientKnownRequestError('Invalid `tx.portalPartner.update()` invocation: sam@example.com', {
    code,
    clientVersion: Prisma.prismaVersion.client,
    meta: modelName ? { modelName } : undefined,
  });

it(
  'issue 12 permanent failures: missing rows and refused data are ' +
    'non-retryable with a stable type; outages and races are retried',
  () => {
    expect(permanentFailureOf(prismaError('P2025', 'PortalPartner'))).toMatchObject({
      type: PermanentFailure.missingRow,
      nonRetryable: true,
      message: 'A row the step needs is missing (P2025 on PortalPartner).',
    });
    expect(permanentFailureOf(prismaError('P2003'))).toMatchObject({
      type: PermanentFailure.rejectedInput,
      nonRetryable: true,
    });
    // A unique violation is usually a concurrent first attempt: the retry finds what it wrote.
    expect(permanentFailureOf(prismaError('P2002'))).toBeNull();
    // The database unreachable, a pool timeout, a dropped transaction: outages.
    for (const code of ['P1001', 'P1017', 'P2024', 'P2028']) expect(permanentFailureOf(prismaError(code))).toBeNull();
    expect(permanentFailureOf(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBeNull();

    const zod = z.strictObject({ email: z.email() }).safeParse({ email: 'not an email' }).error!;
    expect(permanentFailureOf(zod)).toMatchObject({
      type: PermanentFailure.rejectedInput,
      message: expect.stringMatching(/: email\.$/),
    });
    // A refusal's words may name the person: only its kind goes into the history.
    const refusal = permanentFailureOf(new UseCaseRefusal('conflict', 'sam@example.com is already a partner user'));
    expect(refusal).toMatchObject({
      type: PermanentFailure.rejectedInput,
      message: 'A use case refused the step (conflict).',
    });
    // Neither does Prisma's own message, which quotes the query.
    expect(JSON.stringify(permanentFailureOf(prismaError('P2025')))).not.toContain('sam@example.com');
    // What an activity already said stands.
    expect(permanentFailureOf(permanent('NoSuchPortalEmail', 'No one holds it.'))).toBeNull();
  },
);

it(
  'issue 12 permanent failures: a workflow parks or ends on a ' +
    'non-retryable step or one out of time, and on nothing else',
  () => {
    const failed = (cause: Error, retryState: RetryState = RetryState.NON_RETRYABLE_FAILURE) =>
      new ActivityFailure('activity failed', 'freePortalEmailForTicket', '1', retryState, 'worker', cause);
    expect(permanentStepFailure(failed(permanent(PermanentFailure.missingRow, 'gone')))).toEqual({
      reason: ParkedReason.missingRow,
      step: 'freePortalEmailForTicket',
      type: 'MissingRow',
      message: 'gone',
    });
    const smtp = failed(permanent(PermanentFailure.emailRefused, '550'));
    expect(permanentStepFailure(smtp)).toMatchObject({ reason: 'EMAIL_REFUSED' });
    const own = failed(permanent('NoSuchPortalEmail', 'x'));
    expect(permanentStepFailure(own)).toMatchObject({ reason: 'STEP_REFUSED', type: 'NoSuchPortalEmail' });
    // Out of time: the limit fired mid-attempt, or the server would not schedule a retry past it.
    const timedOut = new TimeoutFailure('activity ScheduleToClose timeout', undefined, 'SCHEDULE_TO_CLOSE');
    expect(permanentStepFailure(failed(timedOut, RetryState.TIMEOUT))).toMatchObject({ reason: 'STEP_TIMED_OUT' });
    const lastAttempt = ApplicationFailure.create({
      message: "Can't reach database server",
      type: 'PrismaClientKnownRequestError',
    });
    expect(permanentStepFailure(failed(lastAttempt, RetryState.TIMEOUT))).toMatchObject({
      reason: 'STEP_TIMED_OUT',
      message: "kept failing until its time limit; the last attempt: Can't reach database server",
    });
    // A workflow's own refusal or any other error is not a step that failed for good.
    expect(permanentStepFailure(permanent('Conflict', 'no'))).toBeNull();
    expect(permanentStepFailure(new Error('bug'))).toBeNull();
  },
);
