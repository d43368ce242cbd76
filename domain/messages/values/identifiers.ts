import { z } from 'zod';

// Ids are opaque UUIDs: safe for workflow ids, search attributes and logs (no personal data).
export const UserId = z.uuid().meta({ id: 'UserId', description: 'A user id (UUID)' });
export const OrganizationId = z.uuid().meta({ id: 'OrganizationId', description: 'An organization id (UUID)' });
export const PartnerFirmId = z.uuid().meta({ id: 'PartnerFirmId', description: 'A partner firm id (UUID)' });
