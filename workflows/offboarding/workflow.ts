// PS-5: offboard a user from every organization they are in, handing what they hold to a named
// replacement, then remove them from the Practice Staff.
//
//   check the replacement ──refused──▶ REFUSED (nothing changed)
//        │ ok
//   for each organization (a few at a time): one transaction moves the assignments, gives the
//   replacement the user's role where they lack one, removes the user's membership
//        │ all done
//   remove from Practice Staff ──▶ COMPLETED
//
// Retry until done, not compensation: each organization is one atomic, idempotent transaction (an
// organization is either untouched or fully handed over), so a failure never leaves an organization
// half-done, and a retry or a new worker simply carries on. Undoing finished organizations would
// hand work back to someone who is leaving, which nobody wants.
// Issue 12: a step that fails for good (a missing row, refused data) or keeps failing for 6 hours (an
// outage) parks the run (ProcessState PARKED, ParkedReason, the `parked` query) instead of retrying
// for ever out of sight: ending would leave a user half offboarded with nobody told. Once the cause
// is fixed, an operator's retryParked runs the step again and the offboarding carries on.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { PartnerUserIdKey, ProcessStateKey } from '../../domain/search-attributes';
import { OffboardingInput, progressQuery, startedUpdate, type OffboardingProgress } from './messages';
import { parking, refuse } from '../shared';

// Short timeouts: a worker killed mid-organization is noticed in seconds, and the organization's
// transaction is retried (it commits whole or not at all). A step still failing after 6 hours is an
// outage or a bug an operator must see: the run parks (workflows/shared.ts `steps` says why 6 hours).
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export async function offboarding(rawInput: OffboardingInput): Promise<OffboardingProgress> {
  const parsed = OffboardingInput.safeParse(rawInput);
  if (!parsed.success)
    throw refuse(
      'InvalidInput',
      `invalid workflow input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  const input = parsed.data;
  const offboardingId = workflowInfo().firstExecutionRunId;
  const progress: OffboardingProgress = {
    offboardingId,
    state: input.carried ? 'RUNNING' : 'CHECKING',
    total: input.carried?.total ?? 0,
    done: input.carried?.done ?? 0,
    reason: '',
  };
  let remaining = input.carried?.remaining ?? [];

  setHandler(progressQuery, () => ({ ...progress }));
  // A check that parks leaves the caller waiting until its command deadline (not-ready: try again);
  // operators see the run as PARKED.
  const park = parking({ state: () => progress.state });
  setHandler(startedUpdate, async () => {
    await condition(() => progress.state !== 'CHECKING');
    return { ...progress };
  });

  const who = {
    offboardingId,
    workflowId: workflowInfo().workflowId,
    partnerFirmId: input.partnerFirmId,
    leavingUserId: input.leavingUserId,
    replacementUserId: input.replacementUserId,
  };

  if (!input.carried) {
    const opened = await park.step(() =>
      acts.openOffboarding({ ...who, requestedByUserId: input.requestedByUserId }),
    );
    if (opened.refused) {
      progress.state = 'REFUSED';
      progress.reason = opened.refused;
      upsertSearchAttributes([{ key: ProcessStateKey, value: 'REFUSED' }]);
      await condition(allHandlersFinished);
      return { ...progress };
    }
    remaining = opened.organizationIds;
    progress.total = opened.organizationIds.length;
    progress.state = 'RUNNING';
    upsertSearchAttributes([
      { key: ProcessStateKey, value: 'RUNNING' },
      { key: PartnerUserIdKey, value: input.leavingUserId },
    ]);
  }

  let handledThisRun = 0;
  while (remaining.length > 0) {
    if (handledThisRun >= input.organizationsPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof offboarding>({
        ...input,
        carried: { remaining, total: progress.total, done: progress.done },
      });
    }
    const batch = remaining.slice(0, input.parallelOrganizations);
    await Promise.all(
      batch.map(async (organizationId) => {
        await park.step(() => acts.offboardOrganization({ ...who, organizationId }));
        progress.done += 1;
      }),
    );
    remaining = remaining.slice(batch.length);
    handledThisRun += batch.length;
  }

  const { reason } = await park.step(() => acts.finishOffboarding(who));
  progress.state = 'COMPLETED';
  progress.reason = reason;
  upsertSearchAttributes([{ key: ProcessStateKey, value: 'COMPLETED' }]);
  await condition(allHandlersFinished);
  return { ...progress };
}
