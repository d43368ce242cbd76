// What happens to a business partner company and its people (BP-5, BP-6). Ids only: no name, no
// email; an audited change names its AuditEntry.
import { z } from 'zod';
import { UserId } from '../values/identifiers';
import { BusinessPartnerRights } from '../commands/business-partners.v1';

/** BP-5, BP-6: a partner's profile or rights were edited: which fields changed, and the rights now. */
export const BusinessPartnerEditedV1 = z
  .strictObject({
    businessPartnerId: z.uuid(),
    companyId: z.uuid(),
    fields: z.array(z.enum(['firstName', 'lastName', 'title', 'department', 'phone', 'rights'])).min(1),
    rights: BusinessPartnerRights,
    actorUserId: UserId,
  })
  .meta({ id: 'BusinessPartnerEditedV1' });

/** BP-5: the inviter blocked or unblocked a company; while blocked its people see nothing shared. */
export const BusinessPartnerCompanyBlockChangedV1 = z
  .strictObject({
    companyId: z.uuid(),
    organizationId: z.uuid(),
    blocked: z.boolean(),
    actorUserId: UserId,
    auditEntryId: z.uuid(),
  })
  .meta({ id: 'BusinessPartnerCompanyBlockChangedV1' });

/** BP-6: one of the company's own admins took full control of it, for good. */
export const BusinessPartnerCompanyControlTakenV1 = z
  .strictObject({
    companyId: z.uuid(),
    organizationId: z.uuid(),
    /** The inviter, who from now on manages nothing of the company. */
    ownerUserId: UserId,
    businessPartnerId: z.uuid(),
    controlledById: UserId,
    controlledAt: z.iso.datetime(),
    auditEntryId: z.uuid(),
  })
  .meta({ id: 'BusinessPartnerCompanyControlTakenV1' });
