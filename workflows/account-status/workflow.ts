// PA-2: one workflow per customer account carries its suspensions and reactivations, one at a time
// and in order, each recorded with its audit entry and event in one transaction.
//
//   (start) ──load the row──▶ ACTIVE ◀──reactivate── SUSPENDED
//                              └──────suspend──────────▲
//   idle for `idleSeconds` with nothing in flight ──▶ completed (the next command starts it again)
//
// `changeStatus` is an Update: the caller's policy decision point decided who may send it, the
// validator refuses a malformed command before it reaches the history, and the answer comes once
// the change is recorded: the account's users are refused from that moment (the decision point
// reads the row). Asking for the status the account already has records nothing. Suspension stops
// only what the decision point lets in; it deletes nothing, so reactivation restores exactly that.
// Deterministic: every read and write of the world is an activity.
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { acts, refuse, serializer } from '../shared';
import {
  AccountStatusInput,
  AccountStatusRefusal,
  ChangeAccountStatus,
  changeStatusUpdate,
  statusQuery,
  type AccountStatus,
  type AccountStatusView,
} from './messages';

export async function accountStatus(rawInput: AccountStatusInput): Promise<AccountStatusView> {
  const parsed = AccountStatusInput.safeParse(rawInput);
  if (!parsed.success) throw refuse(AccountStatusRefusal.invalid, 'invalid workflow input');
  const input = parsed.data;
  const { organizationId } = input;

  let current: { status: AccountStatus; transition: number } | null = input.carried ?? null;
  let reason = '';
  let changes = 0;
  let lastCommandAt = Date.now();
  const serialized = serializer();
  const view = (changed: boolean): AccountStatusView => ({
    organizationId,
    status: current?.status ?? 'ACTIVE',
    reason,
    changed,
  });

  setHandler(statusQuery, () => view(false));
  setHandler(
    changeStatusUpdate,
    (command) =>
      serialized(async () => {
        lastCommandAt = Date.now();
        await condition(() => current !== null);
        if (current!.status === command.to) return view(false);
        const transition = current!.transition + 1;
        await acts.recordAccountStatus({ organizationId, transition, ...command });
        current = { status: command.to, transition };
        reason = command.reason;
        changes++;
        return view(true);
      }),
    {
      validator: (command) => {
        if (!ChangeAccountStatus.safeParse(command).success) {
          throw refuse(AccountStatusRefusal.invalid, 'The command does not fit the changeStatus contract.');
        }
      },
    },
  );

  if (!current) current = await acts.loadAccountStatus({ organizationId });

  // Wait for commands; end when idle, continue as new when the history grows long.
  for (;;) {
    const idleUntil = lastCommandAt + input.idleSeconds * 1000;
    await condition(
      () => changes >= input.continueAsNewAfterChanges || Date.now() >= idleUntil,
      idleUntil - Date.now(),
    );
    if (!allHandlersFinished()) {
      await condition(allHandlersFinished);
      continue;
    }
    if (changes >= input.continueAsNewAfterChanges || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof accountStatus>({ ...input, carried: current });
    }
    if (Date.now() >= lastCommandAt + input.idleSeconds * 1000) return view(false);
  }
}
