// Partners and third parties (TPU-6, TPU-7, BP-3): the organizations I work in from another company,
// my third-party relationships each with where it stands and why, hopping between organizations, and
// the tasks shared with me. Every read and every action is an API route called in process.
//
// Switching organizations (TPU-7): the API has no "current organization"; every route names the
// organization it acts in, and GET /me/client-organizations lists those where access is on "to hop
// between them". So working in an organization is its own page here, and the console remembers the
// last one chosen (a cookie with its id, a convenience only: each page still asks the API, which
// decides afresh whether access is on).
import type { Request } from 'express';
import { html, when, words, type Html } from '../html';
import { actionButton, field, form, table } from '../layout';
import { clearCookie, readCookies, setCookie } from '../http';
import type { ConsoleContext, ConsoleKit } from '../console';
import type { ThirdPartyAccessV1 } from '../../../domain/messages/queries/third-party-access.v1';
import type { OrganizationSummaryV1 } from '../../../domain/messages/queries/organization-summary.v1';

interface ClientOrganization {
  organizationId: string;
  name: string;
}
interface Task {
  taskId: string;
  organizationId: string;
  title: string;
  sharedWith: string[];
}
interface SwitchableAccount {
  organizationId: string;
  name: string;
  role: string;
  status: string;
  partnerFirmId: string | null;
  current: boolean;
}

const WORKING_IN = 'pa_working_in';
const WORKING_IN_SECONDS = 8 * 60 * 60;
const ME = '/console/me';
const workspace = (organizationId: string) => `${ME}/organizations/${organizationId}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The organization chosen last, as remembered; only an id (whether it still counts, the API says). */
function rememberedOrganization(req: Request): string | null {
  const id = readCookies(req)[WORKING_IN];
  return id && UUID.test(id) ? id : null;
}

/** The console's cookie options, scoped to the console; this cookie holds no credential, only an id. */
const cookieOptions = (ctx: Pick<ConsoleContext, 'cookies'>) => ({ ...ctx.cookies, path: '/console' });

/** The names of the organizations the caller knows of, to name a task's organization. */
function organizationNames(ctx: ConsoleContext, lists: { organizationId: string; name: string }[][]) {
  const names = new Map<string, string>();
  for (const m of ctx.me.memberships) names.set(m.organizationId, m.organizationName);
  for (const list of lists) for (const entry of list) names.set(entry.organizationId, entry.name);
  return names;
}

function workInButtons(csrf: string, organizations: ClientOrganization[], current: string | null): Html {
  return html`<ul>
    ${organizations.map(
      (o) =>
        html`<li>
          ${
            o.organizationId === current
              ? html`<a href="${workspace(o.organizationId)}">${o.name}</a> (working here)`
              : actionButton(`${ME}/working-in`, csrf, `Work in ${o.name}`, {
                  hidden: { organizationId: o.organizationId },
                })
          }
        </li>`,
    )}
  </ul>`;
}

export function myAccessPages(kit: ConsoleKit): void {
  kit.view(ME, async (ctx) => {
    const { call, csrf, req, res } = ctx;
    const [clients, relationships, tasks, accounts] = await Promise.all([
      call<{ items: ClientOrganization[] }>('GET /me/client-organizations'),
      call<{ items: ThirdPartyAccessV1[] }>('GET /me/third-party-access'),
      call<{ items: Task[] }>('GET /me/tasks'),
      call<{ items: SwitchableAccount[] }>('GET /me/accounts'),
    ]);
    let current = rememberedOrganization(req);
    const working = clients.items.find((o) => o.organizationId === current);
    if (current && !working) {
      // Access there ended since (or it was never one of them): nothing to continue in.
      clearCookie(res, WORKING_IN, cookieOptions(ctx));
      current = null;
    }
    const names = organizationNames(ctx, [
      clients.items,
      relationships.items.map((r) => ({ organizationId: r.organizationId, name: r.organizationName })),
      accounts.items,
    ]);
    const notWorking = relationships.items.filter((r) => r.state !== 'ACCESS_ON');
    return {
      title: 'My access',
      body: html`${
          working
            ? html`<p>You are working in <a href="${workspace(working.organizationId)}">${working.name}</a>.</p>`
            : ''
        }
        <section aria-labelledby="where">
          <h2 id="where">Organizations you work in</h2>
          ${
            clients.items.length
              ? html`<p>Your access is on in these organizations. Choose one to work in it.</p>
                  ${workInButtons(csrf, clients.items, current)}`
              : html`<p class="empty">You work in no organization from another company yet.</p>`
          }
        </section>
        <section aria-labelledby="why">
          <h2 id="why">Where you cannot work, and why</h2>
          ${table(
            'Organizations where your access is not on',
            ['Organization', 'Your firm', 'State', 'Why'],
            notWorking.map((r) => [r.organizationName, r.firmName, words(r.state), r.reason]),
          )}
          ${
            relationships.items.some((r) => r.state === 'ACCESS_ON')
              ? table(
                  'Third-party access that is on',
                  ['Organization', 'Your firm', 'Access ends'],
                  relationships.items
                    .filter((r) => r.state === 'ACCESS_ON')
                    .map((r) => [
                      r.organizationName,
                      r.firmName,
                      r.accessEndsAt ? when(r.accessEndsAt) : 'No end date',
                    ]),
                )
              : ''
          }
        </section>
        <section aria-labelledby="tasks">
          <h2 id="tasks">Tasks shared with you</h2>
          ${table(
            'Tasks shared with you',
            ['Task', 'Organization'],
            tasks.items.map((t) => [
              html`<a href="${ME}/tasks/${t.taskId}">${t.title}</a>`,
              names.get(t.organizationId) ?? 'The organization that shared it',
            ]),
          )}
        </section>
        ${
          accounts.items.length
            ? html`<section aria-labelledby="accounts">
                <h2 id="accounts">Customer accounts you can switch into</h2>
                ${table(
                  'Customer accounts that invited you as a guest',
                  ['Account', 'Your role there', 'Status', ''],
                  accounts.items.map((a) => [
                    a.name,
                    words(a.role),
                    a.current ? 'Switched in now' : words(a.status),
                    a.partnerFirmId
                      ? html`<a href="/console/partner-firms/${a.partnerFirmId}/account/switch">Switch account</a>`
                      : null,
                  ]),
                )}
              </section>`
            : ''
        }`,
    };
  });

  // TPU-7: choose an organization to work in. The API decides (GET /organizations/:id refuses where
  // access is off); only then is the choice remembered.
  kit.action(
    `${ME}/working-in`,
    () => ME,
    async ({ req, res, call, cookies }) => {
      const organizationId = String(req.body.organizationId ?? '');
      const organization = await call<OrganizationSummaryV1>('GET /organizations/:organizationId', {
        params: { organizationId },
      });
      setCookie(res, WORKING_IN, organization.organizationId, {
        ...cookieOptions({ cookies }),
        maxAgeSeconds: WORKING_IN_SECONDS,
      });
      return { to: workspace(organization.organizationId), done: `You are working in ${organization.name}.` };
    },
  );

  // Working in one organization: what it is, your access there, its tasks, and the others to hop to.
  kit.view(`${ME}/organizations/:organizationId`, async ({ req, call, csrf }) => {
    const { organizationId } = req.params as { organizationId: string };
    const organization = await call<OrganizationSummaryV1>('GET /organizations/:organizationId', {
      params: { organizationId },
    });
    const [tasks, clients] = await Promise.all([
      call<{ items: Task[] }>('GET /organizations/:organizationId/tasks', { params: { organizationId } }),
      call<{ items: ClientOrganization[] }>('GET /me/client-organizations'),
    ]);
    const others = clients.items.filter((o) => o.organizationId !== organizationId);
    return {
      title: organization.name,
      body: html`<dl class="facts">
          <dt>Your access</dt>
          <dd>${words(organization.yourAccess)}</dd>
          <dt>Status</dt>
          <dd>${words(organization.status)}</dd>
          <dt>Members</dt>
          <dd>${organization.memberCount}</dd>
          <dt>Domains</dt>
          <dd>${organization.domains.join(', ') || '—'}</dd>
        </dl>
        <section aria-labelledby="org-tasks">
          <h2 id="org-tasks">Tasks</h2>
          ${table(
            `Tasks of ${organization.name}`,
            ['Task', 'Shared with'],
            tasks.items.map((t) => [
              html`<a href="${ME}/tasks/${t.taskId}">${t.title}</a>`,
              sharedWords(t.sharedWith.length),
            ]),
          )}
          ${form(
            `${workspace(organizationId)}/tasks`,
            csrf,
            html`${field({ name: 'title', label: 'New task', required: true })}
              <button type="submit">Create the task</button>`,
            { label: 'Create a task' },
          )}
        </section>
        ${
          others.length
            ? html`<section aria-labelledby="hop">
                <h2 id="hop">Your other organizations</h2>
                ${workInButtons(csrf, others, null)}
              </section>`
            : ''
        }
        <p><a href="${ME}">Back to my access</a></p>`,
    };
  });

  kit.action(
    `${ME}/organizations/:organizationId/tasks`,
    (req) => workspace(String(req.params.organizationId)),
    async ({ req, call }) => {
      const { organizationId } = req.params as { organizationId: string };
      const task = await call<Task>('POST /organizations/:organizationId/tasks', {
        params: { organizationId },
        body: { title: String(req.body.title ?? '') },
      });
      return { to: workspace(organizationId), done: `Task "${task.title}" created.` };
    },
  );

  // BP-3: one task, as the API shows it to whoever it was shared with.
  kit.view(`${ME}/tasks/:taskId`, async (ctx) => {
    const { req, call } = ctx;
    const { taskId } = req.params as { taskId: string };
    const task = await call<Task>('GET /tasks/:taskId', { params: { taskId } });
    const [clients, relationships] = await Promise.all([
      call<{ items: ClientOrganization[] }>('GET /me/client-organizations'),
      call<{ items: ThirdPartyAccessV1[] }>('GET /me/third-party-access'),
    ]);
    const names = organizationNames(ctx, [
      clients.items,
      relationships.items.map((r) => ({ organizationId: r.organizationId, name: r.organizationName })),
    ]);
    const shared = task.sharedWith.includes(ctx.me.userId);
    const workHere = clients.items.some((o) => o.organizationId === task.organizationId);
    return {
      title: task.title,
      body: html`<dl class="facts">
          <dt>Organization</dt>
          <dd>${names.get(task.organizationId) ?? 'The organization that shared it'}</dd>
          <dt>Shared with</dt>
          <dd>${sharedWords(task.sharedWith.length)}${shared ? ', you among them' : ''}</dd>
        </dl>
        ${
          shared && !workHere
            ? html`<p>You see this task because it was shared with you; nothing else of its organization.</p>`
            : ''
        }
        ${workHere ? html`<p><a href="${workspace(task.organizationId)}">Work in its organization</a></p>` : ''}
        <p><a href="${ME}">Back to my access</a></p>`,
    };
  });
}

function sharedWords(count: number): string {
  if (count === 0) return 'Nobody outside the organization';
  return count === 1 ? '1 person' : `${count} people`;
}
