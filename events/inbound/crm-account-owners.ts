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

/**
 * Something that must happen when the status changes (TPU-5 registers one). Runs after the change
 * committed, outside any transaction (it calls Temporal); it must be idempotent, since a redelivery
 * after a crash runs it again.
 */
export type OnAccountOwnerChange = (change: AccountOwnerChange) => Promise<void>;

export function crmAccountOwnerHandler(
  onChange: OnAccountOwnerChange[] = [],
): InboundHandler<CrmAccountOwnerStatusV1> {
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
      if (current && current.asOf >= asOf) {
        // This very event set the answer before, but its hooks may not have run (a crash or an outage
        // between the commit and the end): run them again. Other same-or-older news changes nothing.
        if (current.sourceEventId === event.id && onChange.length) {
          const again = await describeChange(tx, d, current.isAccountOwner);
          return () => runHooks(onChange, again);
        }
        return;
      }
      const changes = !current || current.isAccountOwner !== d.isAccountOwner;
      await tx.crmAccountOwnerStatus.upsert({
        where: { organizationExternalId_partnerEmail: key },
        create: {
          ...key,
          partnerFirmName: d.partnerFirmName,
          isAccountOwner: d.isAccountOwner,
          asOf,
          sourceEventId: event.id,
        },
        // The source stays the event that set the current answer: the one whose hooks are due.
        update: {
          partnerFirmName: d.partnerFirmName,
          isAccountOwner: d.isAccountOwner,
          asOf,
          ...(changes ? { sourceEventId: event.id } : {}),
        },
      });
      if (!changes) return; // newer, but the same answer

      const change = await describeChange(tx, d, d.isAccountOwner);
      const { partner: _partner, ...published } = change;
      await recordEvent(tx, 'partneraccess.crm.account-owner-status-changed.v1', {
        aggregateId: d.organizationExternalId,
        subject: change.partnerUserId ?? undefined,
        data: { ...published, asOf: asOf.toISOString() },
      });
      if (onChange.length) return () => runHooks(onChange, change);
    },
  };
}

async function describeChange(
  tx: Prisma.TransactionClient,
  d: CrmAccountOwnerStatusV1,
  isAccountOwner: boolean,
): Promise<AccountOwnerChange> {
  const [org, user] = await Promise.all([
    tx.organization.findUnique({ where: { externalId: d.organizationExternalId }, select: { id: true } }),
    tx.user.findUnique({ where: { email: d.partnerEmail }, select: { id: true, displayName: true } }),
  ]);
  return {
    organizationExternalId: d.organizationExternalId,
    organizationId: org?.id ?? null,
    partnerUserId: user?.id ?? null,
    isAccountOwner,
    partner: { email: d.partnerEmail, name: user?.displayName ?? d.partnerFirmName, firmName: d.partnerFirmName },
  };
}

async function runHooks(onChange: OnAccountOwnerChange[], change: AccountOwnerChange): Promise<void> {
  for (const f of onChange) await f(change);
}
