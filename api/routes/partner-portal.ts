// PP-1..PP-4 over HTTP: portal admins add partners and partner users (each partner user gets an
// invitation to set a password); one email is one partner or partner user across the whole portal
// (the PortalEmail key decides); support frees a wrongly registered email, audited (the use case is
// domain/partner-portal.ts, which a duplicate-email-fix ticket runs too).
import { z } from 'zod';
import type { Database } from '../../platform/database';
import {
  AddPartnerUserV1,
  AddPortalPartnerV1,
  FreePortalEmailV1,
} from '../../domain/messages/commands/partner-portal.v1';
import { InvitationV1 } from '../../domain/messages/queries/invitation.v1';
import type { InvitationsClient } from '../../workflows/invitation/client';
import { describeDuration } from '../../domain/invitations';
import { addPortalPartner, invitePartnerUser, listPortalPartners, portalEmails } from '../../domain/partner-portal';
import { useCase } from '../workflow-command';
import { invitationCommand, loadInvitation, toInvitationV1 } from './invitations';
import { route } from '../routes';
import { Problem } from '../problem';

const PartnerPath = z.strictObject({ partnerId: z.uuid() });
const PortalPartnerV1 = z
  .object({
    partnerId: z.uuid(),
    name: z.string(),
    email: z.string(),
    users: z.array(
      z.object({
        partnerUserId: z.uuid(),
        firstName: z.string(),
        lastName: z.string(),
        email: z.string(),
        phone: z.string(),
        status: z.enum(['INVITED', 'ACTIVE']),
        invitation: InvitationV1.nullable(),
      }),
    ),
  })
  .meta({ id: 'PortalPartnerV1' });
const PortalPartnerListV1 = z
  .object({
    items: z.array(
      z.object({
        partnerId: z.uuid(),
        name: z.string(),
        email: z.string(),
        userCount: z.number().int().nonnegative(),
        invitedCount: z.number().int().nonnegative().describe('users who have not set a password yet'),
        addedAt: z.iso.datetime(),
      }),
    ),
  })
  .meta({ id: 'PortalPartnerListV1' });
const PartnerUserInvitedV1 = z
  .object({ confirmation: z.string(), partnerUserId: z.uuid(), invitation: InvitationV1 })
  .meta({ id: 'PartnerUserInvitedV1', description: 'PP-4: the confirmation the admin sees' });

const portalAdmins = () =>
  ({
    action: 'managePortalPartners',
    resource: { type: 'Portal' },
    denial: 'Only a portal admin or owner can do this.',
  }) as const;

export function partnerPortalRoutes(db: Database, invitations: InvitationsClient) {
  const tags = ['partner portal'];
  const emails = portalEmails({ db, invitations });
  const partnerView = async (partnerId: string) => {
    const portalPartner = await db.portalPartner.findUnique({
      where: { id: partnerId },
      include: { users: { orderBy: { createdAt: 'asc' } } },
    });
    if (!portalPartner) throw new Problem('not-found', 'No such partner.');
    const invites = await db.invitation.findMany({
      where: { kind: 'PORTAL_USER', scopeId: portalPartner.id },
      include: { sends: true },
      orderBy: { createdAt: 'desc' },
    });
    return {
      partnerId: portalPartner.id,
      name: portalPartner.name,
      email: portalPartner.email,
      users: portalPartner.users.map((u) => {
        const inv = invites.find((i) => i.targetId === u.id);
        return {
          partnerUserId: u.id,
          firstName: u.firstName,
          lastName: u.lastName,
          email: u.email,
          phone: u.phone,
          status: u.status,
          invitation: inv ? toInvitationV1(inv) : null,
        };
      }),
    };
  };

  return [
    route({
      method: 'post',
      path: '/portal/partners',
      summary: 'Add a partner to the portal (portal admins and owners)',
      tags,
      auth: true,
      body: AddPortalPartnerV1,
      responses: { 201: { description: 'Added', schema: PortalPartnerV1 } },
      problems: ['forbidden', 'duplicate-email'],
      authorize: portalAdmins,
      handler: async ({ body }) => {
        const partnerId = await useCase(() => addPortalPartner(db, body));
        return { status: 201, body: await partnerView(partnerId) };
      },
    }),
    route({
      method: 'get',
      path: '/portal/partners',
      summary: "PP-1: the portal's partners, by name, with how many users each has (portal admins and owners)",
      tags,
      auth: true,
      responses: { 200: { description: 'The partners', schema: PortalPartnerListV1 } },
      problems: ['forbidden'],
      authorize: portalAdmins,
      handler: async () => {
        const partners = await listPortalPartners(db);
        return { status: 200, body: { items: partners.map((p) => ({ ...p, addedAt: p.addedAt.toISOString() })) } };
      },
    }),
    route({
      method: 'get',
      path: '/portal/partners/:partnerId',
      summary: 'A partner with its users and their invitations (portal admins and owners)',
      tags,
      auth: true,
      params: PartnerPath,
      responses: { 200: { description: 'The partner', schema: PortalPartnerV1 } },
      problems: ['forbidden', 'not-found'],
      authorize: portalAdmins,
      handler: async ({ params }) => {
        return { status: 200, body: await partnerView(params.partnerId) };
      },
    }),
    route({
      method: 'post',
      path: '/portal/partners/:partnerId/users',
      summary: 'PP-1, PP-4: add a partner user on the partner’s behalf; they get an email to set their password',
      tags,
      auth: true,
      params: PartnerPath,
      body: AddPartnerUserV1,
      responses: { 201: { description: 'Invitation sent (the confirmation to show)', schema: PartnerUserInvitedV1 } },
      problems: ['validation-failed', 'forbidden', 'not-found', 'duplicate-email', 'not-ready'],
      authorize: portalAdmins,
      handler: async ({ actor, params, body }) => {
        const invitationId = await invitationCommand(() =>
          invitePartnerUser({ db, invitations }, actor.userId, { partnerId: params.partnerId, ...body }),
        );
        const row = (await loadInvitation(db, invitationId))!;
        // The invitation answers only once its first email is out, so the window runs from that send.
        // (Measured between two clocks a few ms apart: whole days, unless the window is shorter.)
        const seconds = (row.expiresAt.getTime() - row.lastSentAt!.getTime()) / 1000;
        const window = describeDuration(seconds >= 43200 ? Math.round(seconds / 86400) * 86400 : Math.round(seconds));
        return {
          status: 201,
          body: {
            confirmation:
              `Invitation sent to ${row.email}. ${row.firstName} has ${window} to set a password; ` +
              'after that they can ask for a password reset to get a new link.',
            partnerUserId: row.targetId!,
            invitation: toInvitationV1(row),
          },
        };
      },
    }),
    route({
      method: 'post',
      path: '/support/portal-emails/free',
      summary: 'PP-2 (support only): free a wrongly registered email so the right account can register; audited',
      tags,
      auth: true,
      body: FreePortalEmailV1,
      responses: {
        200: {
          description: 'Freed',
          schema: z
            .object({ freed: z.literal(true), auditEntryId: z.uuid() })
            .meta({ id: 'PortalEmailFreedV1Response' }),
        },
      },
      problems: ['forbidden', 'not-found', 'not-ready'],
      authorize: () => ({
        action: 'freePortalEmail',
        resource: { type: 'SupportDesk' },
        denial: 'Only support can free a registered email.',
      }),
      handler: async ({ actor, body }) => {
        const by = { userId: actor.userId };
        const { email, reason } = body;
        const { auditEntryId } = await invitationCommand(() => emails.free({ email, reason, by }));
        return { status: 200, body: { freed: true as const, auditEntryId } };
      },
    }),
  ];
}
