// The catalogue of domain events this engine publishes (INT-3): CloudEvents type → aggregate and
// data schema. The outbox refuses an event whose data does not fit; the AsyncAPI document is built
// from this list.
import type { z } from 'zod';
import { UserProfileUpdatedV1 } from './messages/events/identity.v1';
import { AccountOwnerStatusChangedV1 } from './messages/events/crm.v1';
import { TicketDispatchedV1, TicketReceivedV1 } from './messages/events/support.v1';
import { ThirdPartyAccessChangedV1 } from './messages/events/third-party-access.v1';

const tpu = (summary: string) => ({ aggregateType: 'third-party-relationship', data: ThirdPartyAccessChangedV1, summary }) as const;

export const EventCatalog = {
  'partneraccess.identity.user-profile-updated.v1': { aggregateType: 'user', data: UserProfileUpdatedV1, summary: 'A user changed their profile' },
  'partneraccess.crm.account-owner-status-changed.v1': { aggregateType: 'crm-account-owner', data: AccountOwnerStatusChangedV1, summary: "The CRM's Account Owner status for a partner and an organization changed" },
  'partneraccess.support.ticket-received.v1': { aggregateType: 'support-ticket', data: TicketReceivedV1, summary: 'A support ticket was received' },
  'partneraccess.support.ticket-dispatched.v1': { aggregateType: 'support-ticket', data: TicketDispatchedV1, summary: 'A support ticket started or drove its workflow' },
  'partneraccess.tpu.awaiting-account.v1': tpu('A third-party-user request waits for the third party to create their account (TPU-1)'),
  'partneraccess.tpu.requested.v1': tpu('A third-party user was requested and waits for support (TPU-2)'),
  'partneraccess.tpu.listed.v1': tpu('A third party was added to the TPU list, access off (TPU-3, TPU-5)'),
  'partneraccess.tpu.rejected.v1': tpu('Support rejected a third-party-user request (TPU-3)'),
  'partneraccess.tpu.access-enabled.v1': tpu('An org admin turned a third-party user\'s access on (TPU-4)'),
  'partneraccess.tpu.access-disabled.v1': tpu('An org admin turned a third-party user\'s access off (TPU-4)'),
  'partneraccess.tpu.removed.v1': tpu('A third-party user was removed'),
  'partneraccess.tpu.expired.v1': tpu('No account appeared in time; the request ended (TPU-1)'),
} as const satisfies Record<string, { aggregateType: string; data: z.ZodType; summary: string }>;

export type EventType = keyof typeof EventCatalog;
export type EventData<T extends EventType> = z.input<(typeof EventCatalog)[T]['data']>;

/** Inbound message types per consumed topic. */
export const InboundTypes = {
  crmAccountOwnerStatus: 'crm.account-owner-status.v1',
  supportTicketSubmitted: 'support.ticket-submitted.v1',
} as const;
