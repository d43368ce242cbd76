// INT-2: the CRM tells us who is a partner's Account Owner of which organization. We store the
// latest news (older news never overwrites newer) and publish a change event when it changes.
import type { Prisma } from '@prisma/client';
import { CrmAccountOwnerStatusV1 } from '../../domain/messages/events/crm.v1';
import { InboundTypes } from '../../domain/events';
import { recordEvent } from '../outbox';
import { PoisonMessage, type InboundHandler } from '../consumer';
import { decideForService } from '../../domain/authorization/authorizer';

export type AccountOwnerChange = {
  organizationExternalId: string;
  organizationId: string | null;
  partnerUserId: string | null;
  isAccountOwner: boolean;
  /** For the hooks only; never in the published event. */
  partner: { email: string; name: string; firmName: string };
};

/** Something that must happen when the status changes (TPU-5 registers one). Runs in the same transaction. */
export type OnAccountOwnerChange = (change: AccountOwnerChange, tx: Prisma.TransactionClient) => Promise<void>;

export function crmAccountOwnerHandler(onChange: OnAccountOwnerChange[] = []): InboundHandler<CrmAccountOwnerStatusV1> {
  return {
    type: InboundTypes.crmAccountOwnerStatus,
    data: CrmAccountOwnerStatusV1,
    async handle(event, tx) {
      // AM-3: the consumer asks the decision point too, as the system that produced the message.
      const decision = await decideForService(tx, {
        service: 'crm',
        action: 'reportAccountOwner',
        resource: { type: 'Integration' },
      });
      if (!decision.allowed) throw new PoisonMessage('the policies do not let the CRM report Account Owners');
      const d = event.data;
      const asOf = new Date(d.asOf);
      const key = { organizationExternalId: d.organizationExternalId, partnerEmail: d.partnerEmail };
      const current = await tx.crmAccountOwnerStatus.findUnique({
        where: { organizationExternalId_partnerEmail: key },
      });
      if (current && current.asOf >= asOf) return; // the same or older news: nothing changes
      await tx.crmAccountOwnerStatus.upsert({
        where: { organizationExternalId_partnerEmail: key },
        create: { ...key, partnerFirmName: d.partnerFirmName, isAccountOwner: d.isAccountOwner, asOf, sourceEventId: event.id },
        update: { partnerFirmName: d.partnerFirmName, isAccountOwner: d.isAccountOwner, asOf, sourceEventId: event.id },
      });
      if (current && current.isAccountOwner === d.isAccountOwner) return; // newer, but the same answer

      const [org, user] = await Promise.all([
        tx.organization.findUnique({ where: { externalId: d.organizationExternalId }, select: { id: true } }),
        tx.user.findUnique({ where: { email: d.partnerEmail }, select: { id: true, displayName: true } }),
      ]);
      const change: AccountOwnerChange = {
        organizationExternalId: d.organizationExternalId,
        organizationId: org?.id ?? null,
        partnerUserId: user?.id ?? null,
        isAccountOwner: d.isAccountOwner,
        partner: { email: d.partnerEmail, name: user?.displayName ?? d.partnerFirmName, firmName: d.partnerFirmName },
      };
      const { partner: _partner, ...published } = change;
      await recordEvent(tx, 'partneraccess.crm.account-owner-status-changed.v1', {
        aggregateId: d.organizationExternalId,
        subject: user?.id,
        data: { ...published, asOf: asOf.toISOString() },
      });
      for (const f of onChange) await f(change, tx);
    },
  };
}
