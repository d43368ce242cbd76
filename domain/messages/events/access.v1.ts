// AM-1, AM-2, AM-4: grants and client relationships as domain events (ids only, never names or emails).
import { z } from 'zod';
import { OrganizationId, PartnerFirmId, UserId } from '../values/identifiers';

const OrgRole = z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'MEMBER']);

/** Where a grant came from (AM-1). */
export const GrantSourceV1 = z
  .enum(['OWN', 'DELEGATION', 'GUEST', 'THIRD_PARTY', 'OBJECT_SHARE'])
  .meta({ id: 'GrantSourceV1' });

/** AM-1, AM-4: a grant was given or revoked (by a person, by its source ending, or by its end date). */
export const GrantChangedV1 = z
  .strictObject({
    /** The ledger's grant id, e.g. `membership:<id>`, `third-party:<workflow id>`, `task-share:<task>:<user>`. */
    grantId: z.string(),
    organizationId: OrganizationId,
    userId: UserId,
    source: GrantSourceV1,
    /** The client relationship of a delegated grant. */
    clientRelationshipId: z.uuid().nullable(),
    role: OrgRole.nullable(),
    actorUserId: UserId.nullable(),
    reason: z.string(),
  })
  .meta({ id: 'GrantChangedV1' });
export type GrantChangedV1 = z.infer<typeof GrantChangedV1>;

/** AM-2: a client relationship changed state. */
export const ClientRelationshipChangedV1 = z
  .strictObject({
    clientRelationshipId: z.uuid(),
    partnerFirmId: PartnerFirmId,
    organizationId: OrganizationId,
    state: z.enum(['PENDING_APPROVAL', 'ACTIVE', 'DECLINED', 'TERMINATED', 'EXPIRED']),
    roleCeiling: OrgRole,
    expiresAt: z.iso.datetime().nullable(),
    autoExtend: z.boolean(),
    actorUserId: UserId.nullable(),
    reason: z.string(),
    /** For an expiry notice: how many days are left. */
    daysLeft: z.number().int().nullable(),
  })
  .meta({ id: 'ClientRelationshipChangedV1' });
export type ClientRelationshipChangedV1 = z.infer<typeof ClientRelationshipChangedV1>;
