// TPU-1..TPU-7 over HTTP. Each route's check, asked of the policy decision point (AM-3), decides
// whether the caller may send the command; the command goes to the relationship's workflow with the
// caller's id only, and the workflow's Update validators refuse a wrong state without writing
// anything. Lists read the relationship rows the workflow records.
import { z } from 'zod';
import type { ThirdPartyRelationship } from '@prisma/client';
import { readRows, type Database } from '../../platform/database';
import { isOnOrganizationDomain } from '../../domain/third-party-access';
import { orgRoleOf } from '../../domain/actor';
import { OrganizationId } from '../../domain/messages/values/identifiers';
import {
  RequestThirdPartyAccessV1,
  ReviewThirdPartyAccessV1,
  SetThirdPartyAccessV1,
} from '../../domain/messages/commands/request-third-party-access.v1';
import { ThirdPartyAccessV1 } from '../../domain/messages/queries/third-party-access.v1';
import { TpuState } from '../../domain/messages/values/third-party-access';
import { ACCESS_ENDED, Refusal } from '../../workflows/third-party-access/messages';
import type { ThirdPartyAccessClient } from '../../workflows/third-party-access/client';
import { onOrganization, route } from '../routes';
import { rolesOf } from '../../domain/authorization/entities';
import { Problem } from '../problem';
import { workflowCommand } from '../workflow-command';

const OrgPath = z.strictObject({ organizationId: OrganizationId });
const RelationshipPath = z.strictObject({
  organizationId: OrganizationId,
  relationshipId: z.string().regex(/^[0-9a-f]{32}$/, 'a relationship id'),
});
const ThirdPartyAccessListV1 = z
  .object({ items: z.array(ThirdPartyAccessV1) })
  .meta({ id: 'ThirdPartyAccessListV1' });
const RequestQueueQuery = z.strictObject({ state: TpuState.default('REQUESTED') });

/** TPU-6: a plain sentence about where the relationship stands and what to do next. */
export function plainReason(r: Pick<ThirdPartyRelationship, 'state' | 'reason'>, organizationName: string): string {
  switch (r.state) {
    case 'LISTED':
      // AM-5: access that ended on its end date says so.
      if (r.reason.startsWith(ACCESS_ENDED)) return r.reason.replace('of the organization', `of ${organizationName}`);
      return `Access is off: ask an org admin of ${organizationName} to turn it on.`;
    case 'ACCESS_ON':
      return `Access is on: you can work in ${organizationName}.`;
    case 'REQUESTED':
      return `Requested: waiting for support to review the request from ${organizationName}.`;
    case 'AWAITING_ACCOUNT':
      return (
        `Waiting for your own account: create one with the email ${organizationName} gave, ` +
        'using your business email.'
      );
    default:
      return r.reason;
  }
}

type ViewedRow = Pick<ThirdPartyRelationship, ListedColumns> & { organization: { name: string } };
function toView(r: ViewedRow): ThirdPartyAccessV1 {
  return {
    relationshipId: r.relationshipId,
    organizationId: r.organizationId,
    organizationName: r.organization.name,
    thirdPartyUserId: r.thirdPartyUserId,
    thirdPartyName: r.thirdPartyName,
    firmName: r.firmName,
    state: r.state,
    origin: r.origin,
    reason: plainReason(r, r.organization.name),
    accessEndsAt: r.accessEndsAt?.toISOString() ?? null,
    updatedAt: r.updatedAt.toISOString(),
  };
}

/**
 * GET /organizations/{id}/third-party-users' list in one statement on the pool (issue 13): through
 * Prisma's query compiler the list and its organization's name cost about 3 ms of CPU, most of the request.
 * Timestamps are stored as UTC without a zone: read as UTC.
 */
const LIST_SQL = `
  select r."relationshipId", r."organizationId"::text as "organizationId", o.name as "organizationName",
    r."thirdPartyUserId"::text as "thirdPartyUserId", r."thirdPartyName", r."firmName", r.state::text as state,
    r.origin::text as origin, r.reason, (r."accessEndsAt" at time zone 'UTC') as "accessEndsAt",
    (r."updatedAt" at time zone 'UTC') as "updatedAt"
  from "ThirdPartyRelationship" r join "Organization" o on o.id = r."organizationId"
  where r."organizationId" = $1::uuid order by r."createdAt" asc`;
type ListedColumns =
  | 'relationshipId'
  | 'organizationId'
  | 'thirdPartyUserId'
  | 'thirdPartyName'
  | 'firmName'
  | 'state'
  | 'origin'
  | 'reason'
  | 'accessEndsAt'
  | 'updatedAt';
type ListedRow = Pick<ThirdPartyRelationship, ListedColumns> & { organizationName: string };
const listedView = (r: ListedRow) => toView({ ...r, organization: { name: r.organizationName } });

const command = <T>(run: () => Promise<T>) =>
  workflowCommand(run, {
    subject: 'the relationship',
    notFound: new Problem('not-found', 'No such third-party relationship.'),
    refusals: { [Refusal.forbidden]: 'forbidden', [Refusal.conflict]: 'conflict' },
  });

export function thirdPartyAccessRoutes(db: Database, tpu: ThirdPartyAccessClient) {
  const row = async (organizationId: string, relationshipId: string) => {
    const r = await db.thirdPartyRelationship.findUnique({
      where: { organizationId_relationshipId: { organizationId, relationshipId } },
      include: { organization: { select: { name: true } } },
    });
    if (!r) throw new Problem('not-found', 'No such third-party relationship.');
    return toView(r);
  };
  const requireOrganization = async (organizationId: string) => {
    const org = await db.organization.findUnique({ where: { id: organizationId }, include: { domains: true } });
    if (!org) throw new Problem('not-found', 'No such organization.');
    return org;
  };
  const tags = ['third-party access'];

  return [
    route({
      method: 'post',
      path: '/organizations/:organizationId/third-party-users',
      summary: 'TPU-2: request third-party access for someone from another firm (org admins and product admins)',
      tags,
      auth: true,
      params: OrgPath,
      body: RequestThirdPartyAccessV1,
      responses: {
        202: { description: 'Requested; the relationship is in its first state', schema: ThirdPartyAccessV1 },
        200: {
          description: 'This third party was already requested: the running relationship',
          schema: ThirdPartyAccessV1,
        },
      },
      problems: ['forbidden', 'not-found', 'unsupported-media-type', 'not-ready'],
      authorize: onOrganization(
        'requestThirdPartyAccess',
        'Only an org admin or a product admin of the organization can request third-party access.',
      ),
      handler: async ({ actor, params, body }) => {
        const org = await requireOrganization(params.organizationId);
        const domain = body.email.split('@')[1];
        if (isOnOrganizationDomain(body.email, org.domains)) {
          throw new Problem(
            'validation-failed',
            `A third party needs an account with their own business email, not one on ${org.name}'s domain ${domain}.`,
            {
              errors: [{ pointer: '/email', message: `on the organization's own domain ${domain}`, in: 'body' }],
            },
          );
        }
        const { view, joined } = await command(() =>
          tpu.request({
            organizationId: org.id,
            thirdParty: { name: body.thirdPartyName, firmName: body.firmName, email: body.email },
            origin: 'REQUEST',
            requestedByUserId: actor.userId,
            ticketId: null,
          }),
        );
        return { status: joined ? 200 : 202, body: await row(org.id, view.relationshipId) };
      },
    }),
    route({
      method: 'get',
      path: '/organizations/:organizationId/third-party-users',
      summary: "The organization's third-party users and requests (org admins, product admins, support)",
      tags,
      auth: true,
      params: OrgPath,
      responses: { 200: { description: 'The TPU list', schema: ThirdPartyAccessListV1 } },
      problems: ['forbidden', 'not-found'],
      authorize: onOrganization(
        'listThirdParties',
        "Only the organization's admins and support see its third-party users.",
      ),
      handler: async ({ params }) => {
        const rows = await readRows<ListedRow>(db, 'third-party-users', LIST_SQL, [params.organizationId]);
        return { status: 200, body: { items: rows.map(listedView) } };
      },
    }),
    route({
      method: 'get',
      path: '/organizations/:organizationId/third-party-users/:relationshipId',
      summary: 'One third-party relationship',
      tags,
      auth: true,
      params: RelationshipPath,
      responses: { 200: { description: 'The relationship', schema: ThirdPartyAccessV1 } },
      problems: ['forbidden', 'not-found'],
      authorize: ({ params }) => ({
        action: 'viewThirdParty',
        resource: {
          type: 'ThirdPartyRelationship',
          organizationId: params.organizationId,
          relationshipId: params.relationshipId,
        },
        denial: 'You may not see this relationship.',
      }),
      handler: async ({ params }) => ({ status: 200, body: await row(params.organizationId, params.relationshipId) }),
    }),
    route({
      method: 'post',
      path: '/organizations/:organizationId/third-party-users/:relationshipId/review',
      summary: 'TPU-3: support approves (lists, access off) or rejects with a reason',
      tags,
      auth: true,
      params: RelationshipPath,
      body: ReviewThirdPartyAccessV1,
      responses: { 200: { description: 'The relationship after the decision', schema: ThirdPartyAccessV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'unsupported-media-type', 'not-ready'],
      authorize: onOrganization('reviewThirdParty', 'Only support reviews third-party-user requests.'),
      handler: async ({ actor, params, body }) => {
        await command(() => tpu.review(params.organizationId, params.relationshipId, { userId: actor.userId }, body));
        return { status: 200, body: await row(params.organizationId, params.relationshipId) };
      },
    }),
    route({
      method: 'get',
      path: '/support/third-party-requests',
      summary:
        "TPU-3: support's review queue: every organization's third-party relationships in one state " +
        '(REQUESTED unless said), oldest first',
      tags,
      auth: true,
      query: RequestQueueQuery,
      responses: { 200: { description: 'The relationships in that state', schema: ThirdPartyAccessListV1 } },
      problems: ['forbidden'],
      authorize: () => ({
        action: 'listThirdPartyRequests',
        resource: { type: 'SupportDesk' },
        denial: 'Only support sees the review queue of third-party requests.',
      }),
      handler: async ({ query }) => {
        // Oldest first: the queue is worked in the order the requests came in.
        const rows = await db.thirdPartyRelationship.findMany({
          where: { state: query.state },
          include: { organization: { select: { name: true } } },
          orderBy: [{ updatedAt: 'asc' }, { organizationId: 'asc' }, { relationshipId: 'asc' }],
        });
        return { status: 200, body: { items: rows.map(toView) } };
      },
    }),
    route({
      method: 'put',
      path: '/organizations/:organizationId/third-party-users/:relationshipId/access',
      summary: "TPU-4: an org admin turns the third party's access on or off; AM-5: on until an end date",
      tags,
      auth: true,
      params: RelationshipPath,
      body: SetThirdPartyAccessV1,
      responses: { 200: { description: 'The relationship after the change', schema: ThirdPartyAccessV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'unsupported-media-type', 'not-ready'],
      authorize: ({ params, body }) =>
        onOrganization(
          'setThirdPartyAccess',
          `Only an org admin of the organization can turn third-party access ${body.access}.`,
        )({
          params,
        }),
      handler: async ({ actor, params, body }) => {
        const { organizationId, relationshipId } = params;
        await command(() => tpu.setAccess(organizationId, relationshipId, { userId: actor.userId }, body));
        return { status: 200, body: await row(params.organizationId, params.relationshipId) };
      },
    }),
    route({
      method: 'delete',
      path: '/organizations/:organizationId/third-party-users/:relationshipId',
      summary: 'Remove a third party (org admins or support); ends the relationship',
      tags,
      auth: true,
      params: RelationshipPath,
      responses: { 200: { description: 'The relationship, removed', schema: ThirdPartyAccessV1 } },
      problems: ['forbidden', 'not-found', 'conflict'],
      authorize: onOrganization(
        'removeThirdParty',
        'Only an org admin of the organization or support can remove a third party.',
      ),
      handler: async ({ actor, params }) => {
        const { organizationId, relationshipId } = params;
        // Wording only ("Removed by support." or "by an org admin."): an org admin speaks for the organization.
        const removedBy = orgRoleOf(actor, organizationId) === 'ORG_ADMIN' ? 'organization' : 'support';
        await command(() => tpu.remove(organizationId, relationshipId, { userId: actor.userId }, removedBy));
        return { status: 200, body: await row(params.organizationId, params.relationshipId) };
      },
    }),
    route({
      method: 'get',
      path: '/me/third-party-access',
      summary: 'TPU-6: your third-party relationships, each with where it stands and why',
      tags,
      auth: true,
      responses: { 200: { description: 'Your relationships', schema: ThirdPartyAccessListV1 } },
      authorize: { anyone: 'your own relationships' },
      handler: async ({ actor }) => {
        const rows = await db.thirdPartyRelationship.findMany({
          where: { thirdPartyUserId: actor.userId },
          include: { organization: { select: { name: true } } },
          orderBy: { updatedAt: 'desc' },
        });
        return { status: 200, body: { items: rows.map(toView) } };
      },
    }),
    route({
      method: 'get',
      path: '/me/client-organizations',
      summary:
        'TPU-7: the organizations you work in from another company (third-party access on, or a delegation ' +
        'of your firm in force), to hop between them',
      tags,
      auth: true,
      responses: {
        200: {
          description: 'Organizations with access on',
          schema: z
            .object({ items: z.array(z.object({ organizationId: OrganizationId, name: z.string() })) })
            .meta({ id: 'ClientOrganizationsV1' }),
        },
      },
      authorize: { anyone: 'your own organizations' },
      handler: async ({ actor }) => {
        // The roles the decision point reads (AM-1): what stands now, whatever its source.
        const { roles } = await rolesOf(db, actor.userId);
        const ids = roles.flatMap((r) =>
          r.startsWith('org/') && r.endsWith('/THIRD_PARTY') ? [r.split('/')[1]] : [],
        );
        const organizations = await db.organization.findMany({
          where: { id: { in: ids } },
          orderBy: { name: 'asc' },
        });
        return { status: 200, body: { items: organizations.map((o) => ({ organizationId: o.id, name: o.name })) } };
      },
    }),
  ];
}
