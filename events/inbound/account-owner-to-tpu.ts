// TPU-5: a partner the CRM lists as an organization's Account Owner becomes a third-party user
// directly (listed, access off; no support step). When the CRM later says they no longer are, a
// relationship that came from the CRM is removed; one the organization requested stays.
import type { ThirdPartyAccessClient } from '../../workflows/third-party-access/client';
import type { OnAccountOwnerChange } from './crm-account-owners';

export function accountOwnerToThirdPartyAccess(tpu: ThirdPartyAccessClient): OnAccountOwnerChange {
  return async (change) => {
    // An organization this engine does not know yet: the news is kept (CrmAccountOwnerStatus) and
    // applies when the organization appears (domain/kept-crm-news.ts).
    if (!change.organizationId) return;
    await tpu.crmAccountOwner(
      {
        organizationId: change.organizationId,
        thirdParty: { name: change.partner.name, firmName: change.partner.firmName, email: change.partner.email },
        origin: 'CRM',
        requestedByUserId: null,
        ticketId: null,
      },
      change.isAccountOwner,
    );
  };
}
