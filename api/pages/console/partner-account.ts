// Partner accounts (PA-1 … PA-5), seed 003's Administration > Accounts: My Account with its licence
// summary, the customer accounts (filters, pages, export, suspend), a customer's users, and switching
// into a customer account and back. Every read and every action is an API route called in process,
// except the switch itself: the API's switch (POST /token-exchange) answers a bearer token, which a
// browser session has no use for, so the console runs the same use case (AccountSwitching, which asks
// the decision point itself) and records the switch on its session instead.
import type { Request } from 'express';
import { html, when, words, type Html } from '../html';
import { actionButton, field, form, select, table } from '../layout';
import { problemWords, type ConsoleContext, type ConsoleKit, type ViewResult } from '../console';
import { Problem } from '../../problem';
import { localPath } from '../http';
import { switchProblem } from '../../routes/account-switching';
import type { WebSessions } from '../web-sessions';
import { AccountSwitching, FRESH_SIGN_IN_MS, SwitchRefusal } from '../../../domain/account-switching';
import { OrganizationId } from '../../../domain/messages/values/identifiers';
import type { OrganizationSummaryV1 } from '../../../domain/messages/queries/organization-summary.v1';
import type {
  AccountStatusChangeV1,
  CustomerAccountExportV1,
  CustomerAccountV1,
  CustomerUserV1,
  LicenceV1,
} from '../../../domain/messages/queries/partner-accounts.v1';

export interface PartnerAccountDeps {
  /** PA-5's use case: the console's only way to switch, as no route answers a session (see above). */
  switching: AccountSwitching;
  /** Where the console records that its session is switched in (and that it is no longer). */
  sessions: WebSessions;
}

interface PartnerAccount {
  name: string;
  userCount: number;
  licensedProducts: string[];
  expiresAt: string | null;
  licences: LicenceV1[];
}
interface SwitchableAccount {
  organizationId: string;
  name: string;
  role: string;
  status: 'ACTIVE' | 'SUSPENDED';
  current: boolean;
}

const PATH = '/console/partner-firms/:partnerFirmId/account';
const CUSTOMER = `${PATH}/customers/:organizationId`;
const USER = `${CUSTOMER}/users/:userId`;

const firmOf = (req: Request) => String(req.params.partnerFirmId);
const accountPath = (partnerFirmId: string) => `/console/partner-firms/${partnerFirmId}/account`;
const customerPath = (req: Request) => `${accountPath(firmOf(req))}/customers/${String(req.params.organizationId)}`;
const usersPath = (req: Request) => `${customerPath(req)}/users`;
const userPath = (req: Request) => `${usersPath(req)}/${String(req.params.userId)}`;
const switchPath = (req: Request) => `${accountPath(firmOf(req))}/switch`;

/** A date without its time: licences run by the day. */
const day = (date: string | null | undefined) => (date ? date.slice(0, 10) : '—');
const list = (items: string[]) => (items.length ? items.join(', ') : 'None');
const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
/** The usual page sizes, and the one asked for in the address if it is another (the API checks it). */
const pageSizes = (asked: string | undefined) =>
  [...new Set(['10', '25', '50', '100', ...(asked && /^\d+$/.test(asked) ? [asked] : [])])].sort((x, y) => +x - +y);

function licenceTable(caption: string, licences: LicenceV1[]): Html {
  return table(
    caption,
    ['Product', 'Licence type', 'Seats', 'Used', 'Free', 'Contract start', 'Contract expiry', 'Next renewal'],
    licences.map((l) => [
      l.solution,
      words(l.type),
      l.seats,
      l.seatsUsed,
      l.seatsFree,
      day(l.contractStart),
      day(l.contractExpiry),
      day(l.nextRenewal),
    ]),
  );
}

/** A form whose one field is the reason, as suspending and reactivating need (audited). */
function reasonForm(action: string, csrf: string, label: string, button: string, danger: boolean): Html {
  return form(
    action,
    csrf,
    html`${field({ name: 'reason', label, required: true, minlength: 3, hint: 'At least 3 characters; audited' })}
      <button type="submit" ${danger ? html` class="danger"` : ''}>${button}</button>`,
    { label: button },
  );
}

export function partnerAccountPages(kit: ConsoleKit, deps: PartnerAccountDeps): void {
  /**
   * A page of the partner account. Switched into a customer account, the API refuses every one of
   * them (PA-5: no Accounts list from inside a customer); the page then says so with its way back.
   */
  const partnerView = (path: string, render: (ctx: ConsoleContext) => Promise<ViewResult>) =>
    kit.view(path, async (ctx) => {
      try {
        return await render(ctx);
      } catch (err) {
        if (!(err instanceof Problem) || err.kind !== 'switched-in' || !ctx.actor.switchedInto) throw err;
        return {
          title: 'Switch back first',
          status: err.status,
          body: html`<p>${problemWords(err)}</p>
            ${actionButton(`${switchPath(ctx.req)}/back`, ctx.csrf, 'Switch back to your partner account')}`,
        };
      }
    });

  // The customer account's details, as its export has them (PA-2: "export an account's details").
  const details = (ctx: ConsoleContext) =>
    ctx.call<CustomerAccountExportV1>('GET /customer-accounts/:organizationId/export', {
      params: { organizationId: ctx.req.params.organizationId },
      query: { format: 'json' },
    });

  // ---------------------------------------------------------------- PA-1: My Account
  partnerView(PATH, async ({ req, call }) => {
    const partnerFirmId = firmOf(req);
    const mine = await call<PartnerAccount>('GET /partner-accounts/:partnerFirmId', { params: { partnerFirmId } });
    return {
      title: `${mine.name}: my account`,
      body: html`<dl class="facts">
          <dt>Users</dt>
          <dd>${mine.userCount}</dd>
          <dt>Licensed products</dt>
          <dd>${list(mine.licensedProducts)}</dd>
          <dt>Expires</dt>
          <dd>${day(mine.expiresAt)}</dd>
        </dl>
        <ul>
          <li><a href="${accountPath(partnerFirmId)}/customers">Customer accounts</a></li>
          <li><a href="${accountPath(partnerFirmId)}/switch">Switch account</a></li>
        </ul>
        <section aria-labelledby="licences">
          <h2 id="licences">License summary</h2>
          ${licenceTable('Licences of your partner account', mine.licences)}
        </section>`,
    };
  });

  // ---------------------------------------------------------------- PA-2: the Accounts list
  partnerView(`${PATH}/customers`, async ({ req, call }) => {
    const partnerFirmId = firmOf(req);
    const base = `${accountPath(partnerFirmId)}/customers`;
    // The API's own filters, passed on as they are (its validation answers a wrong one).
    const filters = Object.fromEntries(
      (['solution', 'status', 'limit'] as const).flatMap((k) =>
        text(req.query[k]) ? [[k, text(req.query[k])]] : [],
      ),
    ) as Record<string, string>;
    const cursor = text(req.query.cursor);
    const page = await call<{ items: CustomerAccountV1[]; nextCursor: string | null }>(
      'GET /partner-accounts/:partnerFirmId/customers',
      { params: { partnerFirmId }, query: { ...filters, ...(cursor ? { cursor } : {}) } },
    );
    const filtered = Boolean(filters.solution || filters.status);
    const next = page.nextCursor ? `${base}?${new URLSearchParams({ ...filters, cursor: page.nextCursor })}` : null;
    const first = cursor ? `${base}?${new URLSearchParams(filters)}` : null;
    return {
      title: 'Customer accounts',
      body: html`<form method="get" action="${base}" aria-label="Filter customer accounts">
          ${field({
            name: 'solution',
            label: 'Solution',
            value: filters.solution,
            hint: 'A product, as the list names it',
          })}
          ${select({
            name: 'status',
            label: 'Status',
            value: filters.status ?? '',
            options: [
              ['', 'Any status'],
              ['ACTIVE', 'Active'],
              ['SUSPENDED', 'Suspended'],
            ],
          })}
          ${select({
            name: 'limit',
            label: 'Accounts per page',
            value: filters.limit ?? '25',
            options: pageSizes(filters.limit).map((n) => [n, n] as [string, string]),
          })}
          <button type="submit">Show accounts</button>
          ${filtered ? html` <a href="${base}">Clear the filters</a>` : ''}
        </form>
        ${table(
          filtered ? 'Customer accounts matching the filters' : 'Customer accounts',
          ['Account', 'Users', 'Licensed products', 'Status', 'Next renewal', 'Access model', 'Actions'],
          page.items.map((a) => [
            html`<a href="${base}/${a.organizationId}">${a.name}</a>`,
            a.totalUsers,
            list(a.licensedProducts),
            words(a.status),
            day(a.nextRenewal),
            words(a.accessModel),
            html`<a href="${base}/${a.organizationId}/users" aria-label="Users of ${a.name}">Users</a> ·
              <a href="${base}/${a.organizationId}/export?format=csv" aria-label="Export CSV of ${a.name}"
                >Export CSV</a
              >`,
          ]),
        )}
        ${
          next || first
            ? html`<nav aria-label="Pages">
                <ul>
                  ${first ? html`<li><a href="${first}">First page</a></li>` : ''}
                  ${next ? html`<li><a href="${next}" rel="next">Next page</a></li>` : ''}
                </ul>
              </nav>`
            : ''
        }
        <p><a href="${accountPath(partnerFirmId)}">Back to my account</a></p>`,
    };
  });

  // ---------------------------------------------------------------- PA-2: one account
  partnerView(CUSTOMER, async (ctx) => {
    const { req, csrf } = ctx;
    const { account, suspension, licences } = await details(ctx);
    const here = customerPath(req);
    const suspended = account.status === 'SUSPENDED';
    return {
      title: account.name,
      body: html`<dl class="facts">
          <dt>Status</dt>
          <dd>${words(account.status)}</dd>
          ${
            suspension
              ? html`<dt>Suspended since</dt>
                  <dd>${when(suspension.since)}</dd>
                  <dt>Why</dt>
                  <dd>${suspension.reason}</dd>`
              : ''
          }
          <dt>Users</dt>
          <dd>${account.totalUsers}</dd>
          <dt>Licensed products</dt>
          <dd>${list(account.licensedProducts)}</dd>
          <dt>Next renewal</dt>
          <dd>${day(account.nextRenewal)}</dd>
          <dt>Access model</dt>
          <dd>${words(account.accessModel)}</dd>
        </dl>
        <ul>
          <li><a href="${here}/users">Manage users</a></li>
          <li><a href="${here}/export?format=csv">Export the details (CSV)</a></li>
          <li><a href="${here}/export?format=json">Export the details (JSON)</a></li>
        </ul>
        <section aria-labelledby="licences">
          <h2 id="licences">License summary</h2>
          ${licenceTable(`Licences of ${account.name}`, licences)}
        </section>
        <section aria-labelledby="status">
          <h2 id="status">${suspended ? 'Reactivate this account' : 'Suspend this account'}</h2>
          ${
            suspended
              ? html`<p>Its users get back exactly what the suspension stopped.</p>
                  ${reasonForm(`${here}/reactivate`, csrf, 'Why reactivate it', 'Reactivate the account', false)}`
              : html`<p>Its users are refused at once, until it is reactivated; you and support still get in.</p>
                  ${reasonForm(`${here}/suspend`, csrf, 'Why suspend it', 'Suspend the account', true)}`
          }
        </section>
        <p><a href="${accountPath(firmOf(req))}/customers">Back to the customer accounts</a></p>`,
    };
  });

  kit.download(`${CUSTOMER}/export`, 'GET /customer-accounts/:organizationId/export', (req) => ({
    params: { organizationId: req.params.organizationId },
    query: { format: req.query.format === 'json' ? 'json' : 'csv' },
  }));

  const statusAction = (to: 'suspend' | 'reactivate') =>
    kit.action(`${CUSTOMER}/${to}`, customerPath, async ({ req, call }) => {
      const organizationId = String(req.params.organizationId);
      const key =
        to === 'suspend'
          ? 'POST /customer-accounts/:organizationId/suspend'
          : 'POST /customer-accounts/:organizationId/reactivate';
      const change = await call<AccountStatusChangeV1>(key, {
        params: { organizationId },
        body: { reason: text(req.body.reason) },
      });
      const done = !change.changed
        ? `The account was ${words(change.status).toLowerCase()} already: nothing changed.`
        : to === 'suspend'
          ? 'The account is suspended: its users are refused until it is reactivated.'
          : 'The account is active again.';
      return { to: customerPath(req), done };
    });
  statusAction('suspend');
  statusAction('reactivate');

  // ---------------------------------------------------------------- PA-3: Manage Users
  partnerView(`${CUSTOMER}/users`, async (ctx) => {
    const { req, call, csrf } = ctx;
    const organizationId = String(req.params.organizationId);
    const { items } = await call<{ items: CustomerUserV1[] }>('GET /customer-accounts/:organizationId/users', {
      params: { organizationId },
    });
    const { account } = await details(ctx);
    const here = usersPath(req);
    const toggle = (u: CustomerUserV1) => {
      const [to, label] = u.status === 'ACTIVE' ? ['deactivate', 'Deactivate'] : ['reactivate', 'Reactivate'];
      return actionButton(`${here}/${u.userId}/${to}`, csrf, `${label} ${u.displayName}`, {
        hidden: { _back: here },
      });
    };
    return {
      title: `${account.name}: users`,
      body: html`${table(
          `Users of ${account.name}`,
          ['Name', 'Email', 'Role', 'Status', 'Licences', 'Actions'],
          items.map((u) => [
            html`<a href="${here}/${u.userId}" aria-label="Edit ${u.displayName}">${u.displayName}</a>`,
            u.email,
            words(u.role),
            words(u.status),
            list(u.licences),
            toggle(u),
          ]),
        )}
        <section aria-labelledby="create">
          <h2 id="create">Create a user</h2>
          <p>They get an email to set up their account.</p>
          ${form(
            here,
            csrf,
            html`${field({ name: 'firstName', label: 'First name', required: true, autocomplete: 'off' })}
              ${field({ name: 'lastName', label: 'Last name', required: true, autocomplete: 'off' })}
              ${field({ name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'off' })}
              ${select({
                name: 'role',
                label: 'Role',
                value: 'MEMBER',
                options: [
                  ['MEMBER', 'Member'],
                  ['PRODUCT_ADMIN', 'Product admin'],
                ],
              })} <button type="submit">Create the user</button>`,
            { label: 'Create a user' },
          )}
        </section>
        <p><a href="${customerPath(req)}">Back to ${account.name}</a></p>`,
    };
  });

  kit.action(`${CUSTOMER}/users`, usersPath, async ({ req, call }) => {
    const created = await call<{ confirmation: string }>('POST /customer-accounts/:organizationId/users', {
      params: { organizationId: req.params.organizationId },
      body: {
        firstName: text(req.body.firstName),
        lastName: text(req.body.lastName),
        email: text(req.body.email),
        role: text(req.body.role) || 'MEMBER',
      },
    });
    return { to: usersPath(req), done: created.confirmation };
  });

  // One user: edit, seats, deactivate or reactivate, remove.
  partnerView(USER, async (ctx) => {
    const { req, call, csrf } = ctx;
    const organizationId = String(req.params.organizationId);
    const [{ items }, licences] = await Promise.all([
      call<{ items: CustomerUserV1[] }>('GET /customer-accounts/:organizationId/users', {
        params: { organizationId },
      }),
      call<{ items: LicenceV1[] }>('GET /customer-accounts/:organizationId/licences', {
        params: { organizationId },
      }),
    ]);
    const user = items.find((u) => u.userId === req.params.userId);
    if (!user) throw new Problem('not-found', 'No such user in this account.');
    const here = userPath(req);
    const seat = (l: LicenceV1) =>
      user.licences.includes(l.solution)
        ? actionButton(`${here}/seats/${l.licenceId}/remove`, csrf, `Take back the ${l.solution} seat`)
        : actionButton(`${here}/seats`, csrf, `Give a ${l.solution} seat`, { hidden: { licenceId: l.licenceId } });
    return {
      title: user.displayName,
      body: html`<dl class="facts">
          <dt>Email</dt>
          <dd>${user.email}</dd>
          <dt>Role</dt>
          <dd>${words(user.role)}</dd>
          <dt>Status</dt>
          <dd>${words(user.status)}</dd>
        </dl>
        <section aria-labelledby="edit">
          <h2 id="edit">Edit</h2>
          ${form(
            `${here}/edit`,
            csrf,
            html`${field({ name: 'displayName', label: 'Name', value: user.displayName, required: true })}
              ${select({
                name: 'role',
                label: 'Role',
                value: user.role,
                options: [
                  ['MEMBER', 'Member'],
                  ['PRODUCT_ADMIN', 'Product admin'],
                  ...(user.role === 'ORG_ADMIN' ? [['ORG_ADMIN', 'Org admin'] as [string, string]] : []),
                ],
              })} <button type="submit">Save the changes</button>`,
            { label: 'Edit the user' },
          )}
        </section>
        <section aria-labelledby="seats">
          <h2 id="seats">Licences</h2>
          ${table(
            `Seats of ${user.displayName}`,
            ['Product', 'Seats used', 'Seat'],
            licences.items.map((l) => [l.solution, `${l.seatsUsed} of ${l.seats}`, seat(l)]),
          )}
        </section>
        <section aria-labelledby="standing">
          <h2 id="standing">Access to the account</h2>
          ${
            user.status === 'ACTIVE'
              ? actionButton(`${here}/deactivate`, csrf, `Deactivate ${user.displayName}`)
              : actionButton(`${here}/reactivate`, csrf, `Reactivate ${user.displayName}`)
          }
          ${actionButton(`${here}/remove`, csrf, `Remove ${user.displayName} from the account`, { danger: true })}
        </section>
        <p><a href="${usersPath(req)}">Back to the users</a></p>`,
    };
  });

  const userInput = (req: Request) => ({
    params: { organizationId: req.params.organizationId, userId: req.params.userId },
  });

  kit.action(`${USER}/edit`, userPath, async ({ req, call }) => {
    const { items } = await call<{ items: CustomerUserV1[] }>('GET /customer-accounts/:organizationId/users', {
      params: { organizationId: req.params.organizationId },
    });
    const before = items.find((u) => u.userId === req.params.userId);
    if (!before) throw new Problem('not-found', 'No such user in this account.');
    // Only what changed is sent: the API edits exactly the fields it is given.
    const displayName = text(req.body.displayName);
    const role = text(req.body.role);
    const edit = {
      ...(displayName !== before.displayName ? { displayName } : {}),
      ...(role && role !== before.role ? { role } : {}),
    };
    if (Object.keys(edit).length === 0) return { to: userPath(req), done: 'Nothing changed.' };
    await call('PATCH /customer-accounts/:organizationId/users/:userId', { ...userInput(req), body: edit });
    return { to: userPath(req), done: `${displayName || before.displayName} is saved.` };
  });

  // Each says what happened in the API's own words; back to the page the button was on (the list or the
  // user's page), except after a removal, when the user's page is gone.
  const userCommand = (name: string, key: Parameters<ConsoleContext['call']>[0], to?: (req: Request) => string) =>
    kit.action(`${USER}/${name}`, userPath, async ({ req, call }) => {
      const { message } = await call<{ message: string }>(key, userInput(req));
      return { to: to ? to(req) : localPath(req.body._back, userPath(req)), done: message };
    });
  userCommand('deactivate', 'POST /customer-accounts/:organizationId/users/:userId/deactivate');
  userCommand('reactivate', 'POST /customer-accounts/:organizationId/users/:userId/reactivate');
  userCommand('remove', 'DELETE /customer-accounts/:organizationId/users/:userId', usersPath);

  kit.action(`${USER}/seats`, userPath, async ({ req, call }) => {
    const outcome = await call<{ licence: LicenceV1; assigned: boolean }>('POST /licences/:licenceId/assignments', {
      params: { licenceId: text(req.body.licenceId) },
      body: { userId: req.params.userId },
    });
    const done = outcome.assigned
      ? `A ${outcome.licence.solution} seat is given (${outcome.licence.seatsFree} free).`
      : `They hold a ${outcome.licence.solution} seat already: nothing changed.`;
    return { to: userPath(req), done };
  });

  kit.action(`${USER}/seats/:licenceId/remove`, userPath, async ({ req, call }) => {
    const outcome = await call<{ licence: LicenceV1 }>('DELETE /licences/:licenceId/assignments/:userId', {
      params: { licenceId: req.params.licenceId, userId: req.params.userId },
    });
    const { solution, seatsFree } = outcome.licence;
    return { to: userPath(req), done: `The ${solution} seat is taken back (${seatsFree} free).` };
  });

  // ---------------------------------------------------------------- PA-5: switch account
  kit.view(`${PATH}/switch`, async ({ req, call, csrf, actor }) => {
    const { items } = await call<{ items: SwitchableAccount[] }>('GET /me/accounts');
    const here = switchPath(req);
    if (actor.switchedInto) {
      const inside = await call<OrganizationSummaryV1>('GET /organizations/:organizationId', {
        params: { organizationId: actor.switchedInto },
      });
      return {
        title: `Working in ${inside.name}`,
        body: html`<p>
            You are switched into ${inside.name} and work there as ${words(inside.yourAccess)}. Your partner account
            (its customer accounts) is not available until you switch back.
          </p>
          <dl class="facts">
            <dt>Status</dt>
            <dd>${words(inside.status)}</dd>
            <dt>Members</dt>
            <dd>${inside.memberCount}</dd>
          </dl>
          ${actionButton(`${here}/back`, csrf, 'Switch back to your partner account')}`,
      };
    }
    const asked = text(req.query.account);
    const fresh = actor.authTime !== undefined && Date.now() - actor.authTime.getTime() < FRESH_SIGN_IN_MS;
    const ready = fresh ? items.find((a) => a.organizationId === asked) : undefined;
    return {
      title: 'Switch account',
      body: html`${ready ? html`<p>You signed in again: switch into ${ready.name} now.</p>` : ''}
        <p>
          Switching lets you work inside a customer account as its user, once the customer has invited you as a guest.
          It asks for your password again when you signed in more than ${FRESH_SIGN_IN_MS / 60_000} minutes ago.
        </p>
        ${table(
          'Accounts you can switch into',
          ['Account', 'Your role there', 'Status', 'Switch'],
          items.map((a) => [
            a.name,
            words(a.role),
            words(a.status),
            a.status === 'ACTIVE'
              ? actionButton(here, csrf, `Switch into ${a.name}`, { hidden: { organizationId: a.organizationId } })
              : 'Suspended: it cannot be entered until it is reactivated',
          ]),
        )}
        ${
          items.length === 0
            ? html`<p>A customer account appears here once its org admins invite you as a guest and you accept.</p>`
            : ''
        }
        <p><a href="${accountPath(firmOf(req))}">Back to my account</a></p>`,
    };
  });

  kit.action(`${PATH}/switch`, switchPath, async ({ req, actor, signedIn }) => {
    const organizationId = OrganizationId.safeParse(req.body.organizationId);
    if (!organizationId.success) throw new Problem('validation-failed', 'Choose an account to switch into.');
    try {
      const opened = await deps.switching.switchIn(actor, organizationId.data);
      await deps.sessions.switched(signedIn.session.id, {
        organizationId: opened.organizationId,
        switchId: opened.switchId,
      });
      return { to: switchPath(req), done: `You are switched into ${opened.name} as ${words(opened.role)}.` };
    } catch (err) {
      if (!(err instanceof SwitchRefusal)) throw err;
      if (err.kind === 'stale-sign-in') {
        // The hosted sign-in page starts a new session with a fresh sign-in, then comes back here.
        const next = `${switchPath(req)}?account=${organizationId.data}`;
        return {
          to: `/sign-in?fresh=1&next=${encodeURIComponent(next)}`,
          done: 'Switching into a customer account needs a fresh sign-in.',
        };
      }
      throw switchProblem(err);
    }
  });

  kit.action(`${PATH}/switch/back`, switchPath, async ({ req, me, signedIn }) => {
    const { switchId, switchedInto } = signedIn.session;
    if (!switchId) {
      throw new Problem('conflict', 'You are in your partner account already: there is nothing to switch back from.');
    }
    try {
      await deps.switching.switchBack(signedIn.session.userId, switchId);
    } catch (err) {
      // Ended meanwhile (from the API, or the guest grant was revoked): home all the same.
      if (!(err instanceof SwitchRefusal) || err.kind !== 'not-switched-in') throw err;
    }
    await deps.sessions.switched(signedIn.session.id, null);
    const from =
      me.memberships.find((m) => m.organizationId === switchedInto)?.organizationName ?? 'the customer account';
    return { to: accountPath(firmOf(req)), done: `You switched back from ${from} to your partner account.` };
  });
}
