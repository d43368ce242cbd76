// PS-2 over HTTP: a partner firm's Practice Staff and the invitations to join it. Who may open it
// is decided in one place (domain/practice-staff.ts): Account Owners, Account Managers and User
// Managers; only the Account Owner offers a role above staff (PS-3).
import { z } from 'zod';
import type { Database } from '../../platform/database';
import { PracticeStaff } from '../../domain/practice-staff';
import { PartnerFirmId } from '../../domain/messages/values/identifiers';
import {
  ChangePracticeRoleV1,
  GrantOrganizationAccessV1,
  InvitePracticeStaffV1,
  InviteToCertificationV1,
  OffboardPracticeStaffV1,
} from '../../domain/messages/commands/practice-staff.v1';
import { OrganizationId, UserId } from '../../domain/messages/values/identifiers';
import { CERTIFICATION_PROGRAM } from '../../domain/certificate';
import { offerOf } from '../../domain/messages/values/invitation-offer';
import type { OffboardingClient } from '../../workflows/offboarding/client';
import type { Mailer } from '../../platform/mail';
import { InvitationV1 } from '../../domain/messages/queries/invitation.v1';
import type { InvitationsClient } from '../../workflows/invitation/client';
import { invitationCommand, loadInvitation, toInvitationV1 } from './invitations';
import { onFirm, route } from '../routes';
import { Problem } from '../problem';
import { workflowCommand } from '../workflow-command';

const FirmPath = z.strictObject({ partnerFirmId: PartnerFirmId });
const PracticeRole = z.enum(['ACCOUNT_OWNER', 'ACCOUNT_MANAGER', 'USER_MANAGER', 'STAFF']);
const StaffEntryV1 = z
  .object({
    userId: z.uuid().nullable(),
    email: z.string(),
    name: z.string(),
    role: PracticeRole,
    /** ACTIVE: on the staff. INVITED, EXPIRED, DECLINED: an invitation's state (PS-2). */
    status: z.enum(['ACTIVE', 'INVITED', 'EXPIRED', 'DECLINED']),
    invitation: InvitationV1.nullable(),
  })
  .meta({ id: 'PracticeStaffEntryV1' });

const StaffUserPath = z.strictObject({ partnerFirmId: PartnerFirmId, userId: UserId });
const OrgRole = z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'MEMBER']);
const OrganizationAccessV1 = z
  .object({
    organizationId: OrganizationId,
    organizationName: z.string(),
    /** ACTIVE: a membership; PENDING or EXPIRED: an invitation waiting for the user. */
    status: z.enum(['ACTIVE', 'PENDING', 'EXPIRED']),
    role: OrgRole,
    invitation: InvitationV1.nullable(),
  })
  .meta({ id: 'OrganizationAccessV1' });
const OffboardingV1 = z
  .object({
    offboardingId: z.uuid(),
    state: z.enum(['RUNNING', 'COMPLETED', 'REFUSED']),
    userId: UserId,
    replacementUserId: UserId,
    total: z.number().int(),
    done: z.number().int(),
    reason: z.string(),
  })
  .meta({ id: 'OffboardingV1' });
const CertificationStatusV1 = z
  .object({
    userId: UserId,
    name: z.string(),
    status: z.enum(['CERTIFIED', 'INVITED', 'NOT_CERTIFIED']),
    certifiedAt: z.iso.datetime().nullable(),
    invitedAt: z.iso.datetime().nullable(),
    certificateId: z.uuid().nullable(),
  })
  .meta({ id: 'CertificationStatusV1' });

const OPENERS_ONLY = 'Only Account Owners, Account Managers and User Managers open Practice Staff.';
const OWNER_ONLY = 'Only the Account Owner changes roles, removes users and offboards them.';
const ClientV1 = z
  .object({
    organizationId: OrganizationId,
    name: z.string(),
    clientRelationshipId: z.uuid(),
    /** The highest organization role the firm may hand its staff there. */
    roleCeiling: z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'MEMBER']),
    expiresAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'PartnerFirmClientV1' });

export interface PracticeStaffDeps {
  db: Database;
  invitations: InvitationsClient;
  offboarding: OffboardingClient;
  mailer: Mailer;
}

export function practiceStaffRoutes({ db, invitations, offboarding, mailer }: PracticeStaffDeps) {
  const tags = ['practice staff'];
  const practice = new PracticeStaff({ db, invitations, mailer });
  /** The use case's refusals and the invitation workflow's outcomes, as problems. */
  const run = invitationCommand;
  const opener = onFirm('openPracticeStaff', OPENERS_ONLY);
  const offboardingView = (o: {
    id: string;
    state: 'RUNNING' | 'COMPLETED' | 'REFUSED';
    userId: string;
    replacementUserId: string;
    total: number;
    done: number;
    reason: string;
  }) => ({
    offboardingId: o.id,
    state: o.state,
    userId: o.userId,
    replacementUserId: o.replacementUserId,
    total: o.total,
    done: o.done,
    reason: o.reason,
  });

  return [
    route({
      method: 'get',
      path: '/partner-firms/:partnerFirmId/staff',
      summary: 'PS-1, PS-2: the Practice Staff and everyone invited, with their status',
      tags,
      auth: true,
      params: FirmPath,
      responses: {
        200: {
          description: 'Practice Staff',
          schema: z.object({ items: z.array(StaffEntryV1) }).meta({ id: 'PracticeStaffListV1' }),
        },
      },
      problems: ['forbidden', 'not-found'],
      authorize: opener,
      handler: async ({ params }) => {
        const { members, invites } = await practice.staffList(params.partnerFirmId);
        const status = { PENDING: 'INVITED', EXPIRED: 'EXPIRED', REJECTED: 'DECLINED' } as const;
        const items = [
          ...members.map((m) => ({
            userId: m.userId,
            email: m.user.email,
            name: m.user.displayName,
            role: m.role,
            status: 'ACTIVE' as const,
            invitation: null,
          })),
          ...invites.map((i) => ({
            userId: null,
            email: i.email,
            name: `${i.firstName} ${i.lastName}`,
            role: offerOf('PRACTICE_STAFF', i.offer).role,
            status: status[i.state as keyof typeof status],
            invitation: toInvitationV1(i),
          })),
        ];
        return { status: 200, body: { items } };
      },
    }),
    route({
      method: 'post',
      path: '/partner-firms/:partnerFirmId/staff/invitations',
      summary: 'PS-2: invite someone to the Practice Staff (reinvite with POST /invitations/{id}/resend)',
      tags,
      auth: true,
      params: FirmPath,
      body: InvitePracticeStaffV1,
      responses: {
        201: {
          description: 'Invitation sent',
          schema: z
            .object({ confirmation: z.string(), invitation: InvitationV1 })
            .meta({ id: 'PracticeStaffInvitedV1' }),
        },
      },
      problems: ['validation-failed', 'forbidden', 'conflict', 'not-ready'],
      // PS-3: only the Account Owner offers a role above staff.
      authorize: ({ params, body }) =>
        body.role === 'STAFF'
          ? opener({ params })
          : onFirm(
              'offerRoleAboveStaff',
              'Only the Account Owner offers a role above staff; invite as STAFF.',
            )({ params }),
      handler: async ({ actor, params, body }) => {
        const { view } = await invitationCommand(() =>
          invitations.open({
            kind: 'PRACTICE_STAFF',
            scopeId: params.partnerFirmId,
            invitee: { email: body.email, firstName: body.firstName, lastName: body.lastName },
            invitedByUserId: actor.userId,
            offer: { role: body.role },
          }),
        );
        if (view.refused) throw new Problem('conflict', view.refused.message);
        const row = (await loadInvitation(db, view.invitationId))!;
        return {
          status: 201,
          body: { confirmation: `Invitation sent to ${row.email}.`, invitation: toInvitationV1(row) },
        };
      },
    }),
    route({
      method: 'put',
      path: '/partner-firms/:partnerFirmId/staff/:userId/role',
      summary: "PS-3: change a user's practice role (Account Owner only)",
      tags,
      auth: true,
      params: StaffUserPath,
      body: ChangePracticeRoleV1,
      responses: {
        200: {
          description: 'Changed',
          schema: z.object({ userId: UserId, role: PracticeRole }).meta({ id: 'PracticeRoleV1' }),
        },
      },
      problems: ['forbidden', 'not-found', 'conflict'],
      authorize: onFirm('changePracticeRole', OWNER_ONLY),
      handler: async ({ actor, params, body }) => {
        await run(() => practice.changeRole(actor.userId, params.partnerFirmId, params.userId, body.role));
        return { status: 200, body: { userId: params.userId, role: body.role } };
      },
    }),
    route({
      method: 'delete',
      path: '/partner-firms/:partnerFirmId/staff/:userId',
      summary:
        'PS-3: remove a user from the Practice Staff (Account Owner only); ' +
        'someone who still holds access this firm delegated is offboarded instead',
      tags,
      auth: true,
      params: StaffUserPath,
      responses: { 204: { description: 'Removed' } },
      problems: ['forbidden', 'not-found', 'conflict'],
      authorize: onFirm('removePracticeStaff', OWNER_ONLY),
      handler: async ({ actor, params }) => {
        await run(() => practice.remove(actor.userId, params.partnerFirmId, params.userId));
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: '/partner-firms/:partnerFirmId/clients',
      summary:
        "PS-4, AM-2: the firm's client organizations now (approved relationships in force), with ceiling and end date",
      tags,
      auth: true,
      params: FirmPath,
      responses: {
        200: {
          description: 'Client organizations',
          schema: z.object({ items: z.array(ClientV1) }).meta({ id: 'PartnerFirmClientsV1' }),
        },
      },
      problems: ['forbidden'],
      authorize: opener,
      handler: async ({ params }) => {
        const items = (await practice.clients(params.partnerFirmId)).map((c) => ({
          organizationId: c.organizationId,
          name: c.organization.name,
          clientRelationshipId: c.id,
          roleCeiling: c.roleCeiling,
          expiresAt: c.expiresAt?.toISOString() ?? null,
        }));
        return { status: 200, body: { items } };
      },
    }),
    route({
      method: 'get',
      path: '/partner-firms/:partnerFirmId/staff/:userId/organization-access',
      summary: "PS-4: a staff user's access to the firm's client organizations, pending and active",
      tags,
      auth: true,
      params: StaffUserPath,
      responses: {
        200: {
          description: 'Per organization',
          schema: z.object({ items: z.array(OrganizationAccessV1) }).meta({ id: 'OrganizationAccessListV1' }),
        },
      },
      problems: ['forbidden', 'not-found'],
      authorize: opener,
      handler: async ({ params }) => {
        const { memberships, invitations: offers } = await run(() =>
          practice.delegatedTo(params.partnerFirmId, params.userId),
        );
        const names = await db.organization.findMany({
          where: { id: { in: offers.map((i) => i.scopeId) } },
          select: { id: true, name: true },
        });
        const name = (id: string) => names.find((o) => o.id === id)?.name ?? '';
        const items = [
          ...memberships.map((m) => ({
            organizationId: m.organizationId,
            organizationName: m.organization.name,
            status: 'ACTIVE' as const,
            role: m.role,
            invitation: null,
          })),
          ...offers
            .filter((i) => !memberships.some((m) => m.organizationId === i.scopeId))
            .map((i) => ({
              organizationId: i.scopeId,
              organizationName: name(i.scopeId),
              status: i.state as 'PENDING' | 'EXPIRED',
              role: offerOf('ORGANIZATION_ACCESS', i.offer).role,
              invitation: toInvitationV1(i),
            })),
        ].sort((a, b) => a.organizationName.localeCompare(b.organizationName));
        return { status: 200, body: { items } };
      },
    }),
    route({
      method: 'post',
      path: '/partner-firms/:partnerFirmId/staff/:userId/organization-access',
      summary:
        'PS-4, AM-2: offer a staff user access to client organizations, ' +
        "each with a role within the relationship's ceiling: " +
        'one invitation per organization, which the user accepts',
      tags,
      auth: true,
      params: StaffUserPath,
      body: GrantOrganizationAccessV1,
      responses: {
        201: {
          description: 'Invitations sent',
          schema: z.object({ items: z.array(InvitationV1) }).meta({ id: 'OrganizationAccessInvitedV1' }),
        },
      },
      problems: ['forbidden', 'not-found', 'conflict', 'unprocessable', 'not-ready'],
      // Each organization is decided again by the use case: under its relationship, for this invitee.
      authorize: opener,
      handler: async ({ actor, params, body }) => {
        const opened = await run(() =>
          practice.offerOrganizationAccess(actor.userId, params.partnerFirmId, params.userId, body.organizations),
        );
        const items = [];
        for (const { view } of opened) {
          if (view.refused) throw new Problem('conflict', view.refused.message);
          items.push(toInvitationV1((await loadInvitation(db, view.invitationId))!));
        }
        return { status: 201, body: { items } };
      },
    }),
    route({
      method: 'post',
      path: '/partner-firms/:partnerFirmId/offboardings',
      summary:
        'PS-5: offboard a user from every organization this firm delegated, ' +
        'handing what they hold to a replacement (Account Owner only)',
      tags,
      auth: true,
      params: FirmPath,
      body: OffboardPracticeStaffV1,
      responses: { 202: { description: 'Started; follow its progress', schema: OffboardingV1 } },
      problems: ['forbidden', 'unprocessable', 'not-ready'],
      authorize: onFirm('offboardPracticeStaff', OWNER_ONLY),
      handler: async ({ actor, params, body }) => {
        // Refused here, before anything starts or changes; the workflow checks again as the authority.
        const problem = await practice.replacementProblem(params.partnerFirmId, body.userId, body.replacementUserId);
        if (problem) throw new Problem('unprocessable', problem);
        const { progress } = await workflowCommand(
          () =>
            offboarding.start({
              partnerFirmId: params.partnerFirmId,
              leavingUserId: body.userId,
              replacementUserId: body.replacementUserId,
              requestedByUserId: actor.userId,
            }),
          { subject: 'the staff list', refusals: {} },
        );
        const row = await db.offboarding.findUnique({ where: { id: progress.offboardingId } });
        if (!row || row.state === 'REFUSED') throw new Problem('unprocessable', row?.reason ?? progress.reason);
        return {
          status: 202,
          headers: { location: `/partner-firms/${params.partnerFirmId}/offboardings/${row.id}` },
          body: offboardingView(row),
        };
      },
    }),
    route({
      method: 'get',
      path: '/partner-firms/:partnerFirmId/offboardings/:offboardingId',
      summary: 'PS-5: where an offboarding stands (n of m organizations done)',
      tags,
      auth: true,
      params: z.strictObject({ partnerFirmId: PartnerFirmId, offboardingId: z.uuid() }),
      responses: { 200: { description: 'Progress', schema: OffboardingV1 } },
      problems: ['forbidden', 'not-found'],
      authorize: opener,
      handler: async ({ params }) => {
        const row = await db.offboarding.findUnique({ where: { id: params.offboardingId } });
        if (!row || row.partnerFirmId !== params.partnerFirmId)
          throw new Problem('not-found', 'No such offboarding.');
        return { status: 200, body: offboardingView(row) };
      },
    }),
    route({
      method: 'get',
      path: '/partner-firms/:partnerFirmId/certifications',
      summary: "PS-6: each staff user's certification status and date",
      tags,
      auth: true,
      params: FirmPath,
      responses: {
        200: {
          description: 'Per user',
          schema: z
            .object({ program: z.string(), items: z.array(CertificationStatusV1) })
            .meta({ id: 'CertificationListV1' }),
        },
      },
      problems: ['forbidden'],
      authorize: opener,
      handler: async ({ params }) => ({
        status: 200,
        body: { program: CERTIFICATION_PROGRAM, items: await practice.certifications(params.partnerFirmId) },
      }),
    }),
    route({
      method: 'post',
      path: '/partner-firms/:partnerFirmId/certifications/invitations',
      summary: 'PS-6: invite staff users who are not certified to the certification (an email each)',
      tags,
      auth: true,
      params: FirmPath,
      body: InviteToCertificationV1,
      responses: {
        200: {
          description: 'Who was invited, who was skipped and why',
          schema: z
            .object({
              items: z.array(z.object({ userId: UserId, outcome: z.enum(['invited', 'already-certified']) })),
            })
            .meta({ id: 'CertificationInvitedListV1' }),
        },
      },
      problems: ['forbidden', 'not-found'],
      authorize: onFirm('inviteToCertification', OPENERS_ONLY),
      handler: async ({ actor, params, body }) => ({
        status: 200,
        body: {
          items: await run(() => practice.inviteToCertification(actor.userId, params.partnerFirmId, body.userIds)),
        },
      }),
    }),
    route({
      method: 'get',
      path: '/partner-firms/:partnerFirmId/staff/:userId/certificate',
      summary: "PS-6: download a certified user's certificate (a PDF generated on request)",
      tags,
      auth: true,
      params: StaffUserPath,
      responses: {
        200: {
          description: 'The certificate',
          schema: z.string().meta({ format: 'binary' }),
          contentType: 'application/pdf',
        },
      },
      problems: ['forbidden', 'not-found', 'conflict'],
      // The managers who open Practice Staff, and the certified user themself.
      authorize: ({ params }) => ({
        action: 'downloadCertificate',
        resource: { type: 'PartnerFirm', id: params.partnerFirmId },
        contextUsers: { subject: params.userId },
        denial: OPENERS_ONLY,
      }),
      handler: async ({ params }) => {
        const { certificateId, pdf } = await run(() => practice.certificate(params.partnerFirmId, params.userId));
        return {
          status: 200,
          headers: {
            'content-type': 'application/pdf',
            'content-disposition': `attachment; filename="certificate-${certificateId}.pdf"`,
          },
          body: pdf,
        };
      },
    }),
  ];
}
