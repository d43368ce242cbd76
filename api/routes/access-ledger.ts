// AM-4 over HTTP: the customer's access ledger (everyone who can act in the organization, at what
// level, and why) and revoking any grant in it that is not an own membership. Org admins only.
import { z } from 'zod';
import { OrganizationId } from '../../domain/messages/values/identifiers';
import { RevokeGrantV1 } from '../../domain/messages/commands/access.v1';
import { LedgerEntryV1 } from '../../domain/messages/queries/access.v1';
import { AccessLedger } from '../../domain/access-ledger';
import type { Database } from '../../platform/database';
import type { ThirdPartyAccessClient } from '../../workflows/third-party-access/client';
import { Refusal } from '../../workflows/third-party-access/messages';
import { onOrganization, route } from '../routes';
import { workflowCommand } from '../workflow-command';

const OrgPath = z.strictObject({ organizationId: OrganizationId });

export function accessLedgerRoutes(db: Database, thirdPartyAccess: ThirdPartyAccessClient) {
  const ledger = new AccessLedger({ db, thirdPartyAccess });
  const tags = ['access ledger'];
  const orgAdmins = (action: 'viewAccessLedger' | 'revokeGrant') =>
    onOrganization(action, "Only the organization's own org admins see and revoke its access ledger.");
  return [
    route({
      method: 'get',
      path: '/organizations/:organizationId/access-ledger',
      summary: 'AM-4: everyone who can act in the organization, at what level, and the chain of why',
      tags,
      auth: true,
      params: OrgPath,
      responses: {
        200: {
          description: 'The ledger',
          schema: z.object({ items: z.array(LedgerEntryV1) }).meta({ id: 'AccessLedgerV1' }),
        },
      },
      problems: ['forbidden'],
      authorize: orgAdmins('viewAccessLedger'),
      handler: async ({ params }) => ({ status: 200, body: { items: await ledger.entries(params.organizationId) } }),
    }),
    route({
      method: 'post',
      path: '/organizations/:organizationId/access-ledger/revocations',
      summary: 'AM-4, AM-7: revoke a grant that is not an own membership; it takes effect at once',
      tags,
      auth: true,
      params: OrgPath,
      body: RevokeGrantV1,
      responses: { 200: { description: 'Revoked: the grant as it was', schema: LedgerEntryV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'unprocessable', 'unsupported-media-type', 'not-ready'],
      authorize: orgAdmins('revokeGrant'),
      handler: async ({ actor, params, body }) => {
        const entry = await workflowCommand(
          () => ledger.revoke(actor.userId, params.organizationId, body.grantId, body.reason),
          { subject: 'the access ledger', refusals: { [Refusal.conflict]: 'conflict' } },
        );
        return { status: 200, body: entry };
      },
    }),
  ];
}
