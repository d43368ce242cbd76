// AM-2, AM-4: commands of the access model (client relationships, revoking a grant).
import { z } from 'zod';
import { OrganizationId } from '../values/identifiers';
import { OrgRoleValue } from '../values/roles';

const Reason = z.string().trim().min(1).max(500);

/** AM-2: a firm's Account Owner asks a client organization for a relationship. */
export const RequestClientRelationshipV1 = z
  .strictObject({
    organizationId: OrganizationId,
    /** The highest organization role the firm may hand its staff there. */
    roleCeiling: OrgRoleValue,
    /** How long it lasts once approved: at most two years. */
    durationDays: z.number().int().min(1).max(730),
    /** At its end, extend by 180 days instead of expiring. */
    autoExtend: z.boolean().default(false),
  })
  .meta({ id: 'RequestClientRelationshipV1' });

export const DeclineClientRelationshipV1 = z
  .strictObject({ reason: Reason })
  .meta({ id: 'DeclineClientRelationshipV1' });
export const TerminateClientRelationshipV1 = z
  .strictObject({ reason: Reason })
  .meta({ id: 'TerminateClientRelationshipV1' });

/**
 * AM-2: the client's org admin moves an active relationship's end date later. Checked against the
 * caller's clock here; the relationship's workflow checks it is after the current end date (else 409).
 */
export const ExtendClientRelationshipV1 = z
  .strictObject({
    /** The new end date: in the future and at most two years ahead, like a new relationship's. */
    expiresAt: z.iso
      .datetime({ offset: true })
      .refine((at) => Date.parse(at) > Date.now(), 'must be in the future')
      .refine((at) => Date.parse(at) <= Date.now() + 730 * 86400_000, 'at most two years ahead'),
  })
  .meta({ id: 'ExtendClientRelationshipV1' });

/** AM-4: revoke one grant of the ledger. */
export const RevokeGrantV1 = z
  .strictObject({
    grantId: z
      .string()
      .regex(
        /^(membership:[0-9a-f-]{36}|third-party:[0-9a-f]{32}|(task-share|partner-account):[0-9a-f-]{36}:[0-9a-f-]{36})$/,
        'a grant id',
      ),
    reason: Reason,
  })
  .meta({ id: 'RevokeGrantV1' });
