// BP-1..BP-5 over HTTP: each employee's own list of business partners, grouped by company. A person
// who already has an account is connected at once (BP-2); anyone else gets an invitation (the
// invitation workflow). Deleting a company is confirmed by its name and cannot be undone.
import { z } from 'zod';
import type { Prisma } from '@prisma/client';
import type { Database } from '../../platform/database';
import type { Actor } from '../../domain/actor';
import { recordEvent } from '../../events/outbox';
import { OrganizationId } from '../../domain/messages/values/identifiers';
import {
  AddBusinessPartnerPeopleV1,
  AddBusinessPartnerV1,
  DeleteBusinessPartnerCompanyV1,
  EditBusinessPartnerV1,
} from '../../domain/messages/commands/business-partners.v1';
import { InvitationV1 } from '../../domain/messages/queries/invitation.v1';
import type { InvitationsClient } from '../../workflows/invitation/client';
import { invitationCommand, toInvitationV1 } from './invitations';
import { route } from '../routes';
import { Problem } from '../problem';

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
    userId: z.uuid().nullable(),
    /** BP-4: the pending invitation, with when the original was sent. */
    invitation: InvitationV1.nullable(),
  })
  .meta({ id: 'BusinessPartnerV1' });
const BusinessPartnerCompanyV1 = z
  .object({ companyId: z.uuid(), name: z.string(), organizationId: OrganizationId, people: z.array(BusinessPartnerV1) })
  .meta({ id: 'BusinessPartnerCompanyV1' });
const AddOutcomeV1 = z
  .object({ email: z.string(), outcome: z.enum(['invited', 'connected', 'already-added']), message: z.string(), invitationId: z.uuid().nullable() })
  .meta({ id: 'BusinessPartnerAddOutcomeV1' });
const CompanyWithOutcomesV1 = z.object({ company: BusinessPartnerCompanyV1, results: z.array(AddOutcomeV1) }).meta({ id: 'BusinessPartnerCompanyAddedV1' });

export function businessPartnerRoutes(db: Database, invitations: InvitationsClient) {
  const tags = ['business partners'];

  /** Companies with their people and open invitations: two queries, however long the list. */
  const companyViews = async (where: Prisma.BusinessPartnerCompanyWhereInput) => {
    const companies = await db.businessPartnerCompany.findMany({ where, orderBy: { name: 'asc' }, include: { people: { orderBy: { createdAt: 'asc' } } } });
    const invites = await db.invitation.findMany({ where: { kind: 'BUSINESS_PARTNER', scopeId: { in: companies.map((c) => c.id) }, state: { in: ['PENDING', 'EXPIRED'] } }, include: { sends: true } });
    return companies.map((c) => ({
      companyId: c.id,
      name: c.name,
      organizationId: c.organizationId,
      people: c.people.map((p) => {
        const inv = invites.find((i) => i.targetId === p.id);
        return { businessPartnerId: p.id, firstName: p.firstName, lastName: p.lastName, email: p.email, title: p.title, department: p.department, phone: p.phone, status: p.status, userId: p.userId, invitation: inv ? toInvitationV1(inv) : null };
      }),
    }));
  };
  const companyView = async (companyId: string) => (await companyViews({ id: companyId }))[0];

  // Another employee's list is theirs alone: not found rather than forbidden, so it stays private.
  const ownList = (companyId: string) => ({
    action: 'manageBusinessPartners' as const,
    resource: { type: 'BusinessPartnerCompany' as const, id: companyId },
    hideAs404: true,
  });

  /** BP-1, BP-2: each person is connected (has an account), invited, or already on the company. */
  const addPeople = async (actor: Actor, companyId: string, people: z.infer<typeof AddBusinessPartnerPeopleV1>['people']) => {
    const results: z.infer<typeof AddOutcomeV1>[] = [];
    for (const person of people) {
      const account = await db.user.findUnique({ where: { email: person.email }, select: { id: true, status: true } });
      if (account?.status === 'ACTIVE') {
        const connected = await db.$transaction(async (tx) => {
          const exists = await tx.businessPartner.findUnique({ where: { companyId_email: { companyId, email: person.email } } });
          if (exists) return false;
          const bp = await tx.businessPartner.create({ data: { companyId, email: person.email, firstName: person.firstName, lastName: person.lastName, userId: account.id, status: 'ACTIVE' } });
          await recordEvent(tx, 'partneraccess.business-partner.connected.v1', { aggregateId: bp.id, data: { businessPartnerId: bp.id, companyId, userId: account.id, actorUserId: actor.userId } });
          return true;
        });
        results.push(connected
          ? { email: person.email, outcome: 'connected', message: 'An account already exists for this email: connected to it, no invitation sent.', invitationId: null }
          : { email: person.email, outcome: 'already-added', message: 'Already on this company.', invitationId: null });
        continue;
      }
      const { view } = await invitationCommand(() =>
        invitations.open({ kind: 'BUSINESS_PARTNER', scopeId: companyId, invitee: person, invitedByUserId: actor.userId }),
      );
      results.push(view.refused
        ? { email: person.email, outcome: 'already-added', message: view.refused.message, invitationId: null }
        : { email: person.email, outcome: 'invited', message: 'Invitation sent.', invitationId: view.invitationId });
    }
    return results;
  };

  return [
    route({
      method: 'post',
      path: '/organizations/:organizationId/business-partners',
      summary: "BP-1, BP-2: add a business partner company and its people to your own list (any employee)",
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
        const company = await db.businessPartnerCompany.create({ data: { organizationId: params.organizationId, ownerUserId: actor.userId, name: body.companyName } });
        const results = await addPeople(actor, company.id, body.people);
        return { status: 201, body: { company: await companyView(company.id), results } };
      },
    }),
    route({
      method: 'post',
      path: '/business-partner-companies/:companyId/people',
      summary: 'BP-5: add more people of a partner company on your list',
      tags,
      auth: true,
      params: z.strictObject({ companyId: z.uuid() }),
      body: AddBusinessPartnerPeopleV1,
      responses: { 200: { description: 'Added', schema: CompanyWithOutcomesV1 } },
      problems: ['validation-failed', 'not-found', 'not-ready'],
      authorize: ({ params }) => ownList(params.companyId),
      handler: async ({ actor, params, body }) => {
        const results = await addPeople(actor, params.companyId, body.people);
        return { status: 200, body: { company: await companyView(params.companyId), results } };
      },
    }),
    route({
      method: 'get',
      path: '/business-partners',
      summary: 'BP-1, BP-4: your business partners, grouped by company, with pending invitations',
      tags,
      auth: true,
      responses: { 200: { description: 'Your list', schema: z.object({ companies: z.array(BusinessPartnerCompanyV1) }).meta({ id: 'BusinessPartnerListV1' }) } },
      authorize: { anyone: 'your own list' },
      handler: async ({ actor }) => {
        return { status: 200, body: { companies: await companyViews({ ownerUserId: actor.userId }) } };
      },
    }),
    route({
      method: 'patch',
      path: '/business-partners/:businessPartnerId',
      summary: "BP-5: edit a partner's profile (name, title, department, phone)",
      tags,
      auth: true,
      params: z.strictObject({ businessPartnerId: z.uuid() }),
      body: EditBusinessPartnerV1,
      responses: { 200: { description: 'The company with the edited partner', schema: BusinessPartnerCompanyV1 } },
      problems: ['validation-failed', 'not-found'],
      authorize: async ({ params }) => {
        const partner = await db.businessPartner.findUnique({ where: { id: params.businessPartnerId } });
        if (!partner) throw new Problem('not-found', 'No such business partner on your list.');
        return ownList(partner.companyId);
      },
      handler: async ({ params, body }) => {
        const bp = await db.businessPartner.findUniqueOrThrow({ where: { id: params.businessPartnerId } });
        await db.businessPartner.update({ where: { id: bp.id }, data: body });
        return { status: 200, body: await companyView(bp.companyId) };
      },
    }),
    route({
      method: 'delete',
      path: '/business-partner-companies/:companyId',
      summary: 'BP-5: delete a partner company and its people; confirm with its name. Cannot be undone.',
      tags,
      auth: true,
      params: z.strictObject({ companyId: z.uuid() }),
      body: DeleteBusinessPartnerCompanyV1,
      responses: { 200: { description: 'Deleted', schema: z.object({ deleted: z.literal(true), people: z.number().int() }).meta({ id: 'BusinessPartnerCompanyDeletedResponse' }) } },
      problems: ['validation-failed', 'not-found', 'unprocessable', 'not-ready'],
      authorize: ({ params }) => ownList(params.companyId),
      handler: async ({ actor, params, body }) => {
        const company = await db.businessPartnerCompany.findUniqueOrThrow({ where: { id: params.companyId } });
        if (body.confirmName !== company.name) {
          throw new Problem('unprocessable', `Deleting "${company.name}" and its people cannot be undone. To confirm, send its exact name as confirmName.`);
        }
        const people = await db.businessPartner.count({ where: { companyId: company.id } });
        // Links first: once an invitation is revoked nobody can accept into a company that is going away.
        const open = await db.invitation.findMany({ where: { kind: 'BUSINESS_PARTNER', scopeId: company.id, state: { in: ['PENDING', 'EXPIRED'] } } });
        for (const inv of open) await invitationCommand(() => invitations.revoke(inv.workflowId, inv.id, { userId: actor.userId }));
        await db.$transaction(async (tx) => {
          const members = await tx.businessPartner.findMany({ where: { companyId: company.id } });
          const userIds = members.flatMap((m) => (m.userId ? [m.userId] : []));
          // BP-3: what they were shown goes with them, unless they are also a partner through another company of the organization.
          const stillPartners = await tx.businessPartner.findMany({ where: { userId: { in: userIds }, companyId: { not: company.id }, company: { organizationId: company.organizationId } }, select: { userId: true } });
          const leaving = userIds.filter((u) => !stillPartners.some((s) => s.userId === u));
          await tx.taskGrant.deleteMany({ where: { userId: { in: leaving }, task: { organizationId: company.organizationId } } });
          await tx.businessPartnerCompany.delete({ where: { id: company.id } });
          await recordEvent(tx, 'partneraccess.business-partner.company-deleted.v1', {
            aggregateId: company.id,
            data: { companyId: company.id, organizationId: company.organizationId, ownerUserId: company.ownerUserId, people, actorUserId: actor.userId },
          });
        });
        return { status: 200, body: { deleted: true as const, people } };
      },
    }),
  ];
}
