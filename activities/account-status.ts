// Activities of the account-status workflow (PA-2). The transition counter on the organization row
// makes a retried record change nothing twice.
import { permanent } from './permanent';
import type { Database } from '../platform/database';
import { recordEvent } from '../events/outbox';
import { AccountStatusRefusal, type AccountStatus } from '../workflows/account-status/messages';

export function accountStatusActivities(db: Database) {
  return {
    async loadAccountStatus(a: { organizationId: string }): Promise<{ status: AccountStatus; transition: number }> {
      const row = await db.organization.findUnique({
        where: { id: a.organizationId },
        select: { status: true, statusTransition: true },
      });
      if (!row) {
        throw permanent(AccountStatusRefusal.notFound, 'No such account.');
      }
      return { status: row.status, transition: row.statusTransition };
    },

    /** The status, its audit entry and its event, in one transaction; a transition already applied is skipped. */
    async recordAccountStatus(a: {
      organizationId: string;
      transition: number;
      to: AccountStatus;
      actorUserId: string;
      reason: string;
    }): Promise<void> {
      await db.$transaction(async (tx) => {
        const suspending = a.to === 'SUSPENDED';
        const applied = await tx.organization.updateMany({
          where: { id: a.organizationId, statusTransition: { lt: a.transition } },
          data: {
            status: a.to,
            statusTransition: a.transition,
            suspendedAt: suspending ? new Date() : null,
            suspendedById: suspending ? a.actorUserId : null,
            suspensionReason: suspending ? a.reason : null,
          },
        });
        if (applied.count === 0) return;
        const account = await tx.customerAccount.findUnique({
          where: { organizationId: a.organizationId },
          select: { partnerFirmId: true },
        });
        await tx.auditEntry.create({
          data: {
            actorId: a.actorUserId,
            action: suspending ? 'customer-account.suspend' : 'customer-account.reactivate',
            subjectId: a.organizationId,
            detail: { reason: a.reason, transition: a.transition },
          },
        });
        const type = suspending
          ? 'partneraccess.customer-account.suspended.v1'
          : 'partneraccess.customer-account.reactivated.v1';
        await recordEvent(tx, type, {
          aggregateId: a.organizationId,
          data: {
            organizationId: a.organizationId,
            partnerFirmId: account?.partnerFirmId ?? null,
            status: a.to,
            actorUserId: a.actorUserId,
            transition: a.transition,
          },
        });
      });
    },
  };
}
