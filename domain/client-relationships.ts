// AM-2: the use cases of client relationships. A firm's Account Owner asks; the client
// organization's org admins approve or decline, and extend an active one by hand; either side
// terminates. Who may is decided before, by the policy decision point; the relationship's workflow
// decides what its state allows, holds its timers, and revokes everything delegated under it when it ends.
import { randomUUID } from 'node:crypto';
import type { Database } from '../platform/database';
import type { ClientRelationshipsClient } from '../workflows/client-relationship/client';
import type { ClientRelationshipV1 } from './messages/queries/access.v1';
import { roleIds, rolesOf } from './authorization/entities';
import type { OrgRole } from '@prisma/client';
import { UseCaseRefusal } from './refusal';

export interface RelationshipRequest {
  organizationId: string;
  roleCeiling: OrgRole;
  durationDays: number;
  autoExtend: boolean;
}

export class ClientRelationships {
  constructor(private readonly deps: { db: Database; relationships: ClientRelationshipsClient }) {}

  async view(clientRelationshipId: string): Promise<ClientRelationshipV1> {
    const row = await this.deps.db.clientRelationship.findUnique({
      where: { id: clientRelationshipId },
      include: { partnerFirm: { select: { name: true } }, organization: { select: { name: true } } },
    });
    if (!row) throw new UseCaseRefusal('not-found', 'No such client relationship.');
    return {
      clientRelationshipId: row.id,
      partnerFirmId: row.partnerFirmId,
      partnerFirmName: row.partnerFirm.name,
      organizationId: row.organizationId,
      organizationName: row.organization.name,
      state: row.state,
      roleCeiling: row.roleCeiling,
      durationDays: row.durationDays,
      autoExtend: row.autoExtend,
      expiresAt: row.expiresAt?.toISOString() ?? null,
      reason: row.reason,
    };
  }

  async list(where: { partnerFirmId: string } | { organizationId: string }): Promise<ClientRelationshipV1[]> {
    const rows = await this.deps.db.clientRelationship.findMany({
      where,
      orderBy: { createdAt: 'desc' },
      select: { id: true },
    });
    return Promise.all(rows.map((r) => this.view(r.id)));
  }

  /** Answers once the request waits for the organization's approval; one open request per pair. */
  async request(actorUserId: string, partnerFirmId: string, r: RelationshipRequest): Promise<ClientRelationshipV1> {
    if (!(await this.deps.db.organization.findUnique({ where: { id: r.organizationId }, select: { id: true } }))) {
      throw new UseCaseRefusal('not-found', 'No such organization.');
    }
    const relationshipId = randomUUID();
    const view = await this.deps.relationships.request({
      relationshipId,
      partnerFirmId,
      requestedByUserId: actorUserId,
      ...r,
    });
    if (view.refused) throw new UseCaseRefusal('conflict', view.refused.message);
    return this.view(relationshipId);
  }

  async approve(actorUserId: string, clientRelationshipId: string) {
    await this.deps.relationships.approve(clientRelationshipId, { actorUserId });
    return this.view(clientRelationshipId);
  }

  async decline(actorUserId: string, clientRelationshipId: string, reason: string) {
    await this.deps.relationships.decline(clientRelationshipId, { actorUserId, reason });
    return this.view(clientRelationshipId);
  }

  /** The org admin's new end date, after the current one and at most two years ahead (the workflow checks). */
  async extend(actorUserId: string, clientRelationshipId: string, expiresAt: string) {
    // One spelling of the instant in the history and the row, whatever offset the caller wrote.
    const to = new Date(expiresAt).toISOString();
    await this.deps.relationships.extend(clientRelationshipId, { actorUserId, expiresAt: to });
    return this.view(clientRelationshipId);
  }

  /** The side is the caller's: an org admin of the client ends it for the organization, else the firm. */
  async terminate(actorUserId: string, clientRelationshipId: string, reason: string) {
    const row = await this.view(clientRelationshipId);
    const { roles } = await rolesOf(this.deps.db, actorUserId);
    const side = roles.includes(roleIds.organization(row.organizationId, 'ORG_ADMIN')) ? 'organization' : 'firm';
    await this.deps.relationships.terminate(clientRelationshipId, { actorUserId, side, reason });
    return this.view(clientRelationshipId);
  }
}
