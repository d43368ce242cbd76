// The catalogue of domain events this engine publishes (INT-3): CloudEvents type → aggregate and
// data schema. The outbox refuses an event whose data does not fit; the AsyncAPI document is built
// from this list.
import type { z } from 'zod';
import { UserProfileUpdatedV1 } from './messages/events/identity.v1';
import { AccountOwnerStatusChangedV1 } from './messages/events/crm.v1';
import { TicketDispatchedV1, TicketReceivedV1 } from './messages/events/support.v1';
import { ThirdPartyAccessChangedV1 } from './messages/events/third-party-access.v1';
import {
  CertificationInvitedV1,
  OffboardingChangedV1,
  OffboardingOrganizationDoneV1,
  PracticeRoleChangedV1,
  PracticeStaffRemovedV1,
} from './messages/events/practice-staff.v1';
import { ClientRelationshipChangedV1, GrantChangedV1 } from './messages/events/access.v1';
import {
  BusinessPartnerCompanyDeletedV1,
  BusinessPartnerConnectedV1,
  InvitationChangedV1,
  PortalEmailFreedV1,
} from './messages/events/invitation.v1';
import { AccessReviewChangedV1, AccessReviewGrantDecidedV1 } from './messages/events/access-review.v1';
import { AccountSwitchedBackV1, AccountSwitchedInV1 } from './messages/events/account-switching.v1';
import {
  AccountStatusChangedV1,
  CustomerUserChangedV1,
  LicenceSeatChangedV1,
} from './messages/events/partner-accounts.v1';
import { AccessModelChangedV1 } from './messages/events/customer-accounts.v1';
import { TicketCompletedV1 } from './messages/events/support-ticket-outcome.v1';
import {
  BusinessPartnerCompanyBlockChangedV1,
  BusinessPartnerCompanyControlTakenV1,
  BusinessPartnerEditedV1,
} from './messages/events/business-partners.v1';

const invitation = (summary: string) =>
  ({ aggregateType: 'invitation', data: InvitationChangedV1, summary }) as const;
const grant = (summary: string) => ({ aggregateType: 'organization-access', data: GrantChangedV1, summary }) as const;
const clientRelationship = (summary: string) =>
  ({ aggregateType: 'client-relationship', data: ClientRelationshipChangedV1, summary }) as const;
const accessReview = <D extends z.ZodType>(data: D, summary: string) =>
  ({ aggregateType: 'access-review', data, summary }) as const;
const partnerCompany = <D extends z.ZodType>(data: D, summary: string) =>
  ({ aggregateType: 'business-partner-company', data, summary }) as const;
const tpu = (summary: string) =>
  ({ aggregateType: 'third-party-relationship', data: ThirdPartyAccessChangedV1, summary }) as const;

const customerAccount = <D extends z.ZodType>(data: D, summary: string) =>
  ({ aggregateType: 'customer-account', data, summary }) as const;
const licence = (summary: string) => ({ aggregateType: 'licence', data: LicenceSeatChangedV1, summary }) as const;

export const EventCatalog = {
  'partneraccess.customer-account.suspended.v1': customerAccount(
    AccountStatusChangedV1,
    'A customer account was suspended: its users are refused, its partner and support still get in (PA-2)',
  ),
  'partneraccess.customer-account.reactivated.v1': customerAccount(
    AccountStatusChangedV1,
    'A customer account was reactivated: what the suspension stopped works again (PA-2)',
  ),
  'partneraccess.customer-account.user-changed.v1': customerAccount(
    CustomerUserChangedV1,
    'A user of a customer account was edited, deactivated, reactivated or removed (PA-3)',
  ),
  'partneraccess.licence.seat-assigned.v1': licence('A seat of a licence was given to a user (PA-1, PA-3)'),
  'partneraccess.licence.seat-unassigned.v1': licence('A seat of a licence was taken back (PA-1, PA-3)'),
  'partneraccess.identity.user-profile-updated.v1': {
    aggregateType: 'user',
    data: UserProfileUpdatedV1,
    summary: 'A user changed their profile',
  },
  'partneraccess.crm.account-owner-status-changed.v1': {
    aggregateType: 'crm-account-owner',
    data: AccountOwnerStatusChangedV1,
    summary: "The CRM's Account Owner status for a partner and an organization changed",
  },
  'partneraccess.support.ticket-received.v1': {
    aggregateType: 'support-ticket',
    data: TicketReceivedV1,
    summary: 'A support ticket was received',
  },
  'partneraccess.support.ticket-dispatched.v1': {
    aggregateType: 'support-ticket',
    data: TicketDispatchedV1,
    summary: 'A support ticket started or drove its workflow',
  },
  'partneraccess.support.ticket-completed.v1': {
    aggregateType: 'support-ticket',
    data: TicketCompletedV1,
    summary: "A ticket's workflow finished: applied, unchanged (already so) or refused (INT-1)",
  },
  'partneraccess.tpu.awaiting-account.v1': tpu(
    'A third-party-user request waits for the third party to create their account (TPU-1)',
  ),
  'partneraccess.tpu.requested.v1': tpu('A third-party user was requested and waits for support (TPU-2)'),
  'partneraccess.tpu.listed.v1': tpu('A third party was added to the TPU list, access off (TPU-3, TPU-5)'),
  'partneraccess.tpu.rejected.v1': tpu('Support rejected a third-party-user request (TPU-3)'),
  'partneraccess.tpu.access-enabled.v1': tpu("An org admin turned a third-party user's access on (TPU-4)"),
  'partneraccess.tpu.access-disabled.v1': tpu("An org admin turned a third-party user's access off (TPU-4)"),
  'partneraccess.tpu.removed.v1': tpu('A third-party user was removed'),
  'partneraccess.tpu.expired.v1': tpu('No account appeared in time; the request ended (TPU-1)'),
  'partneraccess.invitation.created.v1': invitation('An invitation was opened (BP-1, PP-1, PS-2)'),
  'partneraccess.invitation.sent.v1': invitation('The original invitation email went out'),
  'partneraccess.invitation.resent.v1': invitation(
    'The invitation was sent again with a new link; the old link is dead (BP-4)',
  ),
  'partneraccess.invitation.reminded.v1': invitation('A reminder went out before expiry, with a fresh link'),
  'partneraccess.invitation.renewed.v1': invitation('An expired invitation was renewed in one step'),
  'partneraccess.invitation.accepted.v1': invitation('The invitee accepted; what the invitation offered is granted'),
  'partneraccess.invitation.rejected.v1': invitation('The invitee declined'),
  'partneraccess.invitation.expired.v1': invitation('The invitation expired unanswered'),
  'partneraccess.invitation.revoked.v1': invitation('The inviter revoked the invitation (BP-4)'),
  'partneraccess.business-partner.connected.v1': {
    aggregateType: 'business-partner',
    data: BusinessPartnerConnectedV1,
    summary: 'A business partner with an existing account was connected (BP-2)',
  },
  'partneraccess.business-partner.company-deleted.v1': {
    aggregateType: 'business-partner-company',
    data: BusinessPartnerCompanyDeletedV1,
    summary: 'A business partner company and its people were deleted (BP-5)',
  },
  'partneraccess.business-partner.edited.v1': {
    aggregateType: 'business-partner',
    data: BusinessPartnerEditedV1,
    summary:
      "A business partner's profile or rights were edited, by the inviter or their company's admin (BP-5, BP-6)",
  },
  'partneraccess.business-partner.company-blocked.v1': partnerCompany(
    BusinessPartnerCompanyBlockChangedV1,
    'The inviter blocked a business partner company: its people see nothing shared with them (BP-5)',
  ),
  'partneraccess.business-partner.company-unblocked.v1': partnerCompany(
    BusinessPartnerCompanyBlockChangedV1,
    'The inviter unblocked a business partner company: what was shared with its people counts again (BP-5)',
  ),
  'partneraccess.business-partner.company-control-taken.v1': partnerCompany(
    BusinessPartnerCompanyControlTakenV1,
    "A business partner's own admin took full control of their company; the inviter manages none of it (BP-6)",
  ),
  'partneraccess.practice.role-changed.v1': {
    aggregateType: 'practice-staff-member',
    data: PracticeRoleChangedV1,
    summary: "The Account Owner changed a user's practice role (PS-3)",
  },
  'partneraccess.practice.staff-removed.v1': {
    aggregateType: 'practice-staff-member',
    data: PracticeStaffRemovedV1,
    summary: 'A user left the Practice Staff (PS-3, PS-5)',
  },
  'partneraccess.practice.offboarding-started.v1': {
    aggregateType: 'offboarding',
    data: OffboardingChangedV1,
    summary: 'An offboarding with a replacement started (PS-5)',
  },
  'partneraccess.practice.offboarding-refused.v1': {
    aggregateType: 'offboarding',
    data: OffboardingChangedV1,
    summary: 'An offboarding was refused before anything changed (PS-5)',
  },
  'partneraccess.practice.offboarding-organization-done.v1': {
    aggregateType: 'offboarding',
    data: OffboardingOrganizationDoneV1,
    summary: 'One organization was handed over to the replacement (PS-5)',
  },
  'partneraccess.practice.offboarding-completed.v1': {
    aggregateType: 'offboarding',
    data: OffboardingChangedV1,
    summary: 'An offboarding finished (PS-5)',
  },
  'partneraccess.practice.certification-invited.v1': {
    aggregateType: 'practice-staff-member',
    data: CertificationInvitedV1,
    summary: 'A user was invited to the certification (PS-6)',
  },
  'partneraccess.access.grant-given.v1': grant(
    'A person was given access to an organization, with its source (AM-1)',
  ),
  'partneraccess.access.grant-revoked.v1': grant(
    'A grant was revoked: by an org admin, by its source ending, or by its end date (AM-1, AM-4, AM-5)',
  ),
  'partneraccess.client-relationship.requested.v1': clientRelationship(
    'A partner firm asked to work for a client organization (AM-2)',
  ),
  'partneraccess.client-relationship.approved.v1': clientRelationship(
    "The client organization's org admins approved a relationship (AM-2)",
  ),
  'partneraccess.client-relationship.declined.v1': clientRelationship(
    'The client organization declined, or did not answer in time (AM-2)',
  ),
  'partneraccess.client-relationship.expiry-notice.v1': clientRelationship(
    'Both sides were told the relationship ends soon (AM-2)',
  ),
  'partneraccess.client-relationship.extended.v1': clientRelationship(
    "The relationship's end date moved later: it extended itself by 180 days (actorUserId null), or an org admin " +
      'of the organization extended it by hand (actorUserId theirs) (AM-2)',
  ),
  'partneraccess.client-relationship.terminated.v1': clientRelationship(
    'Either side ended the relationship; its delegated grants are revoked (AM-2)',
  ),
  'partneraccess.client-relationship.expired.v1': clientRelationship(
    'The relationship reached its end date; its delegated grants are revoked (AM-2)',
  ),
  'partneraccess.access-review.opened.v1': accessReview(
    AccessReviewChangedV1,
    "An access review opened: the organization's grants that are not own memberships, snapshotted (AM-6)",
  ),
  'partneraccess.access-review.grant-decided.v1': accessReview(
    AccessReviewGrantDecidedV1,
    'A grant under review was confirmed, revoked, lapsed (not confirmed in time) or kept (AM-6)',
  ),
  'partneraccess.access-review.completed.v1': accessReview(
    AccessReviewChangedV1,
    'An access review completed: every grant decided, or the policy applied at its deadline (AM-6)',
  ),
  'partneraccess.portal.email-freed.v1': {
    aggregateType: 'portal-email',
    data: PortalEmailFreedV1,
    summary: 'Support freed a wrongly registered portal email (PP-2)',
  },
  'partneraccess.account.switched-in.v1': {
    aggregateType: 'account-switch',
    data: AccountSwitchedInV1,
    summary: 'A partner user switched into a customer account they are a guest of, after a fresh sign-in (PA-5)',
  },
  'partneraccess.account.switched-back.v1': {
    aggregateType: 'account-switch',
    data: AccountSwitchedBackV1,
    summary: 'A partner user switched back to their partner account; the switched-in token no longer works (PA-5)',
  },
  'partneraccess.customer-account.access-model-changed.v1': {
    aggregateType: 'customer-account',
    data: AccessModelChangedV1,
    summary: "A customer account's access model changed, by support ticket (PA-4)",
  },
} as const satisfies Record<string, { aggregateType: string; data: z.ZodType; summary: string }>;

export type EventType = keyof typeof EventCatalog;
export type EventData<T extends EventType> = z.input<(typeof EventCatalog)[T]['data']>;

/** Inbound message types per consumed topic. */
export const InboundTypes = {
  crmAccountOwnerStatus: 'crm.account-owner-status.v1',
  supportTicketSubmitted: 'support.ticket-submitted.v1',
} as const;
