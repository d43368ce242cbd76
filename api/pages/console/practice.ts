// Practice managers' pages (PS-1 … PS-6): the Practice Staff with statuses and invitations, one staff
// user's organization access and role, offboarding with its live progress, certifications with the
// certificate PDF. Every read and every action is an API route called in process, so who may do what
// is decided by the decision point exactly as over HTTP: a Staff user asking for these pages gets the
// API's refusal, and a form only the Account Owner may use is refused for others with the API's words.
import type { Request } from 'express';
import { html, when, words, type Html } from '../html';
import { actionButton, field, form, select, table } from '../layout';
import { localPath } from '../http';
import { Problem } from '../../problem';
import type { ConsoleContext, ConsoleKit } from '../console';
import type { InvitationV1 } from '../../../domain/messages/queries/invitation.v1';

type PracticeRole = 'ACCOUNT_OWNER' | 'ACCOUNT_MANAGER' | 'USER_MANAGER' | 'STAFF';
type OrgRole = 'ORG_ADMIN' | 'PRODUCT_ADMIN' | 'MEMBER';

/** The bodies of the practice-staff routes this page set reads (api/routes/practice-staff.ts). */
interface StaffEntry {
  userId: string | null;
  email: string;
  name: string;
  role: PracticeRole;
  status: 'ACTIVE' | 'INVITED' | 'EXPIRED' | 'DECLINED';
  invitation: InvitationV1 | null;
}
interface OrganizationAccess {
  organizationId: string;
  organizationName: string;
  status: 'ACTIVE' | 'PENDING' | 'EXPIRED';
  role: OrgRole;
  invitation: InvitationV1 | null;
}
interface Client {
  organizationId: string;
  name: string;
  roleCeiling: OrgRole;
  expiresAt: string | null;
}
interface Offboarding {
  offboardingId: string;
  state: 'RUNNING' | 'COMPLETED' | 'REFUSED';
  userId: string;
  replacementUserId: string;
  total: number;
  done: number;
  reason: string;
}
interface Certification {
  userId: string;
  name: string;
  status: 'CERTIFIED' | 'INVITED' | 'NOT_CERTIFIED';
  certifiedAt: string | null;
  invitedAt: string | null;
}

/** Roles an invitation offers (the Account Owner is never invited), lowest first: the form's default is Staff. */
const INVITABLE: Array<[PracticeRole, string]> = [
  ['STAFF', 'Staff'],
  ['USER_MANAGER', 'User manager'],
  ['ACCOUNT_MANAGER', 'Account manager'],
];
/** Organization roles from the lowest; a relationship's ceiling cuts the list. */
const ORG_ROLES: OrgRole[] = ['MEMBER', 'PRODUCT_ADMIN', 'ORG_ADMIN'];
const withinCeiling = (ceiling: OrgRole) => ORG_ROLES.slice(0, ORG_ROLES.indexOf(ceiling) + 1);

const firmBase = (partnerFirmId: string) => `/console/partner-firms/${partnerFirmId}`;
const staffPage = (partnerFirmId: string, userId: string) => `${firmBase(partnerFirmId)}/staff/${userId}`;

/** The path's ids; Express gives strings, the API's schemas check they are uuids. */
const idsOf = (req: Request) => req.params as Record<string, string>;

/** The firm's name as the caller's own roles give it; the API has refused already if it is not theirs. */
function firmName(ctx: ConsoleContext, partnerFirmId: string): string {
  return ctx.me.practiceRoles.find((p) => p.partnerFirmId === partnerFirmId)?.partnerFirmName ?? 'Partner firm';
}

function staffList(ctx: ConsoleContext, partnerFirmId: string) {
  return ctx.call<{ items: StaffEntry[] }>('GET /partner-firms/:partnerFirmId/staff', { params: { partnerFirmId } });
}

/** One member of the staff, from the staff list (what PS-1 lets the caller see), or the API's not-found. */
async function memberOf(ctx: ConsoleContext, partnerFirmId: string, userId: string): Promise<StaffEntry> {
  const { items } = await staffList(ctx, partnerFirmId);
  const member = items.find((entry) => entry.userId === userId);
  if (!member) throw new Problem('not-found', 'No such user on this Practice Staff.');
  return member;
}

/** An invitation's sending, as a manager weighs a reinvite: how often, when last, until when. */
function sending(invitation: InvitationV1 | null): string {
  if (!invitation) return '—';
  const times = invitation.sendCount === 1 ? 'once' : `${invitation.sendCount} times`;
  return `Sent ${times}, last ${when(invitation.lastSentAt)}; link valid until ${when(invitation.expiresAt)}`;
}

/** Send again and withdraw, for an invitation nobody has answered yet (PS-2, PS-4). */
function invitationButtons(ctx: ConsoleContext, firmId: string, invitation: InvitationV1, who: string, back: string) {
  const action = (what: string) => `${firmBase(firmId)}/invitations/${invitation.invitationId}/${what}`;
  const hidden = { _back: back };
  return html`${actionButton(action('resend'), ctx.csrf, `Send again to ${who}`, { hidden })}${actionButton(
    action('revoke'),
    ctx.csrf,
    `Withdraw the invitation to ${who}`,
    { hidden, danger: true },
  )}`;
}

export function practicePages(kit: ConsoleKit): void {
  // PS-1, PS-2: the staff with their statuses, reinvites, and the invitation form.
  kit.view('/console/partner-firms/:partnerFirmId', async (ctx) => {
    const { partnerFirmId } = idsOf(ctx.req);
    const { items } = await staffList(ctx, partnerFirmId);
    const here = firmBase(partnerFirmId);
    const open = (entry: StaffEntry) => entry.status === 'INVITED' || entry.status === 'EXPIRED';
    // A member's name leads to their access, role and offboarding; an open invitation has its buttons.
    const name = (entry: StaffEntry): Html | string =>
      entry.userId ? html`<a href="${staffPage(partnerFirmId, entry.userId)}">${entry.name}</a>` : entry.name;
    const next = (entry: StaffEntry): Html | string =>
      entry.invitation && open(entry)
        ? invitationButtons(ctx, partnerFirmId, entry.invitation, entry.name, here)
        : '—';
    return {
      title: `${firmName(ctx, partnerFirmId)}: Practice Staff`,
      body: html`<p>
          <a href="${here}/certifications">Certifications</a> · <a href="${here}/account">The partner account</a>
        </p>
        ${table(
          'Practice Staff',
          ['Name', 'Email', 'Role', 'Status', 'Invitation', 'Next'],
          items.map((e) => [name(e), e.email, words(e.role), words(e.status), sending(e.invitation), next(e)]),
        )}
        <h2>Invite someone to the Practice Staff</h2>
        ${form(
          `${here}/staff/invitations`,
          ctx.csrf,
          html`${field({ name: 'firstName', label: 'First name', required: true, autocomplete: 'off' })}
            ${field({ name: 'lastName', label: 'Last name', required: true, autocomplete: 'off' })}
            ${field({ name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'off' })}
            ${select({ name: 'role', label: 'Role', options: INVITABLE, value: 'STAFF' })}
            <p class="hint">Only the Account Owner offers a role above Staff.</p>
            <button type="submit">Send the invitation</button>`,
          { label: 'Invite someone to the Practice Staff' },
        )}`,
    };
  });

  kit.action(
    '/console/partner-firms/:partnerFirmId/staff/invitations',
    (req) => firmBase(idsOf(req).partnerFirmId),
    async ({ req, call }) => {
      const { partnerFirmId } = idsOf(req);
      const { firstName, lastName, email, role } = req.body as Record<string, string>;
      const sent = await call<{ confirmation: string }>('POST /partner-firms/:partnerFirmId/staff/invitations', {
        params: { partnerFirmId },
        body: { firstName, lastName, email, role },
      });
      return { to: firmBase(partnerFirmId), done: sent.confirmation };
    },
  );

  // PS-2, PS-4: a reinvite sends a new link (the old one dies); withdrawing closes the invitation.
  for (const [what, key, done] of [
    ['resend', 'POST /invitations/:invitationId/resend', 'Sent again to'],
    ['revoke', 'POST /invitations/:invitationId/revoke', 'Withdrew the invitation to'],
  ] as const) {
    kit.action(
      `/console/partner-firms/:partnerFirmId/invitations/:invitationId/${what}`,
      (req) => firmBase(idsOf(req).partnerFirmId),
      async ({ req, call }) => {
        const { partnerFirmId, invitationId } = idsOf(req);
        const after = await call<InvitationV1>(key, { params: { invitationId } });
        return { to: localPath(req.body?._back, firmBase(partnerFirmId)), done: `${done} ${after.email}.` };
      },
    );
  }

  // PS-3, PS-4, PS-5: one staff user: organization access per client, role, removal and offboarding.
  kit.view('/console/partner-firms/:partnerFirmId/staff/:userId', async (ctx) => {
    const { partnerFirmId, userId } = idsOf(ctx.req);
    const member = await memberOf(ctx, partnerFirmId, userId);
    const params = { partnerFirmId, userId };
    const [{ items: access }, { items: clients }, { items: staff }] = await Promise.all([
      ctx.call<{ items: OrganizationAccess[] }>(
        'GET /partner-firms/:partnerFirmId/staff/:userId/organization-access',
        { params },
      ),
      ctx.call<{ items: Client[] }>('GET /partner-firms/:partnerFirmId/clients', { params: { partnerFirmId } }),
      staffList(ctx, partnerFirmId),
    ]);
    const here = staffPage(partnerFirmId, userId);
    const accessButtons = (a: OrganizationAccess) =>
      a.invitation
        ? invitationButtons(ctx, partnerFirmId, a.invitation, `${member.name} for ${a.organizationName}`, here)
        : '—';
    const held = new Set(access.map((a) => a.organizationId));
    const grantable = clients.filter((c) => !held.has(c.organizationId));
    const grantForm = (c: Client) =>
      form(
        `${here}/organization-access`,
        ctx.csrf,
        html`<input type="hidden" name="organizationId" value="${c.organizationId}" />
          <select name="role" aria-label="Role in ${c.name}">
            ${withinCeiling(c.roleCeiling).map((role) => html`<option value="${role}">${words(role)}</option>`)}
          </select>
          <input type="date" name="until" aria-label="Access to ${c.name} ends on (optional)" />
          <button type="submit">Give access to ${c.name}</button>`,
        { className: 'inline', label: `Give ${member.name} access to ${c.name}` },
      );
    const replacements = staff
      .filter((s) => s.status === 'ACTIVE' && s.userId && s.userId !== userId)
      .map((s): [string, string] => [s.userId!, `${s.name} (${words(s.role)})`]);
    return {
      title: `${member.name}: access and role`,
      body: html`<p><a href="${firmBase(partnerFirmId)}">Back to the Practice Staff</a></p>
        <dl class="facts">
          <dt>Email</dt>
          <dd>${member.email}</dd>
          <dt>Role</dt>
          <dd>${words(member.role)}</dd>
          <dt>Status</dt>
          <dd>${words(member.status)}</dd>
        </dl>
        ${table(
          'Organization access',
          ['Organization', 'Role', 'Status', 'Invitation', 'Next'],
          access.map((a) => [
            a.organizationName,
            words(a.role),
            words(a.status),
            sending(a.invitation),
            accessButtons(a),
          ]),
        )}
        <p class="hint">
          Access that is active ends with an offboarding, with the client relationship, or when the organization's
          admins revoke it.
        </p>
        <h2>Give access to a client organization</h2>
        <p class="hint">
          Each becomes an invitation ${member.name} accepts; the role stays within what the organization allows.
        </p>
        ${table(
          'Client organizations without access',
          ['Organization', 'Highest role allowed', 'Relationship ends', 'Give access'],
          grantable.map((c) => [c.name, words(c.roleCeiling), when(c.expiresAt), grantForm(c)]),
        )}
        <h2>Role</h2>
        ${form(
          `${here}/role`,
          ctx.csrf,
          html`${select({ name: 'role', label: `Role of ${member.name}`, options: INVITABLE, value: member.role })}
            <button type="submit">Change the role</button>`,
          { label: `Change the role of ${member.name}` },
        )}
        <h2>Leaving the Practice Staff</h2>
        <p class="hint">
          Only the Account Owner offboards and removes. Offboarding hands everything ${member.name} holds in client
          organizations to a replacement, then takes them off the Practice Staff.
        </p>
        ${
          replacements.length
            ? form(
                `${here}/offboarding`,
                ctx.csrf,
                html`${select({ name: 'replacementUserId', label: 'Replacement', options: replacements })}
                  <button type="submit" class="danger">Offboard ${member.name}</button>`,
                { label: `Offboard ${member.name}` },
              )
            : html`<p class="empty">Nobody else on the Practice Staff could take over.</p>`
        }
        ${actionButton(`${here}/removal`, ctx.csrf, `Remove ${member.name} (holds no client access)`, {
          danger: true,
        })}`,
    };
  });

  kit.action(
    '/console/partner-firms/:partnerFirmId/staff/:userId/organization-access',
    (req) => staffPage(idsOf(req).partnerFirmId, idsOf(req).userId),
    async ({ req, call }) => {
      const { partnerFirmId, userId } = idsOf(req);
      const { organizationId, role, until } = req.body as Record<string, string>;
      // A date picker gives a day; the access lasts through that day (UTC, as every time here).
      const offer = { organizationId, role, ...(until ? { until: `${until}T23:59:59.000Z` } : {}) };
      await call('POST /partner-firms/:partnerFirmId/staff/:userId/organization-access', {
        params: { partnerFirmId, userId },
        body: { organizations: [offer] },
      });
      return { to: staffPage(partnerFirmId, userId), done: `Invitation sent: ${words(role)}, once they accept it.` };
    },
  );

  kit.action(
    '/console/partner-firms/:partnerFirmId/staff/:userId/role',
    (req) => staffPage(idsOf(req).partnerFirmId, idsOf(req).userId),
    async ({ req, call }) => {
      const { partnerFirmId, userId } = idsOf(req);
      const changed = await call<{ role: PracticeRole }>('PUT /partner-firms/:partnerFirmId/staff/:userId/role', {
        params: { partnerFirmId, userId },
        body: { role: (req.body as Record<string, string>).role },
      });
      return { to: staffPage(partnerFirmId, userId), done: `The role is now ${words(changed.role)}.` };
    },
  );

  kit.action(
    '/console/partner-firms/:partnerFirmId/staff/:userId/removal',
    (req) => staffPage(idsOf(req).partnerFirmId, idsOf(req).userId),
    async ({ req, call }) => {
      const { partnerFirmId, userId } = idsOf(req);
      await call('DELETE /partner-firms/:partnerFirmId/staff/:userId', { params: { partnerFirmId, userId } });
      return { to: firmBase(partnerFirmId), done: 'Removed from the Practice Staff.' };
    },
  );

  // PS-5: the offboarding runs as a workflow; its page follows it.
  kit.action(
    '/console/partner-firms/:partnerFirmId/staff/:userId/offboarding',
    (req) => staffPage(idsOf(req).partnerFirmId, idsOf(req).userId),
    async ({ req, call }) => {
      const { partnerFirmId, userId } = idsOf(req);
      const started = await call<Offboarding>('POST /partner-firms/:partnerFirmId/offboardings', {
        params: { partnerFirmId },
        body: { userId, replacementUserId: (req.body as Record<string, string>).replacementUserId },
      });
      const n = started.total;
      return {
        to: `${firmBase(partnerFirmId)}/offboardings/${started.offboardingId}`,
        done: `Offboarding started: ${n} client organization${n === 1 ? '' : 's'} to hand over.`,
      };
    },
  );

  // The region is data-live: console.js fetches this page again every 2 s and swaps the region in,
  // until it carries data-live-done (completed or refused). Without JavaScript, a reload does the same.
  kit.view('/console/partner-firms/:partnerFirmId/offboardings/:offboardingId', async (ctx) => {
    const { partnerFirmId, offboardingId } = idsOf(ctx.req);
    const offboarding = await ctx.call<Offboarding>('GET /partner-firms/:partnerFirmId/offboardings/:offboardingId', {
      params: { partnerFirmId, offboardingId },
    });
    const { items: staff } = await staffList(ctx, partnerFirmId);
    const nameOf = (userId: string, gone: string) => staff.find((s) => s.userId === userId)?.name ?? gone;
    const leaving = nameOf(offboarding.userId, 'The user who left (no longer on the Practice Staff)');
    const finished = offboarding.state !== 'RUNNING';
    // <progress> needs a maximum above zero: someone who held nothing is done at once.
    const max = Math.max(offboarding.total, 1);
    const value = offboarding.total === 0 ? (finished ? 1 : 0) : offboarding.done;
    const figures = `${offboarding.done} of ${offboarding.total}`;
    return {
      title: 'Offboarding',
      body: html`<p><a href="${firmBase(partnerFirmId)}">Back to the Practice Staff</a></p>
        <dl class="facts">
          <dt>Leaving</dt>
          <dd>${leaving}</dd>
          <dt>Replacement</dt>
          <dd>${nameOf(offboarding.replacementUserId, 'Someone no longer on the Practice Staff')}</dd>
        </dl>
        <section data-live${finished ? html` data-live-done` : ''} aria-labelledby="offboarding-state">
          <h2 id="offboarding-state">${words(offboarding.state)}</h2>
          <label for="offboarding-progress">Client organizations handed over: ${figures}</label>
          <progress id="offboarding-progress" max="${String(max)}" value="${String(value)}">${figures}</progress>
          <p>${offboarding.reason}</p>
        </section>`,
    };
  });

  // PS-6: each staff user's certification, invitations to it, and the certificate.
  kit.view('/console/partner-firms/:partnerFirmId/certifications', async (ctx) => {
    const { partnerFirmId } = idsOf(ctx.req);
    const { program, items } = await ctx.call<{ program: string; items: Certification[] }>(
      'GET /partner-firms/:partnerFirmId/certifications',
      { params: { partnerFirmId } },
    );
    const here = `${firmBase(partnerFirmId)}/certifications`;
    const next = (c: Certification): Html =>
      c.status === 'CERTIFIED'
        ? html`<a href="${firmBase(partnerFirmId)}/staff/${c.userId}/certificate">Certificate of ${c.name} (PDF)</a>`
        : actionButton(
            `${here}/invitations`,
            ctx.csrf,
            c.status === 'INVITED' ? `Invite ${c.name} again` : `Invite ${c.name}`,
            { hidden: { userId: c.userId } },
          );
    const waiting = items.filter((c) => c.status !== 'CERTIFIED').length;
    const all = { hidden: { all: 'yes' } };
    return {
      title: `${firmName(ctx, partnerFirmId)}: certifications`,
      body: html`<p><a href="${firmBase(partnerFirmId)}">Back to the Practice Staff</a></p>
        <p>The program: ${program}.</p>
        ${table(
          'Certification per staff user',
          ['Name', 'Status', 'Certified on', 'Invited on', 'Certificate or invitation'],
          items.map((c) => [c.name, words(c.status), when(c.certifiedAt), when(c.invitedAt), next(c)]),
        )}
        ${
          waiting
            ? actionButton(`${here}/invitations`, ctx.csrf, `Invite everyone not certified (${waiting})`, all)
            : ''
        }`,
    };
  });

  kit.action(
    '/console/partner-firms/:partnerFirmId/certifications/invitations',
    (req) => `${firmBase(idsOf(req).partnerFirmId)}/certifications`,
    async ({ req, call }) => {
      const { partnerFirmId } = idsOf(req);
      const body = req.body as Record<string, string>;
      let userIds = [body.userId];
      if (body.all === 'yes') {
        const { items } = await call<{ items: Certification[] }>('GET /partner-firms/:partnerFirmId/certifications', {
          params: { partnerFirmId },
        });
        userIds = items.filter((c) => c.status !== 'CERTIFIED').map((c) => c.userId);
      }
      const { items } = await call<{ items: Array<{ outcome: string }> }>(
        'POST /partner-firms/:partnerFirmId/certifications/invitations',
        { params: { partnerFirmId }, body: { userIds } },
      );
      const invited = items.filter((i) => i.outcome === 'invited').length;
      const skipped = items.length - invited;
      return {
        to: `${firmBase(partnerFirmId)}/certifications`,
        done: `Invited ${invited} to the certification${skipped ? `; ${skipped} already certified` : ''}.`,
      };
    },
  );

  kit.download(
    '/console/partner-firms/:partnerFirmId/staff/:userId/certificate',
    'GET /partner-firms/:partnerFirmId/staff/:userId/certificate',
    (req) => ({ params: { partnerFirmId: idsOf(req).partnerFirmId, userId: idsOf(req).userId } }),
  );
}
