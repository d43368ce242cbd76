// Portal admins and owners (PP-1 … PP-4): the portal's partners, adding a partner; on a partner's page,
// adding a partner user on the partner's behalf with the confirmation sentence the API answers (PP-4),
// the partner's users, and its unanswered invitations with resend. Every read and every action is an API
// route called in process, so the decision point decides here exactly as it does for the API.
import { html, when, words, type Html } from '../html';
import { actionButton, field, form, table } from '../layout';
import type { ConsoleKit } from '../console';
import type { InvitationV1 } from '../../../domain/messages/queries/invitation.v1';

const PORTAL = '/console/portal';
const ONE_EMAIL = 'One email is one partner or partner user across the whole portal';
const PHONE_HINT = 'With the country code, e.g. +1 415 555 0132';
const partnerPage = (partnerId: string) => `${PORTAL}/partners/${partnerId}`;

interface PartnerSummary {
  partnerId: string;
  name: string;
  email: string;
  userCount: number;
  invitedCount: number;
  addedAt: string;
}
interface PartnerUser {
  partnerUserId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  status: 'INVITED' | 'ACTIVE';
}
interface Partner {
  partnerId: string;
  name: string;
  email: string;
  users: PartnerUser[];
}

const USER_STATUS: Record<PartnerUser['status'], string> = {
  INVITED: 'Invited: has not set a password yet',
  ACTIVE: 'Active',
};

/** An invitation still waiting for its answer: open, or expired but renewable by a resend. */
const unanswered = (i: InvitationV1) => i.state === 'PENDING' || i.state === 'EXPIRED';

export function portalPages(kit: ConsoleKit): void {
  kit.view(PORTAL, async ({ call, csrf }) => {
    const { items } = await call<{ items: PartnerSummary[] }>('GET /portal/partners');
    return {
      title: 'Partners in the portal',
      body: html`${table(
          'Partners',
          ['Partner', 'Email', 'Users', 'Not yet signed up', 'Added'],
          items.map((p) => [
            html`<a href="${partnerPage(p.partnerId)}">${p.name}</a>`,
            p.email,
            p.userCount,
            p.invitedCount,
            when(p.addedAt),
          ]),
        )}
        <h2>Add a partner</h2>
        ${form(
          `${PORTAL}/partners`,
          csrf,
          html`${field({ name: 'name', label: 'Partner name', required: true, autocomplete: 'organization' })}
            ${field({ name: 'email', label: "Partner's email", type: 'email', required: true, hint: ONE_EMAIL })}
            <button type="submit">Add the partner</button>`,
        )}`,
    };
  });

  kit.action(
    `${PORTAL}/partners`,
    () => PORTAL,
    async ({ req, call }) => {
      const added = await call<Partner>('POST /portal/partners', {
        body: { name: String(req.body.name ?? ''), email: String(req.body.email ?? '') },
      });
      return {
        to: partnerPage(added.partnerId),
        done: `${added.name} was added to the portal. Add its users below.`,
      };
    },
  );

  kit.view(`${PORTAL}/partners/:partnerId`, async ({ req, call, csrf }) => {
    const { partnerId } = req.params as { partnerId: string };
    const partner = await call<Partner>('GET /portal/partners/:partnerId', { params: { partnerId } });
    const { items } = await call<{ items: InvitationV1[] }>('GET /invitations', {
      query: { kind: 'PORTAL_USER', scopeId: partnerId },
    });
    const pending = items.filter(unanswered);
    const resend = (i: InvitationV1) =>
      actionButton(
        `${partnerPage(partnerId)}/invitations/${i.invitationId}/resend`,
        csrf,
        `Resend to ${i.firstName} ${i.lastName}`,
      );
    return {
      title: partner.name,
      body: html`<p><a href="${PORTAL}">All partners</a></p>
        <dl class="facts">
          <dt>Partner's email</dt>
          <dd>${partner.email}</dd>
        </dl>
        <h2>Add a partner user</h2>
        <p>They get an email with a link to set their password.</p>
        ${form(
          `${partnerPage(partnerId)}/users`,
          csrf,
          html`${field({ name: 'firstName', label: 'First name', required: true, autocomplete: 'off' })}
            ${field({ name: 'lastName', label: 'Last name', required: true, autocomplete: 'off' })}
            ${field({ name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'off' })}
            ${field({ name: 'phone', label: 'Phone', type: 'tel', required: true, hint: PHONE_HINT })}
            <button type="submit">Add the partner user</button>`,
        )}
        ${table(
          'Users',
          ['Name', 'Email', 'Phone', 'Status'],
          partner.users.map((u) => [`${u.firstName} ${u.lastName}`, u.email, u.phone, USER_STATUS[u.status]]),
        )}
        ${invitationTable(pending, resend)}`,
    };
  });

  kit.action(
    `${PORTAL}/partners/:partnerId/users`,
    (req) => partnerPage(String(req.params.partnerId)),
    async ({ req, call }) => {
      const { partnerId } = req.params as { partnerId: string };
      const { firstName, lastName, email, phone } = req.body as Record<string, string | undefined>;
      // The confirmation is the API's own sentence (PP-4): who, and how long the link lasts.
      const invited = await call<{ confirmation: string }>('POST /portal/partners/:partnerId/users', {
        params: { partnerId },
        body: { firstName: firstName ?? '', lastName: lastName ?? '', email: email ?? '', phone: phone ?? '' },
      });
      return { to: partnerPage(partnerId), done: invited.confirmation };
    },
  );

  kit.action(
    `${PORTAL}/partners/:partnerId/invitations/:invitationId/resend`,
    (req) => partnerPage(String(req.params.partnerId)),
    async ({ req, call }) => {
      const { partnerId, invitationId } = req.params as { partnerId: string; invitationId: string };
      const sent = await call<InvitationV1>('POST /invitations/:invitationId/resend', { params: { invitationId } });
      return {
        to: partnerPage(partnerId),
        done:
          `Invitation sent again to ${sent.email}, with a new link valid until ${when(sent.expiresAt)}; ` +
          'the earlier link no longer works.',
      };
    },
  );
}

/** BP-4's pending list: when the original went out, the last send, how many, and until when. */
function invitationTable(pending: InvitationV1[], resend: (i: InvitationV1) => Html): Html {
  return table(
    'Invitations not yet accepted',
    ['Name', 'Email', 'State', 'First sent', 'Last sent', 'Emails sent', 'Link valid until', 'Resend'],
    pending.map((i) => [
      `${i.firstName} ${i.lastName}`,
      i.email,
      words(i.state),
      when(i.firstSentAt),
      when(i.lastSentAt),
      i.sendCount,
      i.state === 'EXPIRED' ? 'Expired: a resend renews it' : when(i.expiresAt),
      resend(i),
    ]),
  );
}
