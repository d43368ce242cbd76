// Support agents (TPU-3, INT-1, PP-2): the review queue of third-party requests across organizations,
// with approve and reject-with-a-reason on each; a ticket looked up by the help desk's id; freeing a
// wrongly registered portal email. Every read and every action is an API route called in process, so
// whether someone may use these pages is the decision point's answer to those routes, as over HTTP.
import { html, when, words, type Html } from '../html';
import { actionButton, field, form, select, table } from '../layout';
import { Problem } from '../../problem';
import { problemWords, type ConsoleKit } from '../console';
import type { ThirdPartyAccessV1 } from '../../../domain/messages/queries/third-party-access.v1';
import { TpuState } from '../../../domain/messages/values/third-party-access';

const QUEUE = '/console/support';
const STATES = TpuState.options.map((s): [string, string] => [s, words(s)]);
const TICKETS = '/console/support/tickets';
const EMAILS = '/console/support/portal-emails';
const TICKET_HINT = "The help desk's own id, as in its ticket (e.g. HD-1042)";
const REASON_HINT = 'Kept in the audit trail (at least 3 characters)';

interface SupportTicket {
  ticketId: string;
  kind: string;
  channel: string;
  status: string;
  workflowId: string | null;
  failureReason?: string | null;
  failureDetail?: string | null;
  payload: Record<string, unknown>;
  receivedAt: string;
  updatedAt: string;
}

/** The support pages' own places, on each of them. */
const deskLinks = (current: string): Html =>
  html`<nav aria-label="Support desk">
    <ul>
      ${[
        [QUEUE, 'Review queue'],
        [TICKETS, 'Look up a ticket'],
        [EMAILS, 'Free a portal email'],
      ].map(
        ([href, label]) =>
          html`<li><a href="${href}" ${href === current ? html` aria-current="page"` : ''}>${label}</a></li>`,
      )}
    </ul>
  </nav>`;

const who = (r: ThirdPartyAccessV1) => `${r.thirdPartyName} (${r.firmName})`;
const decisionPath = (r: { organizationId: string; relationshipId: string }, decision: 'approve' | 'reject') =>
  `${QUEUE}/third-party-requests/${r.organizationId}/${r.relationshipId}/${decision}`;

/** Approve, or reject with a reason: one small form each. The reason's id is the row's, so labels stay unique. */
function decide(r: ThirdPartyAccessV1, csrf: string, back: string): Html {
  const id = `reason-${r.organizationId}-${r.relationshipId}`;
  const approve = actionButton(decisionPath(r, 'approve'), csrf, `Approve ${r.thirdPartyName}`, {
    hidden: { _back: back },
  });
  return html`${approve}
  ${form(
    decisionPath(r, 'reject'),
    csrf,
    html`<input type="hidden" name="_back" value="${back}" />
      <label for="${id}">Reason to reject ${r.thirdPartyName}</label>
      <input id="${id}" name="reason" required minlength="3" maxlength="500" />
      <button type="submit" class="danger">Reject ${r.thirdPartyName}</button>`,
    { className: 'reject', label: `Reject the request for ${who(r)}` },
  )}`;
}

export function supportPages(kit: ConsoleKit): void {
  kit.view(QUEUE, async ({ req, call, csrf }) => {
    const asked = String(req.query.state ?? 'REQUESTED');
    // An unknown state goes to the API as it is, which refuses it with the states it takes.
    const { items } = await call<{ items: ThirdPartyAccessV1[] }>('GET /support/third-party-requests', {
      query: { state: asked },
    });
    const back = req.originalUrl;
    // Only a request still waiting has a decision to make; the other states say where each one stands.
    const waiting = asked === 'REQUESTED';
    return {
      title: 'Third-party requests to review',
      body: html`${deskLinks(QUEUE)}
        <form method="get" action="${QUEUE}" class="filter">
          ${select({ name: 'state', label: 'Show requests that are', options: STATES, value: asked })}
          <button type="submit" class="secondary">Show</button>
        </form>
        ${table(
          waiting ? 'Waiting for review, oldest first' : `${words(asked)}, oldest first`,
          ['Organization', 'Third party', 'Firm', 'Came by', 'Since', waiting ? 'Decision' : 'Where it stands'],
          items.map((r) => [
            r.organizationName,
            r.thirdPartyName,
            r.firmName,
            words(r.origin),
            when(r.updatedAt),
            // Only a request still waiting can be decided; any other shows where it stands.
            waiting ? decide(r, csrf, back) : r.reason,
          ]),
        )}`,
    };
  });

  kit.action(
    `${QUEUE}/third-party-requests/:organizationId/:relationshipId/:decision`,
    () => QUEUE,
    async ({ req, call }) => {
      const { organizationId, relationshipId, decision } = req.params as Record<string, string>;
      const params = { organizationId, relationshipId };
      const back = typeof req.body._back === 'string' && req.body._back.startsWith(QUEUE) ? req.body._back : QUEUE;
      if (decision === 'approve') {
        const after = await call<ThirdPartyAccessV1>(
          'POST /organizations/:organizationId/third-party-users/:relationshipId/review',
          {
            params,
            body: { decision: 'approve' },
          },
        );
        return {
          to: back,
          done:
            `Approved: ${who(after)} is on ${after.organizationName}'s third-party list, with access off until ` +
            'an org admin turns it on. Its org admins are told by email.',
        };
      }
      if (decision !== 'reject') throw new Problem('not-found', 'A request is approved or rejected, nothing else.');
      const reason = String(req.body.reason ?? '');
      const after = await call<ThirdPartyAccessV1>(
        'POST /organizations/:organizationId/third-party-users/:relationshipId/review',
        {
          params,
          body: { decision: 'reject', reason },
        },
      );
      return {
        to: back,
        done:
          `Rejected: the request for ${who(after)} at ${after.organizationName}. ` +
          `The reason given: ${reason.trim()}`,
      };
    },
  );

  kit.view(TICKETS, async ({ req, call }) => {
    const ticketId = typeof req.query.ticketId === 'string' ? req.query.ticketId.trim() : '';
    let found: Html = html``;
    if (ticketId) {
      try {
        const ticket = await call<SupportTicket>('GET /support/tickets/:ticketId', { params: { ticketId } });
        found = ticketFacts(ticket);
      } catch (err) {
        // Not found, or not a ticket id at all: said beside the form, to try again. A refusal is the API's page.
        if (!(err instanceof Problem) || (err.status !== 404 && err.status !== 400)) throw err;
        found = html`<p class="flash error" role="alert">${problemWords(err)}</p>`;
      }
    }
    return {
      title: 'Look up a ticket',
      body: html`${deskLinks(TICKETS)}
        <form method="get" action="${TICKETS}">
          ${field({ name: 'ticketId', label: 'Ticket id', value: ticketId, required: true, hint: TICKET_HINT })}
          <button type="submit">Look up</button>
        </form>
        ${found}`,
    };
  });

  kit.view(EMAILS, async ({ csrf }) => ({
    title: 'Free a portal email',
    body: html`${deskLinks(EMAILS)}
      <p>
        When an email was registered to the wrong partner or partner user, freeing it changes it to an invalid address
        wherever it is held (an unanswered invitation to it is withdrawn), so the right account can register it. This
        is recorded with your reason.
      </p>
      ${form(
        `${EMAILS}/free`,
        csrf,
        html`${field({ name: 'email', label: 'Email to free', type: 'email', required: true, autocomplete: 'off' })}
          ${field({ name: 'reason', label: 'Why it was wrong', required: true, minlength: 3, hint: REASON_HINT })}
          <button type="submit" class="danger">Free this email</button>`,
      )}`,
  }));

  kit.action(
    `${EMAILS}/free`,
    () => EMAILS,
    async ({ req, call }) => {
      const email = String(req.body.email ?? '');
      const reason = String(req.body.reason ?? '');
      const freed = await call<{ auditEntryId: string }>('POST /support/portal-emails/free', {
        body: { email, reason },
      });
      return {
        to: EMAILS,
        done:
          `${email.trim()} is free: it now belongs to nobody in the portal, so the right account can register it ` +
          `(audit entry ${freed.auditEntryId}).`,
      };
    },
  );
}

/** Where a ticket is; a failed one says why (issue 12: its workflow ended on a step that cannot succeed). */
function ticketStatus(t: SupportTicket): string {
  if (t.status === 'FAILED') return `Failed (${t.failureReason ?? 'no reason recorded'}): ${t.failureDetail ?? ''}`;
  return t.status === 'DISPATCHED' ? 'Dispatched to its workflow' : 'Received, not yet dispatched';
}

/** A ticket as received: what it asked (its payload, field by field), by which channel, what it started. */
function ticketFacts(t: SupportTicket): Html {
  const value = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  return html`<h2>Ticket ${t.ticketId}</h2>
    <dl class="facts">
      <dt>Kind</dt>
      <dd>${t.kind}</dd>
      <dt>Came by</dt>
      <dd>${t.channel === 'http' ? 'HTTP (POST /support/tickets)' : 'Kafka (the help desk topic)'}</dd>
      <dt>Status</dt>
      <dd>${ticketStatus(t)}</dd>
      <dt>Workflow</dt>
      <dd>${t.workflowId ?? '—'}</dd>
      <dt>Received</dt>
      <dd>${when(t.receivedAt)}</dd>
      <dt>Last change</dt>
      <dd>${when(t.updatedAt)}</dd>
    </dl>
    <h3>What it asked</h3>
    <dl class="facts">
      ${Object.entries(t.payload).map(
        ([k, v]) =>
          html`<dt>${k}</dt>
            <dd>${value(v)}</dd>`,
      )}
    </dl>
    ${
      t.kind === 'tpu-request'
        ? html`<p>A third-party request waits in the <a href="${QUEUE}">review queue</a> until it is decided.</p>`
        : ''
    }`;
}
