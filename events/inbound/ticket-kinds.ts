// The ticket kinds the engine handles. Each workflow registers its kinds here; a kind not listed
// is refused.
import { z } from 'zod';
import { OrganizationId } from '../../domain/messages/values/identifiers';
import { RequestThirdPartyAccessV1 } from '../../domain/messages/commands/request-third-party-access.v1';
import { FreePortalEmailV1 } from '../../domain/messages/commands/partner-portal.v1';
import { CustomerAccessModelV1 } from '../../domain/messages/events/customer-accounts.v1';
import { NO_SUCH_PORTAL_EMAIL } from '../../domain/partner-portal';
import type { ThirdPartyAccessClient } from '../../workflows/third-party-access/client';
import type { AccessModelChangesClient } from '../../workflows/access-model-change/client';
import type { DuplicateEmailFixesClient } from '../../workflows/duplicate-email-fix/client';
import { ACCESS_MODEL_CHANGE_KIND } from '../../workflows/access-model-change/messages';
import { DUPLICATE_EMAIL_FIX_KIND } from '../../workflows/duplicate-email-fix/messages';
import { TicketKinds } from './support-tickets';

/** Why a tpu-request ticket naming an unknown organization is refused at intake (422, dead letter). */
export const NO_SUCH_ORGANIZATION = 'No organization has this id: there is nobody to add a third party to.';

export interface TicketKindDeps {
  thirdPartyAccess: ThirdPartyAccessClient;
  accessModelChanges: AccessModelChangesClient;
  duplicateEmailFixes: DuplicateEmailFixesClient;
}

/** TPU-2 by ticket: an org contact asked support to add a third party. */
export const TpuRequestTicketV1 = RequestThirdPartyAccessV1.extend({ organizationId: OrganizationId }).meta({
  id: 'TpuRequestTicketV1',
});

/** PA-4 by ticket: a customer asked support to change how its partner gets in (the only way it changes). */
export const AccessModelChangeTicketV1 = z
  .strictObject({
    organizationId: OrganizationId,
    accessModel: CustomerAccessModelV1,
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .meta({ id: 'AccessModelChangeTicketV1' });

export function createTicketKinds(deps: TicketKindDeps): TicketKinds {
  return new TicketKinds()
    .register({
      kind: 'tpu-request',
      summary: 'Request third-party access for someone from another firm (TPU-2)',
      payload: TpuRequestTicketV1,
      // Issue 12: a ticket for an organization the engine does not know used to start a workflow whose
      // first step failed every minute, for ever (the organization never appears by retrying).
      async refusal(tx, payload) {
        const found = await tx.organization.findUnique({
          where: { id: payload.organizationId },
          select: { id: true },
        });
        return found ? null : NO_SUCH_ORGANIZATION;
      },
      async dispatch({ ticketId, payload }: { ticketId: string; payload: z.infer<typeof TpuRequestTicketV1> }) {
        const { workflowId } = await deps.thirdPartyAccess.request({
          organizationId: payload.organizationId,
          thirdParty: { name: payload.thirdPartyName, firmName: payload.firmName, email: payload.email },
          origin: 'SUPPORT_TICKET',
          requestedByUserId: null,
          ticketId,
        });
        return { workflowId };
      },
    })
    .register({
      kind: ACCESS_MODEL_CHANGE_KIND,
      summary: "Change a customer account's access model: AUTOMATIC or INVITE_GUEST (PA-4)",
      payload: AccessModelChangeTicketV1,
      // Clearest at the door: a ticket for an organization that is no customer account is never started.
      async refusal(tx, payload) {
        const where = { organizationId: payload.organizationId };
        const found = await tx.customerAccount.findUnique({ where, select: { partnerFirmId: true } });
        return found ? null : 'No customer account has this organization id: there is no access model to change.';
      },
      dispatch: ({ ticketId, payload }) =>
        deps.accessModelChanges.start({
          ticketId,
          organizationId: payload.organizationId,
          accessModel: payload.accessModel,
          reason: payload.reason ?? null,
        }),
    })
    .register({
      kind: DUPLICATE_EMAIL_FIX_KIND,
      summary: 'Free a portal email registered by mistake, so the right account can register it (PP-2)',
      // What support's HTTP action takes: the email registered by mistake, and why.
      payload: FreePortalEmailV1,
      async refusal(tx, payload) {
        return (await tx.portalEmail.findUnique({ where: { email: payload.email } })) ? null : NO_SUCH_PORTAL_EMAIL;
      },
      dispatch: ({ ticketId, payload: { email, reason } }) =>
        deps.duplicateEmailFixes.start({ ticketId, email, reason }),
    });
}
