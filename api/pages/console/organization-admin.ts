// The org admin's pages (TPU-4, AM-1): the organization's third-party users, each with its state, its
// reason and an on/off toggle. Every read and every action is an API route called in process, so the
// decision point decides here exactly as it does for the API.
import { html, when, words } from '../html';
import { actionButton, table } from '../layout';
import type { ConsoleKit } from '../console';
import type { ThirdPartyAccessV1 } from '../../../domain/messages/queries/third-party-access.v1';

export function organizationAdminPages(kit: ConsoleKit): void {
  const base = (organizationId: string) => `/console/organizations/${organizationId}`;

  kit.view('/console/organizations/:organizationId', async ({ req, call, csrf }) => {
    const { organizationId } = req.params as { organizationId: string };
    const organization = await call<{ name: string }>('GET /organizations/:organizationId', { params: { organizationId } });
    const { items } = await call<{ items: ThirdPartyAccessV1[] }>('GET /organizations/:organizationId/third-party-users', {
      params: { organizationId },
    });
    const toggle = (tpu: ThirdPartyAccessV1) => {
      const action = `${base(organizationId)}/third-party-users/${tpu.relationshipId}/access`;
      if (tpu.state === 'ACCESS_ON') return actionButton(action, csrf, `Turn off access for ${tpu.thirdPartyName}`, { hidden: { access: 'off' } });
      if (tpu.state === 'LISTED') return actionButton(action, csrf, `Turn on access for ${tpu.thirdPartyName}`, { hidden: { access: 'on' } });
      return '—';
    };
    return {
      title: `${organization.name}: third-party users`,
      body: html`${table(
        'Third-party users',
        ['Name', 'Firm', 'State', 'Why', 'Access ends', 'Access'],
        items.map((tpu) => [tpu.thirdPartyName, tpu.firmName, words(tpu.state), tpu.reason, when(tpu.accessEndsAt), toggle(tpu)]),
      )}`,
    };
  });

  kit.action(
    '/console/organizations/:organizationId/third-party-users/:relationshipId/access',
    (req) => base(String(req.params.organizationId)),
    async ({ req, call }) => {
      const { organizationId, relationshipId } = req.params as { organizationId: string; relationshipId: string };
      const access = req.body.access === 'on' ? 'on' : 'off';
      const after = await call<ThirdPartyAccessV1>('PUT /organizations/:organizationId/third-party-users/:relationshipId/access', {
        params: { organizationId, relationshipId },
        body: { access },
      });
      return { to: base(organizationId), done: `Access for ${after.thirdPartyName} is ${access}.` };
    },
  );
}
