// TPU-1..TPU-5: one long-lived workflow per (organization, third party).
//
//   AWAITING_ACCOUNT ──account registered──▶ REQUESTED ──support approves──▶ LISTED ◀──▶ ACCESS_ON
//        │ deadline                              │ support rejects            (org admins toggle)
//        ▼                                       ▼                              │ removed
//     EXPIRED                                 REJECTED                        REMOVED
//
// A CRM Account Owner skips the support step (LISTED directly). Commands are Updates whose
// validators refuse the wrong role or the wrong state before anything is written to history.
// Deterministic: every read and write of the world is an activity.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { acts, refuse, serializer } from '../shared';
import { FINAL_STATES, type TpuState } from '../../domain/messages/values/third-party-access';
import { PartnerUserIdKey, ProcessStateKey } from '../../domain/search-attributes';
import {
  accountRegisteredSignal,
  joinUpdate,
  crmAccountOwnerSignal,
  Refusal,
  relationshipQuery,
  removeUpdate,
  reviewUpdate,
  setAccessUpdate,
  ThirdPartyAccessInput,
  type CarriedState,
  type CommandActor,
  type RelationshipView,
} from './messages';

/** How often an account that has not been announced is looked up again while waiting (fallback). */
const ACCOUNT_RECHECK_MS = 6 * 3600 * 1000;

export async function thirdPartyAccess(rawInput: ThirdPartyAccessInput): Promise<RelationshipView> {
  const parsed = ThirdPartyAccessInput.safeParse(rawInput);
  if (!parsed.success) throw refuse('InvalidInput', `invalid workflow input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const input = parsed.data;
  const { organizationId, relationshipId } = input;

  const s: CarriedState = input.carried ?? {
    state: 'AWAITING_ACCOUNT',
    thirdPartyUserId: null,
    reason: null,
    origin: input.origin,
    transition: 0,
    accountDeadline: null,
  };
  let announcedUserId: string | null = null;
  let initialized = input.carried !== undefined;
  let requests = input.carried?.requests ?? 0;
  const crmNews: boolean[] = [];

  const view = (): RelationshipView => ({
    relationshipId,
    organizationId,
    state: s.state,
    origin: s.origin,
    thirdPartyUserId: s.thirdPartyUserId,
    reason: s.reason,
  });

  const serialized = serializer();

  async function moveTo(state: TpuState, reason: string, actorUserId: string | null = null): Promise<void> {
    const from = s.state;
    s.state = state;
    s.reason = reason;
    s.transition += 1;
    upsertSearchAttributes([
      { key: ProcessStateKey, value: state },
      ...(s.thirdPartyUserId ? [{ key: PartnerUserIdKey, value: s.thirdPartyUserId }] : []),
    ]);
    await acts.recordThirdPartyAccessTransition({
      workflowId: workflowInfo().workflowId,
      runId: workflowInfo().firstExecutionRunId,
      relationshipId,
      organizationId,
      thirdParty: input.thirdParty,
      origin: s.origin,
      ticketId: input.ticketId,
      requestedByUserId: input.requestedByUserId,
      thirdPartyUserId: s.thirdPartyUserId,
      from,
      to: state,
      reason,
      transition: s.transition,
      actorUserId,
    });
  }

  async function list(how: string): Promise<void> {
    await moveTo('LISTED', `Listed with access off (${how}); an org admin can turn access on.`);
    // TPU-3: every org admin of the organization is told, one email each (a retry resends only the failed one).
    const { organizationName, admins } = await acts.organizationAdmins({ organizationId });
    for (const admin of admins) {
      await acts.sendEmail({
        to: admin.email,
        subject: `${input.thirdParty.name} (${input.thirdParty.firmName}) was added as a third-party user of ${organizationName}`,
        text:
          `${input.thirdParty.name} of ${input.thirdParty.firmName} is now on ${organizationName}'s third-party user list.\n` +
          `Their access is off. As an org admin you can turn it on, or off again, at any time.`,
        messageId: `<tpu-listed-${relationshipId}-${s.transition}-${admin.userId}@partner-access.example>`,
      });
    }
  }

  async function afterAccount(): Promise<void> {
    if (s.origin === 'CRM') await list('the CRM lists them as the Account Owner');
    else await moveTo('REQUESTED', 'Waiting for support to review the request.');
  }

  // ---- queries, signals, updates
  setHandler(relationshipQuery, view);
  // Answers once the first state is known, so a caller never sees a half-started relationship.
  setHandler(joinUpdate, async () => {
    requests += 1;
    await condition(() => initialized);
    return { ...view(), requests };
  });
  setHandler(accountRegisteredSignal, ({ userId }) => {
    announcedUserId = userId;
  });
  setHandler(crmAccountOwnerSignal, ({ isAccountOwner }) => {
    crmNews.push(isAccountOwner);
  });

  const requireState = (allowed: TpuState[], what: string) => {
    if (!allowed.includes(s.state)) throw refuse(Refusal.conflict, `Cannot ${what}: the relationship is ${s.state}.`);
  };
  const requireOrgAdmin = (actor: CommandActor, what: string) => {
    if (actor.orgRole !== 'ORG_ADMIN') throw refuse(Refusal.forbidden, `Only an org admin of the organization can ${what}.`);
  };

  setHandler(
    reviewUpdate,
    (cmd) =>
      serialized(async () => {
        requireState(['REQUESTED'], 'review the request');
        if (cmd.decision === 'approve') await list('approved by support');
        else await moveTo('REJECTED', `Rejected by support: ${cmd.reason}`, cmd.actor.userId);
        return view();
      }),
    {
      validator: (cmd) => {
        if (!cmd.actor.isSupportAgent) throw refuse(Refusal.forbidden, 'Only support reviews third-party-user requests.');
        requireState(['REQUESTED'], 'review the request');
      },
    },
  );

  setHandler(
    setAccessUpdate,
    (cmd) =>
      serialized(async () => {
        requireState(cmd.access === 'on' ? ['LISTED'] : ['ACCESS_ON'], `turn access ${cmd.access}`);
        if (cmd.access === 'on') {
          await moveTo('ACCESS_ON', 'Access is on: everything a product admin can do and most of what an org admin can do.', cmd.actor.userId);
          await acts.sendEmail({
            to: input.thirdParty.email,
            subject: 'Your third-party access was turned on',
            text: `An org admin turned on your third-party access. You can now work in the organization from your own account.`,
            messageId: `<tpu-access-on-${relationshipId}-${s.transition}@partner-access.example>`,
          });
        } else {
          await moveTo('LISTED', 'Access is off: ask an org admin of the organization to turn it on.', cmd.actor.userId);
        }
        return view();
      }),
    {
      validator: (cmd) => {
        requireOrgAdmin(cmd.actor, `turn third-party access ${cmd.access}`);
        if (cmd.access === 'on') requireState(['LISTED'], 'turn access on');
        else requireState(['ACCESS_ON'], 'turn access off');
      },
    },
  );

  setHandler(
    removeUpdate,
    (cmd) =>
      serialized(async () => {
        requireState(['AWAITING_ACCOUNT', 'REQUESTED', 'LISTED', 'ACCESS_ON'], 'remove the third party');
        await moveTo('REMOVED', cmd.actor.isSupportAgent && cmd.actor.orgRole !== 'ORG_ADMIN' ? 'Removed by support.' : 'Removed by an org admin.', cmd.actor.userId);
        return view();
      }),
    {
      validator: (cmd) => {
        if (cmd.actor.orgRole !== 'ORG_ADMIN' && !cmd.actor.isSupportAgent) {
          throw refuse(Refusal.forbidden, 'Only an org admin of the organization or support can remove a third party.');
        }
        requireState(['AWAITING_ACCOUNT', 'REQUESTED', 'LISTED', 'ACCESS_ON'], 'remove the third party');
      },
    },
  );

  // ---- the process
  if (!input.carried) {
    await serialized(async () => {
      const found = await acts.lookUpThirdParty({ organizationId, email: input.thirdParty.email });
      if (found.emailOnOrganizationDomain) {
        await moveTo('REJECTED', `The email is on one of ${found.organizationName}'s own domains; a third party needs an account with their own business email.`);
        return;
      }
      s.thirdPartyUserId = found.userId;
      if (found.userId) return afterAccount();
      s.accountDeadline = Date.now() + input.accountWaitSeconds * 1000;
      await moveTo('AWAITING_ACCOUNT', 'Waiting for the third party to create their own account with this email.');
    });
    initialized = true;
  }

  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > input.continueAsNewAfterEvents;

  while (!FINAL_STATES.includes(s.state)) {
    if (shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof thirdPartyAccess>({ ...input, carried: { ...s, requests } });
    }
    const waitingForAccount = s.state === 'AWAITING_ACCOUNT';
    const stateBefore = s.state;
    const wake = () =>
      s.state !== stateBefore ||
      crmNews.length > 0 ||
      (waitingForAccount && announcedUserId !== null) ||
      shouldContinueAsNew();
    const woken = waitingForAccount
      ? await condition(wake, Math.max(1, Math.min(ACCOUNT_RECHECK_MS, s.accountDeadline! - Date.now())))
      : (await condition(wake), true);

    await serialized(async () => {
      if (s.state === 'AWAITING_ACCOUNT') {
        let userId = announcedUserId;
        if (!userId && !woken) userId = (await acts.lookUpThirdParty({ organizationId, email: input.thirdParty.email })).userId;
        if (userId) {
          s.thirdPartyUserId = userId;
          await afterAccount();
        } else if (Date.now() >= s.accountDeadline!) {
          const days = Math.round(input.accountWaitSeconds / 86400);
          await moveTo('EXPIRED', `No account was created with this email within ${days >= 1 ? `${days} days` : `${input.accountWaitSeconds} seconds`}; the request has ended. Create an account, then ask again.`);
        }
      }
      // TPU-5: the CRM's word. Being the Account Owner skips support; losing it removes what the CRM granted.
      while (crmNews.length > 0 && !FINAL_STATES.includes(s.state)) {
        const isOwner = crmNews.shift()!;
        if (isOwner && s.state === 'REQUESTED') {
          s.origin = 'CRM';
          await list('the CRM lists them as the Account Owner');
        } else if (isOwner && s.state === 'AWAITING_ACCOUNT') {
          s.origin = 'CRM';
        } else if (!isOwner && s.origin === 'CRM') {
          await moveTo('REMOVED', 'Removed: the CRM no longer lists them as the Account Owner. The organization can request access for them.');
        }
      }
    });
  }
  await condition(allHandlersFinished);
  return view();
}
