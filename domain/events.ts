// The catalogue of domain events this engine publishes (INT-3): CloudEvents type → aggregate and
// data schema. The outbox refuses an event whose data does not fit; the AsyncAPI document is built
// from this list.
import type { z } from 'zod';
import { UserProfileUpdatedV1 } from './messages/events/identity.v1';
import { AccountOwnerStatusChangedV1 } from './messages/events/crm.v1';
import { TicketDispatchedV1, TicketReceivedV1 } from './messages/events/support.v1';

export const EventCatalog = {
  'partneraccess.identity.user-profile-updated.v1': { aggregateType: 'user', data: UserProfileUpdatedV1, summary: 'A user changed their profile' },
  'partneraccess.crm.account-owner-status-changed.v1': { aggregateType: 'crm-account-owner', data: AccountOwnerStatusChangedV1, summary: "The CRM's Account Owner status for a partner and an organization changed" },
  'partneraccess.support.ticket-received.v1': { aggregateType: 'support-ticket', data: TicketReceivedV1, summary: 'A support ticket was received' },
  'partneraccess.support.ticket-dispatched.v1': { aggregateType: 'support-ticket', data: TicketDispatchedV1, summary: 'A support ticket started or drove its workflow' },
} as const satisfies Record<string, { aggregateType: string; data: z.ZodType; summary: string }>;

export type EventType = keyof typeof EventCatalog;
export type EventData<T extends EventType> = z.input<(typeof EventCatalog)[T]['data']>;

/** Inbound message types per consumed topic. */
export const InboundTypes = {
  crmAccountOwnerStatus: 'crm.account-owner-status.v1',
  supportTicketSubmitted: 'support.ticket-submitted.v1',
} as const;
