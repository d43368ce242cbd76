// AM-3: who may call each route, on their own tenant and on another tenant. Reviewed like code: a
// change here is a change of who may do what. The matrix test walks every route the app mounts and
// fails for a route missing here, so a new route comes with its row.
//
// `own`: the actors allowed when the route targets their own tenant (their organization, their firm,
// their list). `other`: the actors allowed when it targets another tenant (the vendor's own people,
// whose scope is the whole engine). `anyone`: the route needs no decision (public, or the caller's own
// data only). Everyone not listed is refused (403, or 404 where the route hides what exists).
import type { Tenant } from './authorization-matrix.world';

export const ACTORS = [
  'orgAdmin',
  'productAdmin',
  'member',
  'thirdPartyOn',
  'thirdPartyOff',
  'accountOwner',
  'accountManager',
  'userManager',
  'staffDelegated',
  'staffUndelegated',
  'support',
  'portalAdmin',
] as const;
export type Actor = (typeof ACTORS)[number];

export interface Row {
  /** The route's params, query and body for a target tenant (only what authorization reads matters). */
  request: (t: Tenant) => { params?: Record<string, string>; query?: Record<string, string>; body?: unknown };
  own?: readonly Actor[];
  other?: readonly Actor[];
  anyone?: string;
}

const orgPeople = ['orgAdmin', 'productAdmin', 'member', 'thirdPartyOn', 'staffDelegated'] as const;
const orgContacts = ['orgAdmin', 'productAdmin'] as const;
const openers = ['accountOwner', 'accountManager', 'userManager'] as const;
const org = (t: Tenant) => ({ params: { organizationId: t.organizationId } });
const firm = (t: Tenant) => ({ params: { partnerFirmId: t.partnerFirmId } });
const staffUser = (t: Tenant) => ({ params: { partnerFirmId: t.partnerFirmId, userId: t.people.staffUndelegated } });
const relationship = (id: (t: Tenant) => string) => (t: Tenant) => ({ params: { clientRelationshipId: id(t) } });
const tpu = (t: Tenant) => ({
  params: { organizationId: t.organizationId, relationshipId: t.thirdPartyRelationshipId },
});
const invitation = (id: (t: Tenant) => string) => (t: Tenant) => ({ params: { invitationId: id(t) } });
const none = () => ({});
const review = (t: Tenant) => ({
  params: { organizationId: t.organizationId, reviewId: '00000000-0000-4000-8000-000000000001' },
});

const partnerUsers = ['accountOwner', 'accountManager', 'userManager', 'staffDelegated', 'staffUndelegated'] as const;
const customerUser = (t: Tenant) => ({ params: { organizationId: t.organizationId, userId: t.people.member } });
const customerAdmin = (t: Tenant) => ({ params: { organizationId: t.organizationId, userId: t.people.orgAdmin } });
const seat = (licenceId: (t: Tenant) => string) => (t: Tenant) => ({
  params: { licenceId: licenceId(t), userId: t.people.member },
});

export const MATRIX: Record<string, Row> = {
  // Partner accounts over customer accounts (PA-1 … PA-3). The tenant's organization is a customer
  // account of the tenant's firm, under the automatic access model.
  'GET /partner-accounts/:partnerFirmId': { request: firm, own: partnerUsers },
  'GET /partner-accounts/:partnerFirmId/customers': { request: firm, own: partnerUsers },
  'GET /customer-accounts/:organizationId/licences': {
    request: org,
    own: ['orgAdmin', ...partnerUsers, 'support'],
    other: ['support'],
  },
  'GET /customer-accounts/:organizationId/export': { request: org, own: partnerUsers },
  'POST /customer-accounts/:organizationId/suspend': {
    request: org,
    own: [...partnerUsers, 'support'],
    other: ['support'],
  },
  'POST /customer-accounts/:organizationId/reactivate': {
    request: org,
    own: [...partnerUsers, 'support'],
    other: ['support'],
  },
  'GET /customer-accounts/:organizationId/users': { request: org, own: ['orgAdmin', ...partnerUsers] },
  'POST /customer-accounts/:organizationId/users': { request: org, own: ['orgAdmin', ...partnerUsers] },
  'PATCH /customer-accounts/:organizationId/users/:userId': {
    request: customerUser,
    own: ['orgAdmin', ...partnerUsers],
  },
  'POST /customer-accounts/:organizationId/users/:userId/deactivate': {
    request: customerAdmin,
    own: ['orgAdmin'],
  },
  'POST /customer-accounts/:organizationId/users/:userId/reactivate': {
    request: customerUser,
    own: ['orgAdmin', ...partnerUsers],
  },
  'DELETE /customer-accounts/:organizationId/users/:userId': {
    request: customerUser,
    own: ['orgAdmin', ...partnerUsers],
  },
  'POST /licences/:licenceId/assignments': {
    request: (t) => ({ params: { licenceId: t.licenceId } }),
    own: ['orgAdmin', ...partnerUsers],
  },
  'DELETE /licences/:licenceId/assignments/:userId': {
    request: seat((t) => t.firmLicenceId),
    own: ['accountOwner', 'accountManager'],
  },

  // Public, or the caller's own data.
  'GET /healthz': { request: none, anyone: 'liveness' },
  'GET /readyz': { request: none, anyone: 'readiness' },
  'POST /sessions': { request: none, anyone: 'sign-in' },
  'POST /password-resets': { request: none, anyone: 'asking for a reset' },
  'POST /password-resets/:resetId': { request: none, anyone: 'the reset token is the credential' },
  'POST /accounts': { request: none, anyone: 'sign-up' },
  'POST /account-verifications/:registrationId': {
    request: none,
    anyone: 'the verification token is the credential',
  },
  'GET /me': { request: none, anyone: 'own identity' },
  'PATCH /me': { request: none, anyone: 'own profile' },
  'GET /me/tasks': { request: none, anyone: 'own shares' },
  'GET /me/third-party-access': { request: none, anyone: 'own relationships' },
  'GET /me/client-organizations': { request: none, anyone: 'own organizations' },
  'GET /business-partners': { request: none, anyone: 'own list' },
  'GET /me/business-partner-companies': { request: none, anyone: 'the companies one is a partner of' },
  'GET /invitations/:invitationId/link': { request: none, anyone: 'the link is the secret' },
  'POST /invitations/:invitationId/accept': { request: none, anyone: 'the link is the secret' },
  'POST /invitations/:invitationId/reject': { request: none, anyone: 'the link is the secret' },
  'POST /invitations/revoke-by-email': { request: none, anyone: 'filters to what the caller manages' },

  // An organization (TPU-2..TPU-4, BP-1, BP-3, AM-2, AM-4).
  'GET /organizations/:organizationId': { request: org, own: orgPeople },
  'GET /organizations/:organizationId/tasks': { request: org, own: orgPeople },
  'POST /organizations/:organizationId/tasks': { request: org, own: orgPeople },
  'POST /organizations/:organizationId/business-partners': {
    request: org,
    own: ['orgAdmin', 'productAdmin', 'member', 'staffDelegated'],
  },
  'POST /organizations/:organizationId/third-party-users': { request: org, own: orgContacts },
  'GET /organizations/:organizationId/third-party-users': {
    request: org,
    own: [...orgContacts, 'support'],
    other: ['support'],
  },
  'GET /organizations/:organizationId/third-party-users/:relationshipId': {
    request: tpu,
    own: [...orgContacts, 'thirdPartyOn', 'support'],
    other: ['support'],
  },
  'POST /organizations/:organizationId/third-party-users/:relationshipId/review': {
    request: tpu,
    own: ['support'],
    other: ['support'],
  },
  'PUT /organizations/:organizationId/third-party-users/:relationshipId/access': { request: tpu, own: ['orgAdmin'] },
  'DELETE /organizations/:organizationId/third-party-users/:relationshipId': {
    request: tpu,
    own: ['orgAdmin', 'support'],
    other: ['support'],
  },
  'GET /organizations/:organizationId/access-ledger': { request: org, own: ['orgAdmin'] },
  'POST /organizations/:organizationId/access-ledger/revocations': { request: org, own: ['orgAdmin'] },
  'GET /organizations/:organizationId/client-relationships': { request: org, own: ['orgAdmin'] },
  'PUT /organizations/:organizationId/access-review-policy': { request: org, own: ['orgAdmin'] },
  'GET /organizations/:organizationId/access-review-policy': { request: org, own: ['orgAdmin'] },
  'POST /organizations/:organizationId/access-reviews': { request: org, own: ['orgAdmin'] },
  'GET /organizations/:organizationId/access-reviews': { request: org, own: ['orgAdmin'] },
  'GET /organizations/:organizationId/access-reviews/:reviewId': { request: review, own: ['orgAdmin'] },
  'POST /organizations/:organizationId/access-reviews/:reviewId/decisions': { request: review, own: ['orgAdmin'] },
  'GET /invitations': {
    request: (t) => ({ query: { kind: 'ORGANIZATION_ACCESS', scopeId: t.organizationId } }),
    own: ['orgAdmin'],
  },

  // Tasks and business partners (BP-1, BP-3, BP-5): hidden (404) from whoever may not see them.
  'GET /tasks/:taskId': { request: (t) => ({ params: { taskId: t.taskId } }), own: orgPeople },
  'POST /tasks/:taskId/grants': { request: (t) => ({ params: { taskId: t.taskId } }), own: orgPeople },
  'POST /business-partner-companies/:companyId/people': {
    request: (t) => ({ params: { companyId: t.companyId } }),
    own: ['member'],
  },
  'PATCH /business-partners/:businessPartnerId': {
    request: (t) => ({ params: { businessPartnerId: t.businessPartnerId } }),
    own: ['member'],
  },
  'DELETE /business-partner-companies/:companyId': {
    request: (t) => ({ params: { companyId: t.companyId } }),
    own: ['member'],
  },
  'POST /business-partner-companies/:companyId/block': {
    request: (t) => ({ params: { companyId: t.companyId } }),
    own: ['member'],
  },
  'POST /business-partner-companies/:companyId/unblock': {
    request: (t) => ({ params: { companyId: t.companyId } }),
    own: ['member'],
  },
  // BP-6: only a connected ADMIN of the company itself, who is none of these actors (not even the
  // inviter): business-partner-control.test.ts walks who may, and what the inviter is told after.
  'POST /business-partner-companies/:companyId/control': {
    request: (t) => ({ params: { companyId: t.companyId } }),
    own: [],
  },

  // A partner firm's Practice Staff (PS-1..PS-6) and its client relationships (AM-2).
  'GET /partner-firms/:partnerFirmId/staff': { request: firm, own: openers },
  'POST /partner-firms/:partnerFirmId/staff/invitations': {
    request: (t) => ({ ...firm(t), body: { role: 'STAFF' } }),
    own: openers,
  },
  'PUT /partner-firms/:partnerFirmId/staff/:userId/role': { request: staffUser, own: ['accountOwner'] },
  'DELETE /partner-firms/:partnerFirmId/staff/:userId': { request: staffUser, own: ['accountOwner'] },
  'GET /partner-firms/:partnerFirmId/clients': { request: firm, own: openers },
  'GET /partner-firms/:partnerFirmId/staff/:userId/organization-access': { request: staffUser, own: openers },
  'POST /partner-firms/:partnerFirmId/staff/:userId/organization-access': { request: staffUser, own: openers },
  'POST /partner-firms/:partnerFirmId/offboardings': { request: firm, own: ['accountOwner'] },
  'GET /partner-firms/:partnerFirmId/offboardings/:offboardingId': {
    request: (t) => ({ params: { partnerFirmId: t.partnerFirmId, offboardingId: t.offboardingId } }),
    own: openers,
  },
  'GET /partner-firms/:partnerFirmId/certifications': { request: firm, own: openers },
  'POST /partner-firms/:partnerFirmId/certifications/invitations': { request: firm, own: openers },
  'GET /partner-firms/:partnerFirmId/staff/:userId/certificate': {
    request: staffUser,
    own: [...openers, 'staffUndelegated'],
  },
  'POST /partner-firms/:partnerFirmId/client-relationships': { request: firm, own: ['accountOwner'] },
  'GET /partner-firms/:partnerFirmId/client-relationships': { request: firm, own: openers },
  'GET /client-relationships/:clientRelationshipId': {
    request: relationship((t) => t.clientRelationshipId),
    own: ['orgAdmin', ...openers],
  },
  'POST /client-relationships/:clientRelationshipId/approve': {
    request: relationship((t) => t.pendingRelationshipId),
    own: ['orgAdmin'],
  },
  'POST /client-relationships/:clientRelationshipId/decline': {
    request: relationship((t) => t.pendingRelationshipId),
    own: ['orgAdmin'],
  },
  'POST /client-relationships/:clientRelationshipId/terminate': {
    request: relationship((t) => t.clientRelationshipId),
    own: ['orgAdmin', 'accountOwner'],
  },
  // The firm asks its client for more time; the client's org admins decide, as they approved it.
  'POST /client-relationships/:clientRelationshipId/extend': {
    request: relationship((t) => t.clientRelationshipId),
    own: ['orgAdmin'],
  },

  // Invitations managed by whoever owns their list (BP-4, PS-2, PS-4).
  'GET /invitations/:invitationId': {
    request: invitation((t) => t.organizationAccessInvitationId),
    own: ['orgAdmin', ...openers],
  },
  'POST /invitations/:invitationId/resend': {
    request: invitation((t) => t.organizationAccessInvitationId),
    own: openers,
  },
  'POST /invitations/:invitationId/revoke': {
    request: invitation((t) => t.organizationAccessInvitationId),
    own: ['orgAdmin', ...openers],
  },

  // The vendor's side: the portal's admins (PP-1) and support (INT-1, PP-2).
  'GET /portal/partners': { request: none, own: ['portalAdmin'], other: ['portalAdmin'] },
  'POST /portal/partners': { request: none, own: ['portalAdmin'], other: ['portalAdmin'] },
  'GET /portal/partners/:partnerId': {
    request: (t) => ({ params: { partnerId: t.portalPartnerId } }),
    own: ['portalAdmin'],
    other: ['portalAdmin'],
  },
  'POST /portal/partners/:partnerId/users': {
    request: (t) => ({ params: { partnerId: t.portalPartnerId } }),
    own: ['portalAdmin'],
    other: ['portalAdmin'],
  },
  'POST /support/portal-emails/free': { request: none, own: ['support'], other: ['support'] },
  'POST /support/tickets': { request: none, own: ['support'], other: ['support'] },
  // Issue 12: the Temporal codec server (api/codec-server.ts), in production an operator's alone.
  'POST /codec/decode': { request: none, own: ['support'], other: ['support'] },
  'POST /codec/encode': { request: none, own: ['support'], other: ['support'] },
  'GET /support/tickets/:ticketId': {
    request: () => ({ params: { ticketId: 'matrix-ticket' } }),
    own: ['support'],
    other: ['support'],
  },
  // TPU-3: the review queue across organizations is support's alone.
  'GET /support/third-party-requests': { request: none, own: ['support'], other: ['support'] },

  // PA-5: switching into a customer account. The exchange's subject token is the credential, and its
  // use case asks the decision point for the token it would issue (test/integration/account-switching).
  'POST /token-exchange': { request: none, anyone: 'the subject token is the credential' },
  'GET /me/accounts': { request: none, anyone: 'own guest grants' },
  'POST /customer-accounts/:organizationId/guests': { request: org, own: ['orgAdmin'] },
};
