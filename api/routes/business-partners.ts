// BP-1..BP-6 over HTTP: each employee's own list of business partners, grouped by company. A person
// who already has an account is connected at once (BP-2); anyone else gets an invitation (the
// invitation workflow). Deleting a company is confirmed by its name and cannot be undone. The inviter
// blocks and unblocks a company (BP-5) until one of its own admins takes full control of it (BP-6);
// then the company's admins manage its people and the inviter is refused, with why. The use cases are
// domain/business-partners.ts; these are their HTTP adapters.
import { z } from 'zod';
import type { Prisma } from '@prisma/client';
import type { Database } from '../../platform/database';
import { OrganizationId } from '../../domain/messages/values/identifiers';
import { BusinessPartnerAddOutcomeV1 } from '../../domain/messages/queries/business-partners.v1';
import {
  AddBusinessPartnerPeopleV1,
  AddBusinessPartnerV1,
  BusinessPartnerRights,
  DeleteBusinessPartnerCompanyV1,
  EditBusinessPartnerV1,
  TakeBusinessPartnerControlV1,
} from '../../domain/messages/commands/business-partners.v1';
import { InvitationV1 } from '../../domain/messages/queries/invitation.v1';
import { BusinessPartners } from '../../domain/business-partners';
import type { Action } from '../../domain/authorization/authorizer';
import type { InvitationsClient } from '../../workflows/invitation/client';
import { invitationCommand, toInvitationV1 } from './invitations';
import { route, type Check } from '../routes';
import { Problem } from '../problem';
import { useCase } from '../workflow-command';

const BusinessPartnerV1 = z
  .object({
    businessPartnerId: z.uuid(),
    firstName: z.string(),
    lastName: z.string(),
    email: z.string(),
    title: z.string().nullable(),
    department: z.string().nullable(),
    phone: z.string().nullable(),
    status: z.enum(['INVITED', 'ACTIVE']),
    /** BP-5, BP-6: their rights in their own organization; an ADMIN may take full control of it. */
    rights: BusinessPartnerRights,
    userId: z.uuid().nullable(),
    /** BP-4: the pending invitation, with when the original was sent. */
    invitation: InvitationV1.nullable(),
  })
  .meta({ id: 'BusinessPartnerV1' });
const BusinessPartnerCompanyV1 = z
  .object({
    companyId: z.uuid(),
    name: z.string(),
    organizationId: OrganizationId,
    /** BP-5: blocked by the inviter: its people see nothing shared with them. */
    blocked: z.boolean(),
    blockedAt: z.iso.datetime().nullable(),
    /** BP-6: one of its own admins took full control of it (for good), and when. */
    controlledByPartner: z.boolean(),
    controlledAt: z.iso.datetime().nullable(),
    people: z.array(BusinessPartnerV1),
  })
  .meta({ id: 'BusinessPartnerCompanyV1' });
const CompanyPath = z.strictObject({ companyId: z.uuid() });
const MyCompaniesV1 = z
  .object({ companies: z.array(BusinessPartnerCompanyV1) })
  .meta({ id: 'MyBusinessPartnerCompaniesV1' });
const CompanyWithOutcomesV1 = z
  .object({ company: BusinessPartnerCompanyV1, results: z.array(BusinessPartnerAddOutcomeV1) })
  .meta({ id: 'BusinessPartnerCompanyAddedV1' });

type CompanyAction = Extract<
  Action,
  'editBusinessPartner' | 'addBusinessPartnerPeople' | 'blockBusinessPartnerCompany' | 'deleteBusinessPartnerCompany'
>;

export function businessPartnerRoutes(db: Database, invitations: InvitationsClient) {
  const tags = ['business partners'];
  const partners = new BusinessPartners(db, invitations);

  /** Companies with their people and open invitations: two queries, however long the list. */
  const companyViews = async (where: Prisma.BusinessPartnerCompanyWhereInput) => {
    const companies = await db.businessPartnerCompany.findMany({
      where,
      orderBy: { name: 'asc' },
      include: { people: { orderBy: { createdAt: 'asc' } } },
    });
    const invites = await db.invitation.findMany({
      where: {
        kind: 'BUSINESS_PARTNER',
        scopeId: { in: companies.map((c) => c.id) },
        state: { in: ['PENDING', 'EXPIRED'] },
      },
      include: { sends: true },
    });
    return companies.map((c) => ({
      companyId: c.id,
      name: c.name,
      organizationId: c.organizationId,
      blocked: c.blockedAt !== null,
      blockedAt: c.blockedAt?.toISOString() ?? null,
      controlledByPartner: c.controlledAt !== null,
      controlledAt: c.controlledAt?.toISOString() ?? null,
      people: c.people.map((p) => {
        const inv = invites.find((i) => i.targetId === p.id);
        return {
          businessPartnerId: p.id,
          firstName: p.firstName,
          lastName: p.lastName,
          email: p.email,
          title: p.title,
          department: p.department,
          phone: p.phone,
          status: p.status,
          rights: p.rights,
          userId: p.userId,
          invitation: inv ? toInvitationV1(inv) : null,
        };
      }),
    }));
  };
  const companyView = async (companyId: string) => (await companyViews({ id: companyId }))[0];

  // Another employee's list is theirs alone: not found rather than forbidden, so it stays private.
  // Once the partner took control (BP-6), the inviter is told why (api/denials.ts names the forbid).
  const onCompany = (action: CompanyAction, companyId: string): Check => ({
    action,
    resource: { type: 'BusinessPartnerCompany', id: companyId },
    hideAs404: true,
  });

  /** BP-5: the inviter blocks or unblocks a company on their list, until its partner takes control. */
  const blockRoute = (change: 'block' | 'unblock', summary: string) =>
    route({
      method: 'post',
      path: `/business-partner-companies/:companyId/${change}`,
      summary,
      tags,
      auth: true,
      params: CompanyPath,
      responses: { 200: { description: 'The company, blocked or not', schema: BusinessPartnerCompanyV1 } },
      problems: ['not-found', 'conflict', 'partner-in-control'],
      authorize: ({ params }) => onCompany('blockBusinessPartnerCompany', params.companyId),
      handler: async ({ actor, params }) => {
        await useCase(() => partners[change](actor.userId, params.companyId));
        return { status: 200, body: await companyView(params.companyId) };
      },
    });

  return [
    route({
      method: 'post',
      path: '/organizations/:organizationId/business-partners',
      summary: 'BP-1, BP-2: add a business partner company and its people to your own list (any employee)',
      tags,
      auth: true,
      params: z.strictObject({ organizationId: OrganizationId }),
      body: AddBusinessPartnerV1,
      responses: { 201: { description: 'Added: who was invited, who connected', schema: CompanyWithOutcomesV1 } },
      problems: ['validation-failed', 'forbidden', 'not-found', 'not-ready'],
      authorize: ({ params }) => ({
        action: 'addBusinessPartner',
        resource: { type: 'Organization', id: params.organizationId },
        denial: 'Only employees of the organization add its business partners.',
      }),
      handler: async ({ actor, params, body }) => {
        const { companyId, results } = await invitationCommand(() =>
          partners.addCompany(
            actor.userId,
            { organizationId: params.organizationId, name: body.companyName },
            body.people,
          ),
        );
        return { status: 201, body: { company: await companyView(companyId), results } };
      },
    }),
    route({
      method: 'post',
      path: '/business-partner-companies/:companyId/people',
      summary:
        'BP-5, BP-6: add more people of a partner company on your list (once in its own control, its admins do)',
      tags,
      auth: true,
      params: CompanyPath,
      body: AddBusinessPartnerPeopleV1,
      responses: { 200: { description: 'Added', schema: CompanyWithOutcomesV1 } },
      problems: ['validation-failed', 'not-found', 'not-ready', 'partner-in-control'],
      authorize: ({ params }) => onCompany('addBusinessPartnerPeople', params.companyId),
      handler: async ({ actor, params, body }) => {
        const results = await invitationCommand(() =>
          partners.addPeople(actor.userId, params.companyId, body.people),
        );
        return { status: 200, body: { company: await companyView(params.companyId), results } };
      },
    }),
    route({
      method: 'get',
      path: '/business-partners',
      summary: 'BP-1, BP-4: your business partners, grouped by company, with pending invitations',
      tags,
      auth: true,
      responses: {
        200: {
          description: 'Your list',
          schema: z.object({ companies: z.array(BusinessPartnerCompanyV1) }).meta({ id: 'BusinessPartnerListV1' }),
        },
      },
      authorize: { anyone: 'your own list' },
      handler: async ({ actor }) => {
        return { status: 200, body: { companies: await companyViews({ ownerUserId: actor.userId }) } };
      },
    }),
    route({
      method: 'patch',
      path: '/business-partners/:businessPartnerId',
      summary: "BP-5, BP-6: edit a partner's profile and rights (once in its own control, its admins do)",
      tags,
      auth: true,
      params: z.strictObject({ businessPartnerId: z.uuid() }),
      body: EditBusinessPartnerV1,
      responses: { 200: { description: 'The company with the edited partner', schema: BusinessPartnerCompanyV1 } },
      problems: ['validation-failed', 'not-found', 'conflict', 'partner-in-control'],
      authorize: async ({ params }) => {
        const partner = await db.businessPartner.findUnique({ where: { id: params.businessPartnerId } });
        if (!partner) throw new Problem('not-found', 'No such business partner on your list.');
        return onCompany('editBusinessPartner', partner.companyId);
      },
      handler: async ({ actor, params, body }) => {
        const companyId = await useCase(() => partners.edit(actor.userId, params.businessPartnerId, body));
        return { status: 200, body: await companyView(companyId) };
      },
    }),
    route({
      method: 'delete',
      path: '/business-partner-companies/:companyId',
      summary: 'BP-5: delete a partner company and its people; confirm with its name. Cannot be undone.',
      tags,
      auth: true,
      params: CompanyPath,
      body: DeleteBusinessPartnerCompanyV1,
      responses: {
        200: {
          description: 'Deleted',
          schema: z
            .object({ deleted: z.literal(true), people: z.number().int() })
            .meta({ id: 'BusinessPartnerCompanyDeletedResponse' }),
        },
      },
      problems: ['validation-failed', 'not-found', 'unprocessable', 'not-ready', 'partner-in-control'],
      authorize: ({ params }) => onCompany('deleteBusinessPartnerCompany', params.companyId),
      handler: async ({ actor, params, body }) => {
        const revoke = (invitation: { id: string; workflowId: string }) =>
          invitationCommand(() => invitations.revoke(invitation.workflowId, invitation.id, { userId: actor.userId }));
        const people = await useCase(() =>
          partners.deleteCompany(actor.userId, params.companyId, body.confirmName, revoke),
        );
        return { status: 200, body: { deleted: true as const, people } };
      },
    }),
    blockRoute('block', 'BP-5: block a partner company on your list: its people see nothing shared with them'),
    blockRoute(
      'unblock',
      'BP-5: unblock a partner company on your list: what was shared with its people counts again',
    ),
    route({
      method: 'post',
      path: '/business-partner-companies/:companyId/control',
      summary: "BP-6: a partner's own admin takes full control of their company: confirmed by its name, for good",
      tags,
      auth: true,
      params: CompanyPath,
      body: TakeBusinessPartnerControlV1,
      responses: { 200: { description: 'In its own control from now on', schema: BusinessPartnerCompanyV1 } },
      problems: ['validation-failed', 'forbidden', 'not-found', 'conflict', 'unprocessable'],
      authorize: async ({ actor, params }) => {
        // Its inviter and its own people know the company exists and are told no; anyone else finds nothing.
        const knows = await db.businessPartnerCompany.count({
          where: {
            id: params.companyId,
            OR: [{ ownerUserId: actor.userId }, { people: { some: { userId: actor.userId } } }],
          },
        });
        return {
          action: 'takeBusinessPartnerControl',
          resource: { type: 'BusinessPartnerCompany', id: params.companyId },
          hideAs404: knows === 0,
          denial: 'Only a person of this company with ADMIN rights and their own account takes full control of it.',
        };
      },
      handler: async ({ actor, params, body }) => {
        await useCase(() => partners.takeControl(actor.userId, params.companyId, body.confirmName));
        return { status: 200, body: await companyView(params.companyId) };
      },
    }),
    route({
      method: 'get',
      path: '/me/business-partner-companies',
      summary: 'BP-6: the companies you are a business partner of (their Organization tab), with your colleagues',
      tags,
      auth: true,
      responses: { 200: { description: 'Your companies', schema: MyCompaniesV1 } },
      authorize: { anyone: 'the companies you are connected to' },
      handler: async ({ actor }) => {
        const companies = await companyViews({ people: { some: { userId: actor.userId, status: 'ACTIVE' } } });
        return { status: 200, body: { companies } };
      },
    }),
  ];
}
