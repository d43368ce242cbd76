// TPU-1..TPU-5: one long-lived workflow per (organization, third party).
//
//   AWAITING_ACCOUNT ──account registered──▶ REQUESTED ──support approves──▶ LISTED ◀──▶ ACCESS_ON
//        │ deadline                              │ support rejects            (org admins toggle;
//        ▼                                       ▼                             AM-5: the end date
//     EXPIRED                                 REJECTED                         turns it off)
//                                                                                │ removed
//                                                                                ▼
//                                                                             REMOVED
//
// A CRM Account Owner skips the support step (LISTED directly). Commands are Updates carrying only
// the caller's id: the caller decides who may (api/routes/third-party-access.ts), and the validators
// refuse a wrong state before anything is written to history.
// AM-7: a command records its transition and answers; its emails go out afterwards, from tasks that
// hold no command, so turning access off never waits behind an email.
// Deterministic: every read and write of the world is an activity. Each behaviour change is behind
// a patch (patched(...)), so histories recorded by earlier code replay unchanged. Issue 13: the
// database steps are local activities (databaseSteps()), so TPU-2 answers after one workflow task.
// Issue 12: a database step that fails for good (its organization gone, data refused) or keeps failing
// for 6 hours (an outage) parks the run: ProcessState PARKED and ParkedReason, the `parked` query, until
// an operator's retryParked runs the step again. Parking keeps the relationship as it stands; ending
// it would drop what an org admin or the CRM asked for.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { OutgoingEmail } from '../../platform/mail';
import { acts, databaseSteps, mail, parking, refuse, serializer } from '../shared';
import { FINAL_STATES, type TpuState } from '../../domain/messages/values/third-party-access';
import { PartnerUserIdKey, ProcessStateKey } from '../../domain/search-attributes';
import { ThirdPartyAccessInputV1 } from './input.v1';
import {
  accountRegisteredSignal,
  joinUpdate,
  crmAccountOwnerSignal,
  Refusal,
  relationshipQuery,
  removeUpdate,
  reviewUpdate,
  setAccessUpdate,
  SetAccessCommand,
  ThirdPartyAccessInput,
  ACCESS_ENDED,
  type CarriedState,
  type RecordedCommandActor,
  type RelationshipView,
} from './messages';

/** How often an account that has not been announced is looked up again while waiting (fallback). */
const ACCOUNT_RECHECK_MS = 6 * 3600 * 1000;

/** AM-7: emails go out after the transition, from notification tasks (histories without it await them). */
const NOTIFY_AFTER_TRANSITION = 'am-7-notify-after-transition';
/** AM-5: access turned on with an end date turns itself off then. */
const ACCESS_END_DATE = 'am-5-access-end-date';
/**
 * Issue 12: news received but not yet applied goes with the run when it continues as new (runs
 * recorded without it dropped it there).
 */
const CARRY_NEWS = 'issue-12-tpu-carry-news-across-continue-as-new';

/** The states a third party can be removed from. */
const REMOVABLE: TpuState[] = ['AWAITING_ACCOUNT', 'REQUESTED', 'LISTED', 'ACCESS_ON'];

const utc = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

export async function thirdPartyAccess(rawInput: ThirdPartyAccessInput): Promise<RelationshipView> {
  // Issue 13: the frozen V1 schema; a V2 (accepting V1 too) would be read here behind patched().
  const parsed = ThirdPartyAccessInputV1.safeParse(rawInput);
  if (!parsed.success)
    throw refuse(
      'InvalidInput',
      `invalid workflow input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  const input = parsed.data;
  const { organizationId, relationshipId } = input;

  // The news a previous run handed over is buffered again, not kept in the state it carries on.
  const withoutNews = ({ crmNews: _news, announcedUserId: _announced, ...state }: CarriedState) => state;
  const relationship: CarriedState = input.carried
    ? withoutNews(input.carried)
    : {
        state: 'AWAITING_ACCOUNT',
        thirdPartyUserId: null,
        reason: null,
        origin: input.origin,
        transition: 0,
        accountDeadline: null,
        accessEndsAt: null,
      };
  let announcedUserId: string | null = input.carried?.announcedUserId ?? null;
  let initialized = input.carried !== undefined;
  let requests = input.carried?.requests ?? 0;
  const crmNews: boolean[] = [...(input.carried?.crmNews ?? [])];

  const view = (): RelationshipView => ({
    relationshipId,
    organizationId,
    state: relationship.state,
    origin: relationship.origin,
    thirdPartyUserId: relationship.thirdPartyUserId,
    reason: relationship.reason,
    accessEndsAt: relationship.accessEndsAt ? new Date(relationship.accessEndsAt).toISOString() : null,
  });

  const serialized = serializer();
  const park = parking({ state: () => relationship.state });

  // AM-7: a notification runs beside the commands, never inside one. Its failure (after a day of
  // retries, or a permanent SMTP refusal) is logged; the relationship goes on.
  let notificationsPending = 0;
  function notify(what: string, send: () => Promise<unknown>): void {
    notificationsPending += 1;
    send()
      .catch((err) =>
        log.warn('third-party-access notification failed', { what, relationshipId, error: String(err) }),
      )
      .finally(() => (notificationsPending -= 1));
  }
  // Before continuing as new or ending: nothing of this run may be left half-done.
  const quiet = () => allHandlersFinished() && notificationsPending === 0;

  async function moveTo(state: TpuState, reason: string, actorUserId: string | null = null): Promise<void> {
    const from = relationship.state;
    relationship.state = state;
    relationship.reason = reason;
    relationship.transition += 1;
    upsertSearchAttributes([
      { key: ProcessStateKey, value: state },
      ...(relationship.thirdPartyUserId ? [{ key: PartnerUserIdKey, value: relationship.thirdPartyUserId }] : []),
    ]);
    await park.step(() =>
      databaseSteps().recordThirdPartyAccessTransition({
        workflowId: workflowInfo().workflowId,
        runId: workflowInfo().firstExecutionRunId,
        relationshipId,
        organizationId,
        thirdParty: input.thirdParty,
        origin: relationship.origin,
        ticketId: input.ticketId,
        requestedByUserId: input.requestedByUserId,
        thirdPartyUserId: relationship.thirdPartyUserId,
        from,
        to: state,
        reason,
        transition: relationship.transition,
        actorUserId,
        accessEndsAt:
          state === 'ACCESS_ON' && relationship.accessEndsAt
            ? new Date(relationship.accessEndsAt).toISOString()
            : null,
      }),
    );
  }

  async function list(how: string): Promise<void> {
    await moveTo('LISTED', `Listed with access off (${how}); an org admin can turn access on.`);
    // TPU-3: every org admin of the organization is told, one email each (a retry resends only the failed one).
    const transition = relationship.transition;
    const { name, firmName } = input.thirdParty;
    const listedEmail = (organizationName: string, admin: { userId: string; email: string }): OutgoingEmail => ({
      to: admin.email,
      subject: `${name} (${firmName}) was added as a third-party user of ${organizationName}`,
      text:
        `${name} of ${firmName} is now on ${organizationName}'s third-party user list.\n` +
        `Their access is off. As an org admin you can turn it on, or off again, at any time.`,
      messageId: `<tpu-listed-${relationshipId}-${transition}-${admin.userId}@partner-access.example>`,
    });
    if (patched(NOTIFY_AFTER_TRANSITION)) {
      // Each admin's email on its own: one admin's bad address or a slow retry holds up no other.
      notify('listed: org admins', async () => {
        const { organizationName, admins } = await acts.organizationAdmins({ organizationId });
        for (const admin of admins) {
          notify(`listed: org admin ${admin.userId}`, () => mail.sendEmail(listedEmail(organizationName, admin)));
        }
      });
      return;
    }
    const { organizationName, admins } = await acts.organizationAdmins({ organizationId });
    for (const admin of admins) await acts.sendEmail(listedEmail(organizationName, admin));
  }

  async function afterAccount(): Promise<void> {
    if (relationship.origin === 'CRM') await list('the CRM lists them as the Account Owner');
    else await moveTo('REQUESTED', 'Waiting for support to review the request.');
  }

  // ---- queries, signals, updates
  setHandler(relationshipQuery, view);
  // Answers once the first state is known, so a caller never sees a half-started relationship; or once
  // the first step parked, so the caller is not kept waiting on an operator.
  setHandler(joinUpdate, async () => {
    requests += 1;
    await condition(() => initialized || park.parked() !== null);
    return { ...view(), requests };
  });
  setHandler(accountRegisteredSignal, ({ userId }) => {
    announcedUserId = userId;
  });
  setHandler(crmAccountOwnerSignal, ({ isAccountOwner }) => {
    crmNews.push(isAccountOwner);
  });

  const requireState = (allowed: TpuState[], what: string) => {
    if (!allowed.includes(relationship.state))
      throw refuse(Refusal.conflict, `Cannot ${what}: the relationship is ${relationship.state}.`);
  };

  // Who may send a command was decided by the caller; the validators check only that the state allows it.
  setHandler(
    reviewUpdate,
    (cmd) =>
      serialized(async () => {
        requireState(['REQUESTED'], 'review the request');
        if (cmd.decision === 'approve') await list('approved by support');
        else await moveTo('REJECTED', `Rejected by support: ${cmd.reason}`, cmd.actor.userId);
        return view();
      }),
    { validator: (_cmd) => requireState(['REQUESTED'], 'review the request') },
  );

  setHandler(
    setAccessUpdate,
    (cmd) =>
      serialized(async () => {
        requireState(cmd.access === 'on' ? ['LISTED'] : ['ACCESS_ON'], `turn access ${cmd.access}`);
        if (cmd.access === 'on') {
          // AM-5: the end date is a timer of the main loop (histories from before it never carry one).
          relationship.accessEndsAt =
            cmd.until !== undefined && patched(ACCESS_END_DATE) ? Date.parse(cmd.until) : null;
          await moveTo(
            'ACCESS_ON',
            'Access is on: everything a product admin can do and most of what an org admin can do.',
            cmd.actor.userId,
          );
          const ends = relationship.accessEndsAt
            ? ` It ends on ${utc(relationship.accessEndsAt)}, unless turned off sooner.`
            : '';
          const email: OutgoingEmail = {
            to: input.thirdParty.email,
            subject: 'Your third-party access was turned on',
            text:
              'An org admin turned on your third-party access. ' +
              `You can now work in the organization from your own account.${ends}`,
            messageId: `<tpu-access-on-${relationshipId}-${relationship.transition}@partner-access.example>`,
          };
          if (patched(NOTIFY_AFTER_TRANSITION)) notify('access on: the third party', () => mail.sendEmail(email));
          else await acts.sendEmail(email);
        } else {
          relationship.accessEndsAt = null;
          await moveTo(
            'LISTED',
            'Access is off: ask an org admin of the organization to turn it on.',
            cmd.actor.userId,
          );
        }
        return view();
      }),
    {
      validator: (cmd) => {
        // `until` becomes a timer: a command whose date cannot be read is refused before it is recorded.
        if (!SetAccessCommand.safeParse(cmd).success) {
          throw refuse('InvalidInput', 'The command does not fit the setAccess contract.');
        }
        if (cmd.access === 'on') requireState(['LISTED'], 'turn access on');
        else requireState(['ACCESS_ON'], 'turn access off');
      },
    },
  );

  setHandler(
    removeUpdate,
    (cmd) =>
      serialized(async () => {
        requireState(REMOVABLE, 'remove the third party');
        // Commands recorded before AM-7 have no `removedBy`: their wording came from the asserted roles.
        const recorded = cmd.actor as RecordedCommandActor;
        const bySupport = cmd.removedBy
          ? cmd.removedBy === 'support'
          : !!recorded.isSupportAgent && recorded.orgRole !== 'ORG_ADMIN';
        relationship.accessEndsAt = null;
        await moveTo('REMOVED', bySupport ? 'Removed by support.' : 'Removed by an org admin.', cmd.actor.userId);
        return view();
      }),
    { validator: (_cmd) => requireState(REMOVABLE, 'remove the third party') },
  );

  // ---- the process
  if (!input.carried) {
    await serialized(async () => {
      const found = await park.step(() =>
        databaseSteps().lookUpThirdParty({ organizationId, email: input.thirdParty.email }),
      );
      if (found.emailOnOrganizationDomain) {
        await moveTo(
          'REJECTED',
          `The email is on one of ${found.organizationName}'s own domains; ` +
            'a third party needs an account with their own business email.',
        );
        return;
      }
      relationship.thirdPartyUserId = found.userId;
      if (found.userId) return afterAccount();
      relationship.accountDeadline = Date.now() + input.accountWaitSeconds * 1000;
      await moveTo('AWAITING_ACCOUNT', 'Waiting for the third party to create their own account with this email.');
    });
    initialized = true;
  }

  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > input.continueAsNewAfterEvents;

  while (!FINAL_STATES.includes(relationship.state)) {
    if (shouldContinueAsNew()) {
      await condition(quiet);
      // Signals keep arriving while the run waits for quiet: whatever is buffered goes with it.
      const news = patched(CARRY_NEWS) ? { crmNews, announcedUserId } : {};
      await continueAsNew<typeof thirdPartyAccess>({ ...input, carried: { ...relationship, requests, ...news } });
    }
    const waitingForAccount = relationship.state === 'AWAITING_ACCOUNT';
    // AM-5: access with an end date sleeps until then (or until anything else happens first).
    const accessEndsAt = relationship.state === 'ACCESS_ON' ? (relationship.accessEndsAt ?? null) : null;
    const stateBefore = relationship.state;
    const wake = () =>
      relationship.state !== stateBefore ||
      crmNews.length > 0 ||
      (waitingForAccount && announcedUserId !== null) ||
      shouldContinueAsNew();
    let woken = true;
    if (waitingForAccount) {
      woken = await condition(
        wake,
        Math.max(1, Math.min(ACCOUNT_RECHECK_MS, relationship.accountDeadline! - Date.now())),
      );
    } else if (accessEndsAt !== null) await condition(wake, Math.max(1, accessEndsAt - Date.now()));
    else await condition(wake);

    await serialized(async () => {
      // AM-5: the end date has come and nobody turned access off before: the engine does, like an org admin would.
      if (
        relationship.state === 'ACCESS_ON' &&
        relationship.accessEndsAt &&
        Date.now() >= relationship.accessEndsAt
      ) {
        const endedOn = utc(relationship.accessEndsAt);
        relationship.accessEndsAt = null;
        const reason = `${ACCESS_ENDED} (${endedOn}); ask an org admin of the organization to turn it on again.`;
        await moveTo('LISTED', reason);
      }
      if (relationship.state === 'AWAITING_ACCOUNT') {
        let userId = announcedUserId;
        const lookUp = () => databaseSteps().lookUpThirdParty({ organizationId, email: input.thirdParty.email });
        if (!userId && !woken) userId = (await park.step(lookUp)).userId;
        if (userId) {
          relationship.thirdPartyUserId = userId;
          await afterAccount();
        } else if (Date.now() >= relationship.accountDeadline!) {
          const days = Math.round(input.accountWaitSeconds / 86400);
          const wait = days >= 1 ? `${days} days` : `${input.accountWaitSeconds} seconds`;
          await moveTo(
            'EXPIRED',
            `No account was created with this email within ${wait}; the request has ended. ` +
              'Create an account, then ask again.',
          );
        }
      }
      // TPU-5: the CRM's word. Being the Account Owner skips support; losing it removes what the CRM granted.
      while (crmNews.length > 0 && !FINAL_STATES.includes(relationship.state)) {
        const isOwner = crmNews.shift()!;
        if (isOwner && relationship.state === 'REQUESTED') {
          relationship.origin = 'CRM';
          await list('the CRM lists them as the Account Owner');
        } else if (isOwner && relationship.state === 'AWAITING_ACCOUNT') {
          relationship.origin = 'CRM';
        } else if (!isOwner && relationship.origin === 'CRM') {
          await moveTo(
            'REMOVED',
            'Removed: the CRM no longer lists them as the Account Owner. ' +
              'The organization can request access for them.',
          );
        }
      }
    });
  }
  await condition(quiet);
  return view();
}
