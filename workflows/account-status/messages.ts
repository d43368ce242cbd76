// The account-status workflow's contract (PA-2): suspend and reactivate a customer account. Pure
// definitions, shared by the workflow and the API; safe to bundle.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { OrganizationId, UserId } from '../../domain/messages/values/identifiers';

export const AccountStatus = z.enum(['ACTIVE', 'SUSPENDED']);
export type AccountStatus = z.infer<typeof AccountStatus>;

/** One workflow per account: every status change of it goes through the same run, in order. */
export const accountStatusWorkflowId = (organizationId: string) => `account-status-${organizationId}`;

export const AccountStatusInput = z.strictObject({
  organizationId: OrganizationId,
  /** Ends on its own after this long without a command (the next command starts it again). */
  idleSeconds: z.number().int().positive().default(3600),
  continueAsNewAfterChanges: z.number().int().min(1).default(500),
  /** Carried across continue-as-new: the row's transition counter, read once at the first start. */
  carried: z.strictObject({ status: AccountStatus, transition: z.number().int().nonnegative() }).optional(),
});
export type AccountStatusInput = z.input<typeof AccountStatusInput>;

export const ChangeAccountStatus = z.strictObject({
  to: AccountStatus,
  actorUserId: UserId,
  reason: z.string().trim().min(3).max(500),
});
export type ChangeAccountStatus = z.infer<typeof ChangeAccountStatus>;

export interface AccountStatusView {
  organizationId: string;
  status: AccountStatus;
  reason: string;
  /** False when the account already had the asked status: nothing was recorded. */
  changed: boolean;
}

export const AccountStatusRefusal = {
  invalid: 'AccountStatusInvalid',
  notFound: 'AccountStatusNoSuchAccount',
} as const;

export const changeStatusUpdate = defineUpdate<AccountStatusView, [ChangeAccountStatus]>('changeStatus');
export const statusQuery = defineQuery<AccountStatusView>('status');
