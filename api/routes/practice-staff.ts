// PS-2 over HTTP: a partner firm's Practice Staff and the invitations to join it. Who may open it
// is decided in one place (domain/practice-staff.ts): Account Owners, Account Managers and User
// Managers; only the Account Owner offers a role above staff (PS-3).
import { z } from 'zod';
import type { Database } from '../../platform/database';
import { practiceRoleOf, type Actor } from '../../domain/actor';
import { changesPracticeRoles, opensPracticeStaff } from '../../domain/practice-staff';
import { PartnerFirmId } from '../../domain/messages/values/identifiers';
import {
  ChangePracticeRoleV1,
  GrantOrganizationAccessV1,
  InvitePracticeStaffV1,
  InviteToCertificationV1,
  OffboardPracticeStaffV1,
} from '../../domain/messages/commands/practice-staff.v1';
import { OrganizationId, UserId } from '../../domain/messages/values/identifiers';
import { recordEvent } from '../../events/outbox';
import { replacementProblem } from '../../domain/offboarding';
import { CERTIFICATION_PROGRAM, renderCertificatePdf } from '../../domain/certificate';
import type { OffboardingClient } from '../../workflows/offboarding/client';
import type { Mailer } from '../../platform/mail';
import { InvitationV1 } from '../../domain/messages/queries/invitation.v1';
import type { InvitationsClient } from '../../workflows/invitation/client';
import { invitationCommand, loadInvitation, toInvitationV1 } from './invitations';
import { route } from '../routes';
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

export function requirePracticeStaffOpener(actor: Actor, partnerFirmId: string): void {
  if (!opensPracticeStaff(practiceRoleOf(actor, partnerFirmId))) {
    throw new Problem('forbidden', 'Only Account Owners, Account Managers and User Managers open Practice Staff.');
  }
}

export function requireAccountOwner(actor: Actor, partnerFirmId: string): void {
  requirePracticeStaffOpener(actor, partnerFirmId);
  if (!changesPracticeRoles(practiceRoleOf(actor, partnerFirmId))) throw new Problem('forbidden', 'Only the Account Owner changes roles, removes users and offboards them.');
}

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
  .object({ offboardingId: z.uuid(), state: z.enum(['RUNNING', 'COMPLETED', 'REFUSED']), userId: UserId, replacementUserId: UserId, total: z.number().int(), done: z.number().int(), reason: z.string() })
  .meta({ id: 'OffboardingV1' });
const CertificationStatusV1 = z
  .object({ userId: UserId, name: z.string(), status: z.enum(['CERTIFIED', 'INVITED', 'NOT_CERTIFIED']), certifiedAt: z.iso.datetime().nullable(), invitedAt: z.iso.datetime().nullable(), certificateId: z.uuid().nullable() })
  .meta({ id: 'CertificationStatusV1' });

export interface PracticeStaffDeps {
  db: Database;
  invitations: InvitationsClient;
  offboarding: OffboardingClient;
  mailer: Mailer;
}

export function practiceStaffRoutes({ db, invitations, offboarding, mailer }: PracticeStaffDeps) {
  const tags = ['practice staff'];
  /** PS-4: the firm's client organizations (where its staff can be given access). */
  const clientOrganizationIds = async (partnerFirmId: string) =>
    (await db.partnerFirmClient.findMany({ where: { partnerFirmId }, select: { organizationId: true } })).map((c) => c.organizationId);
  const staffMember = async (partnerFirmId: string, userId: string) => {
    const m = await db.practiceStaffMember.findUnique({ where: { userId_partnerFirmId: { userId, partnerFirmId } }, include: { user: true } });
    if (!m) throw new Problem('not-found', 'No such user on this Practice Staff.');
    return m;
  };
  const offboardingView = (o: { id: string; state: 'RUNNING' | 'COMPLETED' | 'REFUSED'; userId: string; replacementUserId: string; total: number; done: number; reason: string }) => ({
    offboardingId: o.id, state: o.state, userId: o.userId, replacementUserId: o.replacementUserId, total: o.total, done: o.done, reason: o.reason,
  });

  return [
    route({
      method: 'get',
      path: '/partner-firms/:partnerFirmId/staff',
      summary: 'PS-1, PS-2: the Practice Staff and everyone invited, with their status',
      tags,
      auth: true,
      params: FirmPath,
      responses: { 200: { description: 'Practice Staff', schema: z.object({ items: z.array(StaffEntryV1) }).meta({ id: 'PracticeStaffListV1' }) } },
      problems: ['forbidden', 'not-found'],
      handler: async ({ actor, params }) => {
        requirePracticeStaffOpener(actor, params.partnerFirmId);
        const members = await db.practiceStaffMember.findMany({ where: { partnerFirmId: params.partnerFirmId }, include: { user: true }, orderBy: { createdAt: 'asc' } });
        const invites = await db.invitation.findMany({ where: { kind: 'PRACTICE_STAFF', scopeId: params.partnerFirmId, state: { in: ['PENDING', 'EXPIRED', 'REJECTED'] } }, include: { sends: true }, orderBy: { createdAt: 'asc' } });
        const status = { PENDING: 'INVITED', EXPIRED: 'EXPIRED', REJECTED: 'DECLINED' } as const;
        const items = [
          ...members.map((m) => ({ userId: m.userId, email: m.user.email, name: m.user.displayName, role: m.role, status: 'ACTIVE' as const, invitation: null })),
          ...invites
            .filter((i) => !members.some((m) => m.user.email.toLowerCase() === i.email.toLowerCase()))
            .map((i) => ({ userId: null, email: i.email, name: `${i.firstName} ${i.lastName}`, role: ((i.offer as { role?: string }).role ?? 'STAFF') as z.infer<typeof PracticeRole>, status: status[i.state as keyof typeof status], invitation: toInvitationV1(i) })),
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
      responses: { 201: { description: 'Invitation sent', schema: z.object({ confirmation: z.string(), invitation: InvitationV1 }).meta({ id: 'PracticeStaffInvitedV1' }) } },
      problems: ['validation-failed', 'forbidden', 'conflict', 'not-ready'],
      handler: async ({ actor, params, body }) => {
        requirePracticeStaffOpener(actor, params.partnerFirmId);
        if (body.role !== 'STAFF' && !changesPracticeRoles(practiceRoleOf(actor, params.partnerFirmId))) {
          throw new Problem('forbidden', 'Only the Account Owner offers a role above staff; invite as STAFF.');
        }
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
        return { status: 201, body: { confirmation: `Invitation sent to ${row.email}.`, invitation: toInvitationV1(row) } };
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
      responses: { 200: { description: 'Changed', schema: z.object({ userId: UserId, role: PracticeRole }).meta({ id: 'PracticeRoleV1' }) } },
      problems: ['forbidden', 'not-found', 'conflict'],
      handler: async ({ actor, params, body }) => {
        requireAccountOwner(actor, params.partnerFirmId);
        const m = await staffMember(params.partnerFirmId, params.userId);
        if (m.role === 'ACCOUNT_OWNER') throw new Problem('conflict', "The Account Owner's role is not changed here; hand the account over first.");
        if (m.role !== body.role) {
          await db.$transaction(async (tx) => {
            await tx.practiceStaffMember.update({ where: { id: m.id }, data: { role: body.role } });
            await recordEvent(tx, 'partneraccess.practice.role-changed.v1', { aggregateId: `${params.partnerFirmId}:${params.userId}`, data: { partnerFirmId: params.partnerFirmId, userId: params.userId, from: m.role, to: body.role, actorUserId: actor.userId } });
          });
        }
        return { status: 200, body: { userId: params.userId, role: body.role } };
      },
    }),
    route({
      method: 'delete',
      path: '/partner-firms/:partnerFirmId/staff/:userId',
      summary: 'PS-3: remove a user from the Practice Staff (Account Owner only); someone who still holds client access is offboarded instead',
      tags,
      auth: true,
      params: StaffUserPath,
      responses: { 204: { description: 'Removed' } },
      problems: ['forbidden', 'not-found', 'conflict'],
      handler: async ({ actor, params }) => {
        requireAccountOwner(actor, params.partnerFirmId);
        const m = await staffMember(params.partnerFirmId, params.userId);
        if (m.role === 'ACCOUNT_OWNER') throw new Problem('conflict', 'The Account Owner cannot be removed.');
        const holding = await db.membership.count({ where: { userId: params.userId, organizationId: { in: await clientOrganizationIds(params.partnerFirmId) } } });
        // Removing someone who still works in client organizations would strand what they hold.
        if (holding > 0) throw new Problem('conflict', `This user still has access to ${holding} client organization${holding === 1 ? '' : 's'}: offboard them with a replacement (POST /partner-firms/{id}/offboardings).`);
        await db.$transaction(async (tx) => {
          await tx.practiceStaffMember.delete({ where: { id: m.id } });
          await recordEvent(tx, 'partneraccess.practice.staff-removed.v1', { aggregateId: `${params.partnerFirmId}:${params.userId}`, data: { partnerFirmId: params.partnerFirmId, userId: params.userId, actorUserId: actor.userId, offboardingId: null } });
        });
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: '/partner-firms/:partnerFirmId/clients',
      summary: "PS-4: the firm's client organizations (where staff can be given access)",
      tags,
      auth: true,
      params: FirmPath,
      responses: { 200: { description: 'Client organizations', schema: z.object({ items: z.array(z.object({ organizationId: OrganizationId, name: z.string() })) }).meta({ id: 'PartnerFirmClientsV1' }) } },
      problems: ['forbidden'],
      handler: async ({ actor, params }) => {
        requirePracticeStaffOpener(actor, params.partnerFirmId);
        const orgs = await db.organization.findMany({ where: { id: { in: await clientOrganizationIds(params.partnerFirmId) } }, orderBy: { name: 'asc' } });
        return { status: 200, body: { items: orgs.map((o) => ({ organizationId: o.id, name: o.name })) } };
      },
    }),
    route({
      method: 'get',
      path: '/partner-firms/:partnerFirmId/staff/:userId/organization-access',
      summary: "PS-4: a staff user's access to the firm's client organizations, pending and active",
      tags,
      auth: true,
      params: StaffUserPath,
      responses: { 200: { description: 'Per organization', schema: z.object({ items: z.array(OrganizationAccessV1) }).meta({ id: 'OrganizationAccessListV1' }) } },
      problems: ['forbidden', 'not-found'],
      handler: async ({ actor, params }) => {
        requirePracticeStaffOpener(actor, params.partnerFirmId);
        const m = await staffMember(params.partnerFirmId, params.userId);
        const clients = await clientOrganizationIds(params.partnerFirmId);
        const [memberships, invites, orgs] = await Promise.all([
          db.membership.findMany({ where: { userId: m.userId, organizationId: { in: clients } } }),
          db.invitation.findMany({ where: { kind: 'ORGANIZATION_ACCESS', email: m.user.email, scopeId: { in: clients }, state: { in: ['PENDING', 'EXPIRED'] } }, include: { sends: true } }),
          db.organization.findMany({ where: { id: { in: clients } }, select: { id: true, name: true } }),
        ]);
        const name = (id: string) => orgs.find((o) => o.id === id)?.name ?? '';
        const items = [
          ...memberships.map((ms) => ({ organizationId: ms.organizationId, organizationName: name(ms.organizationId), status: 'ACTIVE' as const, role: ms.role, invitation: null })),
          ...invites
            .filter((i) => !memberships.some((ms) => ms.organizationId === i.scopeId))
            .map((i) => ({ organizationId: i.scopeId, organizationName: name(i.scopeId), status: i.state as 'PENDING' | 'EXPIRED', role: (i.offer as { role: z.infer<typeof OrgRole> }).role, invitation: toInvitationV1(i) })),
        ].sort((a, b) => a.organizationName.localeCompare(b.organizationName));
        return { status: 200, body: { items } };
      },
    }),
    route({
      method: 'post',
      path: '/partner-firms/:partnerFirmId/staff/:userId/organization-access',
      summary: 'PS-4: give a staff user access to client organizations, each with a role: one invitation per organization, which the user accepts',
      tags,
      auth: true,
      params: StaffUserPath,
      body: GrantOrganizationAccessV1,
      responses: { 201: { description: 'Invitations sent', schema: z.object({ items: z.array(InvitationV1) }).meta({ id: 'OrganizationAccessInvitedV1' }) } },
      problems: ['forbidden', 'not-found', 'unprocessable', 'not-ready'],
      handler: async ({ actor, params, body }) => {
        requirePracticeStaffOpener(actor, params.partnerFirmId);
        const m = await staffMember(params.partnerFirmId, params.userId);
        const clients = new Set(await clientOrganizationIds(params.partnerFirmId));
        const foreign = body.organizations.filter((o) => !clients.has(o.organizationId));
        if (foreign.length > 0) throw new Problem('unprocessable', `Not a client organization of this firm: ${foreign.map((o) => o.organizationId).join(', ')}.`);
        const [first, ...rest] = m.user.displayName.split(' ');
        const items = [];
        for (const o of body.organizations) {
          const { view } = await invitationCommand(() =>
            invitations.open({
              kind: 'ORGANIZATION_ACCESS',
              scopeId: o.organizationId,
              invitee: { email: m.user.email, firstName: first || m.user.displayName, lastName: rest.join(' ') || '-' },
              invitedByUserId: actor.userId,
              offer: { role: o.role, partnerFirmId: params.partnerFirmId },
            }),
          );
          if (view.refused) throw new Problem('conflict', `${view.refused.message} (${o.organizationId})`);
          items.push(toInvitationV1((await loadInvitation(db, view.invitationId))!));
        }
        return { status: 201, body: { items } };
      },
    }),
    route({
      method: 'post',
      path: '/partner-firms/:partnerFirmId/offboardings',
      summary: 'PS-5: offboard a user from every organization, handing what they hold to a replacement (Account Owner only)',
      tags,
      auth: true,
      params: FirmPath,
      body: OffboardPracticeStaffV1,
      responses: { 202: { description: 'Started; follow its progress', schema: OffboardingV1 } },
      problems: ['forbidden', 'unprocessable', 'not-ready'],
      handler: async ({ actor, params, body }) => {
        requireAccountOwner(actor, params.partnerFirmId);
        // Refused here, before anything starts or changes; the workflow checks again as the authority.
        const problem = await replacementProblem(db, params.partnerFirmId, body.userId, body.replacementUserId);
        if (problem) throw new Problem('unprocessable', problem);
        const { progress } = await workflowCommand(
          () => offboarding.start({ partnerFirmId: params.partnerFirmId, leavingUserId: body.userId, replacementUserId: body.replacementUserId, requestedByUserId: actor.userId }),
          { subject: 'the staff list', refusals: {} },
        );
        const row = await db.offboarding.findUnique({ where: { id: progress.offboardingId } });
        if (!row || row.state === 'REFUSED') throw new Problem('unprocessable', row?.reason ?? progress.reason);
        return { status: 202, headers: { location: `/partner-firms/${params.partnerFirmId}/offboardings/${row.id}` }, body: offboardingView(row) };
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
      handler: async ({ actor, params }) => {
        requirePracticeStaffOpener(actor, params.partnerFirmId);
        const row = await db.offboarding.findUnique({ where: { id: params.offboardingId } });
        if (!row || row.partnerFirmId !== params.partnerFirmId) throw new Problem('not-found', 'No such offboarding.');
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
      responses: { 200: { description: 'Per user', schema: z.object({ program: z.string(), items: z.array(CertificationStatusV1) }).meta({ id: 'CertificationListV1' }) } },
      problems: ['forbidden'],
      handler: async ({ actor, params }) => {
        requirePracticeStaffOpener(actor, params.partnerFirmId);
        const staff = await db.practiceStaffMember.findMany({ where: { partnerFirmId: params.partnerFirmId }, include: { user: true }, orderBy: { createdAt: 'asc' } });
        const ids = staff.map((s) => s.userId);
        const [certs, invites] = await Promise.all([
          db.certification.findMany({ where: { userId: { in: ids } } }),
          db.certificationInvite.findMany({ where: { userId: { in: ids }, partnerFirmId: params.partnerFirmId } }),
        ]);
        const items = staff.map((s) => {
          const cert = certs.find((c) => c.userId === s.userId);
          const invite = invites.find((i) => i.userId === s.userId);
          return {
            userId: s.userId,
            name: s.user.displayName,
            status: cert ? ('CERTIFIED' as const) : invite ? ('INVITED' as const) : ('NOT_CERTIFIED' as const),
            certifiedAt: cert?.certifiedAt.toISOString() ?? null,
            invitedAt: invite?.sentAt.toISOString() ?? null,
            certificateId: cert?.id ?? null,
          };
        });
        return { status: 200, body: { program: CERTIFICATION_PROGRAM, items } };
      },
    }),
    route({
      method: 'post',
      path: '/partner-firms/:partnerFirmId/certifications/invitations',
      summary: 'PS-6: invite staff users who are not certified to the certification (an email each)',
      tags,
      auth: true,
      params: FirmPath,
      body: InviteToCertificationV1,
      responses: { 200: { description: 'Who was invited, who was skipped and why', schema: z.object({ items: z.array(z.object({ userId: UserId, outcome: z.enum(['invited', 'already-certified']) })) }).meta({ id: 'CertificationInvitedListV1' }) } },
      problems: ['forbidden', 'not-found'],
      handler: async ({ actor, params, body }) => {
        requirePracticeStaffOpener(actor, params.partnerFirmId);
        const items: Array<{ userId: string; outcome: 'invited' | 'already-certified' }> = [];
        for (const userId of body.userIds) {
          const m = await staffMember(params.partnerFirmId, userId);
          if (await db.certification.findUnique({ where: { userId } })) {
            items.push({ userId, outcome: 'already-certified' });
            continue;
          }
          await db.$transaction(async (tx) => {
            const data = { userId, partnerFirmId: params.partnerFirmId, invitedById: actor.userId, sentAt: new Date() };
            await tx.certificationInvite.upsert({ where: { userId_partnerFirmId: { userId, partnerFirmId: params.partnerFirmId } }, create: data, update: data });
            await recordEvent(tx, 'partneraccess.practice.certification-invited.v1', { aggregateId: `${params.partnerFirmId}:${userId}`, data: { partnerFirmId: params.partnerFirmId, userId, actorUserId: actor.userId } });
          });
          await mailer.send({
            to: m.user.email,
            subject: `You are invited to the ${CERTIFICATION_PROGRAM} certification`,
            text: `Hello ${m.user.displayName},\n\nYour practice invites you to take the ${CERTIFICATION_PROGRAM} certification. Once you pass, your certificate can be downloaded from Practice Staff.`,
          });
          items.push({ userId, outcome: 'invited' });
        }
        return { status: 200, body: { items } };
      },
    }),
    route({
      method: 'get',
      path: '/partner-firms/:partnerFirmId/staff/:userId/certificate',
      summary: "PS-6: download a certified user's certificate (a PDF generated on request)",
      tags,
      auth: true,
      params: StaffUserPath,
      responses: { 200: { description: 'The certificate', schema: z.string().meta({ format: 'binary' }), contentType: 'application/pdf' } },
      problems: ['forbidden', 'not-found', 'conflict'],
      handler: async ({ actor, params }) => {
        // The managers who open Practice Staff, and the certified user themself.
        if (actor.userId !== params.userId) requirePracticeStaffOpener(actor, params.partnerFirmId);
        const m = await staffMember(params.partnerFirmId, params.userId);
        const cert = await db.certification.findUnique({ where: { userId: params.userId } });
        if (!cert) throw new Problem('conflict', `${m.user.displayName} is not certified, so there is no certificate. Invite them to the certification first.`);
        const firm = await db.partnerFirm.findUniqueOrThrow({ where: { id: params.partnerFirmId } });
        const pdf = await renderCertificatePdf({ name: m.user.displayName, program: cert.program, certifiedAt: cert.certifiedAt, certificateId: cert.id, firmName: firm.name });
        return {
          status: 200,
          headers: { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="certificate-${cert.id}.pdf"` },
          body: pdf,
        };
      },
    }),
  ];
}
