import type { Database } from '../../platform/database';
import { accessIn } from '../../domain/access';
import { OrganizationPathV1, OrganizationSummaryV1 } from '../../domain/messages/queries/organization-summary.v1';
import { route } from '../routes';
import { Problem } from '../problem';

export function organizationRoutes(db: Database) {
  return [
    route({
      method: 'get',
      path: '/organizations/:organizationId',
      summary: 'An organization you belong to',
      tags: ['organizations'],
      auth: true,
      params: OrganizationPathV1,
      responses: { 200: { description: 'The organization', schema: OrganizationSummaryV1 } },
      problems: ['forbidden', 'not-found'],
      authorize: ({ params }) => ({
        action: 'viewOrganization',
        resource: { type: 'Organization', id: params.organizationId },
        denial: 'You have no access to this organization.',
      }),
      handler: async ({ params, principalRoles }) => {
        const org = await db.organization.findUnique({
          where: { id: params.organizationId },
          include: { domains: { orderBy: { domain: 'asc' } }, _count: { select: { memberships: true } } },
        });
        if (!org) throw new Problem('not-found', 'No such organization.');
        // The roles it was allowed with: the level shown is the one decided, read once.
        const access = accessIn(principalRoles, org.id)!;
        const body: OrganizationSummaryV1 = {
          organizationId: org.id,
          name: org.name,
          status: org.status,
          domains: org.domains.map((d) => d.domain),
          memberCount: org._count.memberships,
          yourAccess: access.level,
        };
        return { status: 200, body };
      },
    }),
  ];
}
