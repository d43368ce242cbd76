// PA-5: switching into a customer account and back. A customer's org admin invites a user of its
// partner account as a guest; the guest switches in, with a fresh sign-in, to work as that account's
// user under a token scoped to it, and switches back to their partner account, which ends the switch
// (and with it that token) at once. Each switch is one transaction with its audit entry and its
// event. Tokens are the API's business (api/identity.ts): these use cases decide and record.
import type { OrgRole } from '@prisma/client';
import type { Database } from '../platform/database';
import type { InvitationsClient } from '../workflows/invitation/client';
import { recordEvent } from '../events/outbox';
import { Authorizer } from './authorization/authorizer';
import { UseCaseRefusal } from './refusal';
import type { InviteAccountGuestV1 } from './messages/commands/account-switching.v1';

/** A switch wants the password again: a sign-in no older than this. */
export const FRESH_SIGN_IN_MS = 5 * 60_000;

/**
 * Why a switch is refused. Kept apart from UseCaseRefusal: these answers are about the caller's
 * sign-in and token (sign in again, switch back first), which no other use case answers.
 */
export type SwitchRefusalKind = 'not-found' | 'not-a-guest' | 'stale-sign-in' | 'switched-in' | 'not-switched-in';

export class SwitchRefusal extends Error {
  constructor(
    readonly kind: SwitchRefusalKind,
    message: string,
    /** For `not-a-guest`: the policies that decided, so a named forbid (a suspended account) answers itself. */
    readonly policies: readonly string[] = [],
  ) {
    super(message);
  }
}

/** Who holds the token a switch is asked with: the API's Actor fits. */
export interface TokenHolder {
  userId: string;
  authTime?: Date;
  switchedInto?: string;
  switchId?: string;
}

export interface OpenedSwitch {
  switchId: string;
  organizationId: string;
  name: string;
  role: OrgRole;
}

export class AccountSwitching {
  constructor(private readonly deps: { db: Database; invitations: InvitationsClient }) {}

  /**
   * Opens a switch into a customer account. Refused while already switched in (each switch starts
   * from the partner account: a token scoped to one customer never opens another), without a guest
   * grant there, and with a stale sign-in. The grant is decided before the sign-in's age: signing in
   * again for a switch that can never be made would waste it.
   */
  async switchIn(holder: TokenHolder, organizationId: string, now = new Date()): Promise<OpenedSwitch> {
    if (holder.switchedInto) {
      throw new SwitchRefusal(
        'switched-in',
        'You are switched into a customer account. Switch back to your partner account first, then switch again.',
      );
    }
    return this.deps.db.$transaction(async (tx) => {
      // Decided for the token it would issue: guest grants count only for a switched-in principal.
      const decision = await new Authorizer(tx).decide({
        principalId: holder.userId,
        switchedInto: organizationId,
        action: 'switchIntoAccount',
        resource: { type: 'Organization', id: organizationId },
      });
      if (decision.missing) throw new SwitchRefusal('not-found', 'No such customer account.');
      const notAGuest = () =>
        new SwitchRefusal(
          'not-a-guest',
          'You cannot switch into this account: the customer must invite you as a guest first ' +
            '(its org admins do, from the account), and you accept the invitation.',
          decision.policies,
        );
      if (!decision.allowed) throw notAGuest();
      if (!holder.authTime || now.getTime() - holder.authTime.getTime() > FRESH_SIGN_IN_MS) {
        throw new SwitchRefusal(
          'stale-sign-in',
          'Switching into a customer account needs a fresh sign-in: sign in again with your password ' +
            '(POST /sessions) and switch within 5 minutes, with the token that answers.',
        );
      }
      const grant = await tx.membership.findUnique({
        where: { userId_organizationId: { userId: holder.userId, organizationId }, source: 'GUEST' },
        select: { id: true, role: true, organization: { select: { name: true } } },
      });
      // Revoked since the decision read it: the switch would grant nothing.
      if (!grant) throw notAGuest();
      const opened = await tx.accountSwitch.create({
        data: { userId: holder.userId, organizationId, startedAt: now },
      });
      const grantId = `membership:${grant.id}`;
      const audit = await tx.auditEntry.create({
        data: {
          actorId: holder.userId,
          action: 'account.switched-in',
          subjectId: organizationId,
          detail: { switchId: opened.id, grantId, role: grant.role, authTime: holder.authTime.toISOString() },
        },
      });
      await recordEvent(tx, 'partneraccess.account.switched-in.v1', {
        aggregateId: opened.id,
        data: { switchId: opened.id, userId: holder.userId, organizationId, grantId, auditEntryId: audit.id },
      });
      return { switchId: opened.id, organizationId, name: grant.organization.name, role: grant.role };
    });
  }

  /**
   * Ends the caller's switch. Nobody else's decision is asked: going home is always allowed, also
   * from an account that was suspended or whose guest grant was revoked in the meantime.
   */
  async switchBack(userId: string, switchId: string, now = new Date()): Promise<{ organizationId: string }> {
    return this.deps.db.$transaction(async (tx) => {
      // On the row, in one statement: of two switch-backs at once, one ends it and the other is told.
      const ended = await tx.accountSwitch.updateMany({
        where: { id: switchId, userId, endedAt: null },
        data: { endedAt: now },
      });
      if (ended.count === 0) throw new SwitchRefusal('not-switched-in', 'This switch has already ended.');
      const { organizationId, startedAt } = await tx.accountSwitch.findUniqueOrThrow({ where: { id: switchId } });
      const audit = await tx.auditEntry.create({
        data: {
          actorId: userId,
          action: 'account.switched-back',
          subjectId: organizationId,
          detail: { switchId, startedAt: startedAt.toISOString(), seconds: Math.round((+now - +startedAt) / 1000) },
        },
      });
      await recordEvent(tx, 'partneraccess.account.switched-back.v1', {
        aggregateId: switchId,
        data: { switchId, userId, organizationId, auditEntryId: audit.id },
      });
      return { organizationId };
    });
  }

  /** The customer accounts a user can switch into: their guest grants in effect. */
  async switchable(userId: string, now = new Date()) {
    const grants = await this.deps.db.membership.findMany({
      where: { userId, source: 'GUEST', deactivatedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      select: {
        id: true,
        role: true,
        organization: {
          select: { id: true, name: true, status: true, customerAccount: { select: { partnerFirmId: true } } },
        },
      },
      orderBy: { createdAt: 'asc' },
    });
    return grants.map((g) => ({
      organizationId: g.organization.id,
      name: g.organization.name,
      role: g.role,
      status: g.organization.status,
      partnerFirmId: g.organization.customerAccount?.partnerFirmId ?? null,
      grantId: `membership:${g.id}`,
    }));
  }

  /**
   * A customer's org admin invites a user of its partner account as a guest. Who may invite is
   * decided before (inviteAccountGuest); here, whom: only a customer account has a partner account,
   * and a guest is one of that partner account's users (the seed: "switch from your partner account").
   */
  async inviteGuest(actorUserId: string, organizationId: string, guest: InviteAccountGuestV1) {
    const { db, invitations } = this.deps;
    const account = await db.customerAccount.findUnique({
      where: { organizationId },
      select: { partnerFirmId: true, partnerFirm: { select: { name: true } } },
    });
    if (!account) {
      throw new UseCaseRefusal(
        'unprocessable',
        'This organization is not a customer account: guests come from the partner account that manages it.',
      );
    }
    const onStaff = await db.practiceStaffMember.findFirst({
      where: { partnerFirmId: account.partnerFirmId, user: { email: guest.email } },
      select: { userId: true },
    });
    if (!onStaff) {
      throw new UseCaseRefusal(
        'unprocessable',
        `A guest is a user of this account's partner account (${account.partnerFirm.name}); ` +
          'this email is not one of them.',
      );
    }
    return invitations.open({
      kind: 'ACCOUNT_GUEST',
      scopeId: organizationId,
      invitee: { email: guest.email, firstName: guest.firstName, lastName: guest.lastName },
      invitedByUserId: actorUserId,
      offer: { role: guest.role },
    });
  }
}
