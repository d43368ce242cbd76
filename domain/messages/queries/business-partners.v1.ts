// BP-1, BP-2: what the API answers about business partners, shared by the use case that produces it.
import { z } from 'zod';

/** What became of one person added to a company: invited, connected to their account, or already on it. */
export const BusinessPartnerAddOutcomeV1 = z
  .object({
    email: z.string(),
    outcome: z.enum(['invited', 'connected', 'already-added']),
    message: z.string(),
    invitationId: z.uuid().nullable(),
  })
  .meta({ id: 'BusinessPartnerAddOutcomeV1' });
export type BusinessPartnerAddOutcomeV1 = z.infer<typeof BusinessPartnerAddOutcomeV1>;
