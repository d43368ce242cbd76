// The ticket kinds the engine handles. Each workflow registers its kinds here; a kind not listed
// is refused.
import { z } from 'zod';
import { OrganizationId } from '../../domain/messages/values/identifiers';
import { RequestThirdPartyAccessV1 } from '../../domain/messages/commands/request-third-party-access.v1';
import type { ThirdPartyAccessClient } from '../../workflows/third-party-access/client';
import { TicketKinds } from './support-tickets';

export interface TicketKindDeps {
  thirdPartyAccess: ThirdPartyAccessClient;
}

/** TPU-2 by ticket: an org contact asked support to add a third party. */
export const TpuRequestTicketV1 = RequestThirdPartyAccessV1.extend({ organizationId: OrganizationId }).meta({ id: 'TpuRequestTicketV1' });

export function createTicketKinds(deps: TicketKindDeps): TicketKinds {
  return new TicketKinds().register({
    kind: 'tpu-request',
    summary: 'Request third-party access for someone from another firm (TPU-2)',
    payload: TpuRequestTicketV1,
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
  });
}
