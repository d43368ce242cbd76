// Activities of the access-model-change workflow (PA-4): apply the model a ticket asks for, revoke
// what the new model no longer allows, and say who hears of it. Applying is one transaction (the
// row, its audit entry, its event) keyed by the ticket id: a retry answers what the first attempt did.
import { permanent } from './permanent';
import type { CustomerAccessModel as Model, Prisma } from '@prisma/client';
import type { Database } from '../platform/database';
import type { InvitationsClient } from '../workflows/invitation/client';
import { recordEvent } from '../events/outbox';
import { auditOfTicket, HELP_DESK_ACTOR_ID, revokeUnlessClosed } from '../domain/support-actions';
import { AccessModelChangeRefusal, type AccessModelSide } from '../workflows/access-model-change/messages';

type Tx = Prisma.TransactionClient;

export const ACCESS_MODEL_CHANGE = 'customer-account.access-model-change';

export interface AccessModelChangeRequest {
  ticketId: string;
  organizationId: string;
  accessModel: Model;
  reason: string | null;
}

export interface AppliedAccessModel {
  /** False when the model asked for was already in place: nothing changed. */
  changed: boolean;
  from: Model;
  to: Model;
  partnerFirmId: string;
  auditEntryId: string;
  /** What the new model no longer allows and the workflow revokes next (AUTOMATIC → INVITE_GUEST only). */
  toRevoke: Array<{ id: string; workflowId: string }>;
}

interface AuditDetail {
  ticketId: string;
  from: Model;
  to: Model;
  changed: boolean;
  reason: string | null;
}

/**
 * Switching to INVITE_GUEST ends the partner's automatic management, and with it the open
 * customer-user invitations sent under it: those the partner firm's staff sent into the organization
 * as staff (someone who is also an org admin of the organization sent theirs as its own admin).
 * Pending and expired (still renewable) ones; closed ones are history.
 */
async function sentUnderAutomaticModel(tx: Tx, organizationId: string, partnerFirmId: string) {
  const [staff, admins] = await Promise.all([
    tx.practiceStaffMember.findMany({ where: { partnerFirmId }, select: { userId: true } }),
    tx.membership.findMany({ where: { organizationId, role: 'ORG_ADMIN', source: 'OWN' }, select: { userId: true } }),
  ]);
  return tx.invitation.findMany({
    where: {
      kind: 'CUSTOMER_USER',
      scopeId: organizationId,
      state: { in: ['PENDING', 'EXPIRED'] },
      invitedById: { in: staff.map((s) => s.userId), notIn: admins.map((a) => a.userId) },
    },
    select: { id: true, workflowId: true },
    orderBy: { createdAt: 'asc' },
  });
}

export function accessModelChangeActivities(db: Database, invitations?: InvitationsClient) {
  return {
    /**
     * The model the ticket asks for: the row, its audit entry (the ticket as actor) and its event in one
     * transaction; a model already in place changes nothing but is audited too. A customer account
     * that does not exist is a refusal no retry changes.
     */
    async applyAccessModelChange(r: AccessModelChangeRequest): Promise<AppliedAccessModel> {
      return db.$transaction(async (tx) => {
        const answered = await auditOfTicket(tx, r.ticketId, ACCESS_MODEL_CHANGE);
        // Two tickets for one account take turns: each reads the model the other left.
        await tx.$executeRaw`
          select 1 from "CustomerAccount" where "organizationId" = ${r.organizationId}::uuid for update`;
        const account = await tx.customerAccount.findUnique({ where: { organizationId: r.organizationId } });
        if (!account) {
          const message =
            'The organization is not a customer account of a partner: there is no access model to change.';
          throw permanent(AccessModelChangeRefusal.noCustomerAccount, message);
        }
        const { partnerFirmId } = account;
        const revocations = async (d: AuditDetail) =>
          d.changed && d.to === 'INVITE_GUEST' ? sentUnderAutomaticModel(tx, r.organizationId, partnerFirmId) : [];
        if (answered) {
          const d = answered.detail as unknown as AuditDetail;
          return { ...d, partnerFirmId, auditEntryId: answered.id, toRevoke: await revocations(d) };
        }
        const d: AuditDetail = {
          ticketId: r.ticketId,
          from: account.accessModel,
          to: r.accessModel,
          changed: account.accessModel !== r.accessModel,
          reason: r.reason,
        };
        const audit = await tx.auditEntry.create({
          data: {
            actorId: HELP_DESK_ACTOR_ID,
            action: ACCESS_MODEL_CHANGE,
            subjectId: r.organizationId,
            detail: { ...d },
          },
        });
        if (d.changed) {
          await tx.customerAccount.update({
            where: { organizationId: r.organizationId },
            data: { accessModel: r.accessModel },
          });
          await recordEvent(tx, 'partneraccess.customer-account.access-model-changed.v1', {
            aggregateId: r.organizationId,
            data: {
              organizationId: r.organizationId,
              partnerFirmId,
              from: d.from,
              to: d.to,
              ticketId: r.ticketId,
              auditEntryId: audit.id,
            },
          });
        }
        return { ...d, partnerFirmId, auditEntryId: audit.id, toRevoke: await revocations(d) };
      });
    },

    /** One invitation the new model no longer allows, revoked by its workflow (no person: the ticket did it). */
    async revokeCustomerUserInvitation(i: { id: string; workflowId: string }): Promise<'revoked' | 'already-closed'> {
      if (!invitations) throw new Error('this worker has no invitations client: it cannot revoke invitations');
      return revokeUnlessClosed(invitations, i, null);
    },

    /** Who hears of the change: the partner firm's Account Owners and the organization's own org admins. */
    async accessModelChangeAudience(a: { organizationId: string }) {
      const account = await db.customerAccount.findUnique({
        where: { organizationId: a.organizationId },
        select: {
          partnerFirmId: true,
          partnerFirm: { select: { name: true } },
          organization: { select: { name: true } },
        },
      });
      if (!account) return { firmName: '', organizationName: '', recipients: [] };
      const active = { status: 'ACTIVE' as const };
      const [owners, admins] = await Promise.all([
        db.practiceStaffMember.findMany({
          where: { partnerFirmId: account.partnerFirmId, role: 'ACCOUNT_OWNER', user: active },
          select: { user: { select: { id: true, email: true } } },
          orderBy: { userId: 'asc' },
        }),
        db.membership.findMany({
          where: { organizationId: a.organizationId, role: 'ORG_ADMIN', source: 'OWN', user: active },
          select: { user: { select: { id: true, email: true } } },
          orderBy: { createdAt: 'asc' },
        }),
      ]);
      const side = (s: AccessModelSide) => (m: { user: { id: string; email: string } }) => ({
        userId: m.user.id,
        email: m.user.email,
        side: s,
      });
      return {
        firmName: account.partnerFirm.name,
        organizationName: account.organization.name,
        recipients: [...owners.map(side('firm')), ...admins.map(side('organization'))],
      };
    },
  };
}
