// AM-2, AM-4: what the access model shows.
import { z } from 'zod';
import { OrganizationId, PartnerFirmId, UserId } from '../values/identifiers';
import { OrgRoleValue } from '../values/roles';

export const ClientRelationshipV1 = z
  .object({
    clientRelationshipId: z.uuid(),
    partnerFirmId: PartnerFirmId,
    partnerFirmName: z.string(),
    organizationId: OrganizationId,
    organizationName: z.string(),
    state: z.enum(['PENDING_APPROVAL', 'ACTIVE', 'DECLINED', 'TERMINATED', 'EXPIRED']),
    roleCeiling: OrgRoleValue,
    durationDays: z.number().int(),
    autoExtend: z.boolean(),
    expiresAt: z.iso.datetime().nullable(),
    reason: z.string(),
  })
  .meta({ id: 'ClientRelationshipV1' });
export type ClientRelationshipV1 = z.infer<typeof ClientRelationshipV1>;

export const LedgerEntryV1 = z
  .object({
    grantId: z.string(),
    userId: UserId,
    name: z.string(),
    level: z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'MEMBER', 'THIRD_PARTY', 'VIEWER', 'USER_MANAGEMENT']),
    source: z.enum(['OWN', 'DELEGATION', 'GUEST', 'THIRD_PARTY', 'OBJECT_SHARE', 'PARTNER_ACCOUNT']),
    partnerFirm: z.object({ partnerFirmId: PartnerFirmId, name: z.string() }).nullable(),
    clientRelationshipId: z.uuid().nullable(),
    grantedBy: z.object({ userId: UserId, name: z.string() }).nullable(),
    grantedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    objectId: z.uuid().nullable(),
    why: z.string(),
    revocable: z.boolean(),
  })
  .meta({ id: 'LedgerEntryV1' });
