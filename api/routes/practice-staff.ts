// PS-2 over HTTP: a partner firm's Practice Staff and the invitations to join it. Who may open it
// is decided in one place (domain/practice-staff.ts): Account Owners, Account Managers and User
// Managers; only the Account Owner offers a role above staff (PS-3).
import { z } from 'zod';
import type { Database } from '../../platform/database';
import type { Actor } from '../../domain/actor';
import { changesPracticeRoles, opensPracticeStaff } from '../../domain/practice-staff';
import { PartnerFirmId } from '../../domain/messages/values/identifiers';
import { InvitePracticeStaffV1 } from '../../domain/messages/commands/practice-staff.v1';
import { InvitationV1 } from '../../domain/messages/queries/invitation.v1';
import type { InvitationsClient } from '../../workflows/invitation/client';
import { invitationCommand, toInvitationV1 } from './invitations';
import { route } from '../routes';
import { Problem } from '../problem';

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

export function practiceRoleOf(actor: Actor, partnerFirmId: string) {
  return actor.practiceRoles.find((r) => r.partnerFirmId === partnerFirmId)?.role ?? null;
}

export function requirePracticeStaffOpener(actor: Actor, partnerFirmId: string): void {
  if (!opensPracticeStaff(practiceRoleOf(actor, partnerFirmId))) {
    throw new Problem('forbidden', 'Only Account Owners, Account Managers and User Managers open Practice Staff.');
  }
}

export function practiceStaffRoutes(db: Database, invitations: InvitationsClient) {
  const tags = ['practice staff'];
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
        const row = (await db.invitation.findUnique({ where: { id: view.invitationId }, include: { sends: true } }))!;
        return { status: 201, body: { confirmation: `Invitation sent to ${row.email}.`, invitation: toInvitationV1(row) } };
      },
    }),
  ];
}
