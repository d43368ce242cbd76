import { z } from 'zod';
import { UserId } from '../values/identifiers';
import { InvitationId, InvitationKind, InvitationState } from '../values/invitation';

/** Every step of an invitation's life. Ids only: no email, no name, never the token. */
export const InvitationChangedV1 = z
  .strictObject({
    invitationId: InvitationId,
    kind: InvitationKind,
    /** Whose list it is on: business partner company, portal partner, partner firm. */
    scopeId: z.uuid(),
    state: InvitationState,
    /** For sends: which send this was (1 = the original). */
    sendNumber: z.number().int().positive().nullable(),
    expiresAt: z.iso.datetime().nullable(),
    actorUserId: UserId.nullable(),
    /** The account that accepted. */
    acceptedUserId: UserId.nullable(),
  })
  .meta({ id: 'InvitationChangedV1' });
export type InvitationChangedV1 = z.infer<typeof InvitationChangedV1>;

/** PP-2: support freed a wrongly registered portal email (replaced by an invalid placeholder). */
export const PortalEmailFreedV1 = z
  .strictObject({
    ownerType: z.enum(['portal-partner', 'portal-partner-user']),
    ownerId: z.uuid(),
    actorUserId: UserId,
    auditEntryId: z.uuid(),
  })
  .meta({ id: 'PortalEmailFreedV1' });

/** BP-5: a business partner company and its people were deleted (cannot be undone). */
export const BusinessPartnerCompanyDeletedV1 = z
  .strictObject({
    companyId: z.uuid(),
    organizationId: z.uuid(),
    ownerUserId: UserId,
    people: z.number().int().nonnegative(),
    actorUserId: UserId,
  })
  .meta({ id: 'BusinessPartnerCompanyDeletedV1' });

/** BP-2: a business partner who already had an account was connected without an invitation. */
export const BusinessPartnerConnectedV1 = z
  .strictObject({ businessPartnerId: z.uuid(), companyId: z.uuid(), userId: UserId, actorUserId: UserId })
  .meta({ id: 'BusinessPartnerConnectedV1' });
