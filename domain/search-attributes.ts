// Typed search attributes operators use to find a run in the Temporal UI (INT-4). Values are ids
// and states only, never personal data. Registered by the local stack (stack/local.env).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const OrganizationIdKey = defineSearchAttributeKey('OrganizationId', SearchAttributeType.KEYWORD);
export const PartnerUserIdKey = defineSearchAttributeKey('PartnerUserId', SearchAttributeType.KEYWORD);
export const ProcessStateKey = defineSearchAttributeKey('ProcessState', SearchAttributeType.KEYWORD);
export const TicketIdKey = defineSearchAttributeKey('TicketId', SearchAttributeType.KEYWORD);

/**
 * Why a run stopped making progress on its own (ProcessState PARKED): a reason code such as
 * ORGANIZATION_NOT_FOUND, never a message, so operators can list every parked run of one cause.
 */
export const ParkedReasonKey = defineSearchAttributeKey('ParkedReason', SearchAttributeType.KEYWORD);

export const InvitationKindKey = defineSearchAttributeKey('InvitationKind', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [
  OrganizationIdKey,
  PartnerUserIdKey,
  ProcessStateKey,
  TicketIdKey,
  InvitationKindKey,
  ParkedReasonKey,
];
