// PA-4: a customer account's access model as a domain event (ids only, never names or emails).
import { z } from 'zod';
import { OrganizationId, PartnerFirmId } from '../values/identifiers';
import { TicketId } from './support.v1';

/** PA-4: how a partner gets into a customer account (changed only through a support ticket). */
export const CustomerAccessModelV1 = z.enum(['AUTOMATIC', 'INVITE_GUEST']).meta({ id: 'CustomerAccessModelV1' });

export const AccessModelChangedV1 = z
  .strictObject({
    organizationId: OrganizationId,
    partnerFirmId: PartnerFirmId,
    from: CustomerAccessModelV1,
    to: CustomerAccessModelV1,
    /** The support ticket that asked for it: the only way the model changes. */
    ticketId: TicketId,
    auditEntryId: z.uuid(),
  })
  .meta({ id: 'AccessModelChangedV1' });
