// What accepting an invitation grants, one shape per kind. Stored as JSON on the invitation and
// carried by its workflow as plain strings; read back through these schemas wherever it matters.
import { z } from 'zod';
import { PartnerFirmId } from './identifiers';
import { OrgRoleValue } from './roles';
import type { InvitationKind } from './invitation';

/** PS-2: a place on the Practice Staff with a role (there is one Account Owner, never invited). */
export const PracticeStaffOfferV1 = z.strictObject({ role: z.enum(['ACCOUNT_MANAGER', 'USER_MANAGER', 'STAFF']) });

/** PS-4, AM-2: a role in a client organization, under the firm's relationship, until a date or not. */
export const OrganizationAccessOfferV1 = z.strictObject({
  role: OrgRoleValue,
  partnerFirmId: PartnerFirmId,
  /** Absent on offers made before client relationships existed; the accept finds the one in force. */
  clientRelationshipId: z.uuid().optional(),
  until: z.iso.datetime().optional(),
});

/**
 * PA-3: a user of a customer account, created from its partner account (or by its own org admins);
 * PA-5: a partner user the customer invites as a guest. Either way a role below org admin: an org
 * admin is the customer's own decision, made by its own org admins, never by a partner.
 */
export const CustomerAccountOfferV1 = z.strictObject({ role: z.enum(['PRODUCT_ADMIN', 'MEMBER']) });

/** Business partners and portal users are offered their place on the list, nothing more. */
export const NothingMoreV1 = z.strictObject({});

export const OfferByKind = {
  BUSINESS_PARTNER: NothingMoreV1,
  PORTAL_USER: NothingMoreV1,
  PRACTICE_STAFF: PracticeStaffOfferV1,
  ORGANIZATION_ACCESS: OrganizationAccessOfferV1,
  CUSTOMER_USER: CustomerAccountOfferV1,
  ACCOUNT_GUEST: CustomerAccountOfferV1,
} as const satisfies Record<InvitationKind, z.ZodType>;

export type OfferOf<K extends InvitationKind> = z.infer<(typeof OfferByKind)[K]>;
export type InvitationOffer = { [K in InvitationKind]: OfferOf<K> }[InvitationKind];

/** The offer of an invitation of this kind, checked; a stored offer that does not fit is a bug, so it throws. */
export function offerOf<K extends InvitationKind>(kind: K, stored: unknown): OfferOf<K> {
  return OfferByKind[kind].parse(stored ?? {}) as OfferOf<K>;
}
