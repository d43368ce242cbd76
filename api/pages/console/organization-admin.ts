// The org admin's pages for one organization: its third-party users with an on/off toggle (TPU-4, with
// an optional end date, AM-5), its access ledger with revoke (AM-1, AM-4), its client relationships to
// approve, decline, extend or terminate (AM-2), and its access reviews to decide (AM-6). Every read and every
// action is an API route called in process, so the decision point decides here exactly as it does for
// the API: another organization's admin gets the API's refusal as the page, never the data.
import type { Request } from 'express';
import type { z } from 'zod';
import { html, when, words, type Html } from '../html';
import { actionButton, form, table } from '../layout';
import type { ConsoleContext, ConsoleKit } from '../console';
import type { ThirdPartyAccessV1 } from '../../../domain/messages/queries/third-party-access.v1';
import type { ClientRelationshipV1, LedgerEntryV1 } from '../../../domain/messages/queries/access.v1';
import type { AccessReviewItemV1, AccessReviewPolicyV1, AccessReviewSummaryV1 } from '../../routes/access-reviews';

type LedgerEntry = z.infer<typeof LedgerEntryV1>;
type AccessReview = z.infer<typeof AccessReviewSummaryV1>;
type AccessReviewItem = z.infer<typeof AccessReviewItemV1>;
type ReviewPolicy = z.infer<typeof AccessReviewPolicyV1>;

const SOURCE_WORDS: Record<LedgerEntry['source'], string> = {
  OWN: 'Own membership',
  DELEGATION: "A partner firm's delegation",
  GUEST: 'Guest invitation',
  THIRD_PARTY: 'Third-party user',
  OBJECT_SHARE: 'A shared task',
  PARTNER_ACCOUNT: 'Partner account',
};

const DECISION_WORDS: Record<NonNullable<AccessReviewItem['decision']>, string> = {
  CONFIRMED: 'Kept (confirmed)',
  REVOKED: 'Revoked',
  LAPSED: 'Lapsed at the deadline',
  KEPT: 'Kept at the deadline (not confirmed)',
};

const base = (organizationId: string) => `/console/organizations/${organizationId}`;
const paths = {
  thirdParties: base,
  ledger: (organizationId: string) => `${base(organizationId)}/access-ledger`,
  relationships: (organizationId: string) => `${base(organizationId)}/client-relationships`,
  reviews: (organizationId: string) => `${base(organizationId)}/access-reviews`,
};
/** Where a form of this organization goes back to: the path's organization, never the form's word for it. */
const back = (to: (organizationId: string) => string) => (req: Request) => to(String(req.params.organizationId));

/** The organization's pages, as a second row of links under the console's places. */
function pagesNav(organizationId: string, current: string): Html {
  const links: Array<[string, string]> = [
    [paths.thirdParties(organizationId), 'Third-party users'],
    [paths.ledger(organizationId), 'Access ledger'],
    [paths.relationships(organizationId), 'Client relationships'],
    [paths.reviews(organizationId), 'Access reviews'],
  ];
  const link = ([href, label]: [string, string]) =>
    html`<li><a href="${href}" ${href === current ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav aria-label="This organization">
    <ul>
      ${links.map(link)}
    </ul>
  </nav>`;
}

/** A labelled input inside one row's form; `key` makes its id unique on the page. */
function rowInput(o: { name: string; key: string; label: string; type?: string; required?: boolean; hint?: string }) {
  const id = `${o.name}-${o.key}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const required = o.required ? html` required maxlength="500"` : '';
  const described = o.hint ? html` aria-describedby="${id}-hint"` : '';
  return html`<label for="${id}">${o.label}</label>
    <input id="${id}" name="${o.name}" type="${o.type ?? 'text'}" ${required}${described} />
    ${o.hint ? html`<span class="hint" id="${id}-hint">${o.hint}</span>` : ''}`;
}

/** The organization by the API; for anyone but its own people this throws the refusal the page shows. */
const organizationOf = (ctx: ConsoleContext) =>
  ctx.call<{ name: string }>('GET /organizations/:organizationId', {
    params: { organizationId: String(ctx.req.params.organizationId) },
  });

/** An `<input type="date">` value as the end of that day in UTC: "on until 1 May" includes 1 May. */
const endOfDay = (date: string) => `${date}T23:59:59Z`;

export function organizationAdminPages(kit: ConsoleKit): void {
  thirdPartyUserPages(kit);
  accessLedgerPages(kit);
  clientRelationshipPages(kit);
  accessReviewPages(kit);
}

// ---- third-party users (TPU-4, AM-5)
function thirdPartyUserPages(kit: ConsoleKit): void {
  kit.view('/console/organizations/:organizationId', async (ctx) => {
    const organizationId = String(ctx.req.params.organizationId);
    const organization = await organizationOf(ctx);
    const { items } = await ctx.call<{ items: ThirdPartyAccessV1[] }>(
      'GET /organizations/:organizationId/third-party-users',
      { params: { organizationId } },
    );
    const toggle = (tpu: ThirdPartyAccessV1) => {
      const action = `${base(organizationId)}/third-party-users/${tpu.relationshipId}/access`;
      const name = tpu.thirdPartyName;
      if (tpu.state === 'ACCESS_ON') {
        return actionButton(action, ctx.csrf, `Turn off access for ${name}`, { hidden: { access: 'off' } });
      }
      if (tpu.state !== 'LISTED') return '—';
      const until = rowInput({
        name: 'until',
        key: tpu.relationshipId,
        type: 'date',
        label: 'Access ends on (optional)',
        hint: 'It turns itself off at the end of that day (UTC), at most 2 years ahead.',
      });
      const fields = html`<input type="hidden" name="access" value="on" />
        ${until}
        <button type="submit">Turn on access for ${name}</button>`;
      return form(action, ctx.csrf, fields, { className: 'inline', label: `Turn on access for ${name}` });
    };
    const row = (tpu: ThirdPartyAccessV1) => [
      tpu.thirdPartyName,
      tpu.firmName,
      words(tpu.state),
      tpu.reason,
      when(tpu.accessEndsAt),
      toggle(tpu),
    ];
    return {
      title: `${organization.name}: third-party users`,
      body: html`${pagesNav(organizationId, ctx.req.path)}
        <p>A newly listed third party's access is off until an org admin turns it on. Access is all or nothing.</p>
        ${table('Third-party users', ['Name', 'Firm', 'State', 'Why', 'Access ends', 'Access'], items.map(row))}`,
    };
  });

  kit.action(
    '/console/organizations/:organizationId/third-party-users/:relationshipId/access',
    back(paths.thirdParties),
    async ({ req, call }) => {
      const { organizationId, relationshipId } = req.params as { organizationId: string; relationshipId: string };
      const date = typeof req.body.until === 'string' ? req.body.until : '';
      const on = { access: 'on', ...(date ? { until: endOfDay(date) } : {}) };
      const body = req.body.access === 'on' ? on : { access: 'off' };
      const after = await call<ThirdPartyAccessV1>(
        'PUT /organizations/:organizationId/third-party-users/:relationshipId/access',
        { params: { organizationId, relationshipId }, body },
      );
      const ends = after.accessEndsAt ? ` until ${when(after.accessEndsAt)}` : '';
      const done = `Access for ${after.thirdPartyName} is ${body.access}${ends}.`;
      return { to: paths.thirdParties(organizationId), done };
    },
  );
}

// ---- the access ledger (AM-1, AM-4, AM-7)
function accessLedgerPages(kit: ConsoleKit): void {
  kit.view('/console/organizations/:organizationId/access-ledger', async (ctx) => {
    const organizationId = String(ctx.req.params.organizationId);
    const organization = await organizationOf(ctx);
    const { items } = await ctx.call<{ items: LedgerEntry[] }>('GET /organizations/:organizationId/access-ledger', {
      params: { organizationId },
    });
    const revoke = (entry: LedgerEntry) => {
      if (!entry.revocable) return 'Not revocable here';
      const fields = html`<input type="hidden" name="grantId" value="${entry.grantId}" />
        ${rowInput({ name: 'reason', key: entry.grantId, label: 'Reason', required: true })}
        <button type="submit" class="danger">Revoke</button>`;
      const label = `Revoke ${entry.name}: ${SOURCE_WORDS[entry.source]}`;
      return form(`${paths.ledger(organizationId)}/revocations`, ctx.csrf, fields, { className: 'inline', label });
    };
    const row = (e: LedgerEntry) => [
      e.name,
      words(e.level),
      SOURCE_WORDS[e.source],
      e.why,
      html`${when(e.grantedAt)}${e.grantedBy ? html`<br />by ${e.grantedBy.name}` : ''}`,
      when(e.expiresAt),
      revoke(e),
    ];
    return {
      title: `${organization.name}: access ledger`,
      body: html`${pagesNav(organizationId, ctx.req.path)}
        <p>
          Everyone who can act in this organization, at what level, and why. Revoking takes effect at once, with
          everything that derives from the grant.
        </p>
        ${table(
          'Who can act here',
          ['Person', 'Level', 'Source', 'Why', 'Granted', 'Ends', 'Revoke'],
          items.map(row),
        )}`,
    };
  });

  const revocations = '/console/organizations/:organizationId/access-ledger/revocations';
  kit.action(revocations, back(paths.ledger), async ({ req, call }) => {
    const organizationId = String(req.params.organizationId);
    const revoked = await call<LedgerEntry>('POST /organizations/:organizationId/access-ledger/revocations', {
      params: { organizationId },
      body: { grantId: req.body.grantId, reason: req.body.reason },
    });
    const what = SOURCE_WORDS[revoked.source].toLowerCase();
    return { to: paths.ledger(organizationId), done: `Revoked at once: ${revoked.name} (${what}) no longer has it.` };
  });
}

// ---- client relationships (AM-2)
function clientRelationshipPages(kit: ConsoleKit): void {
  kit.view('/console/organizations/:organizationId/client-relationships', async (ctx) => {
    const organizationId = String(ctx.req.params.organizationId);
    const organization = await organizationOf(ctx);
    const { items } = await ctx.call<{ items: ClientRelationshipV1[] }>(
      'GET /organizations/:organizationId/client-relationships',
      { params: { organizationId } },
    );
    const target = (r: ClientRelationshipV1, what: string) =>
      `${paths.relationships(organizationId)}/${r.clientRelationshipId}/${what}`;
    const withReason = (r: ClientRelationshipV1, what: 'decline' | 'terminate', button: string) => {
      const key = `${what}-${r.clientRelationshipId}`;
      const fields = html`${rowInput({ name: 'reason', key, label: 'Reason', required: true })}
        <button type="submit" class="danger">${button}</button>`;
      const label = `${button}: ${r.partnerFirmName}`;
      return form(target(r, what), ctx.csrf, fields, { className: 'inline', label });
    };
    const extend = (r: ClientRelationshipV1) => {
      const endsOn = rowInput({
        name: 'endsOn',
        key: `extend-${r.clientRelationshipId}`,
        type: 'date',
        label: 'New end date',
        required: true,
        hint: 'After the current end date, at most 2 years ahead; it ends at the end of that day (UTC).',
      });
      const fields = html`${endsOn} <button type="submit">Extend</button>`;
      const label = `Extend: ${r.partnerFirmName}`;
      return form(target(r, 'extend'), ctx.csrf, fields, { className: 'inline', label });
    };
    const actions = (r: ClientRelationshipV1) => {
      if (r.state === 'PENDING_APPROVAL') {
        return html`${actionButton(target(r, 'approve'), ctx.csrf, `Approve ${r.partnerFirmName}`)}
        ${withReason(r, 'decline', 'Decline')}`;
      }
      if (r.state === 'ACTIVE') return html`${extend(r)} ${withReason(r, 'terminate', 'End now')}`;
      return '—';
    };
    const term = (r: ClientRelationshipV1) =>
      `${r.durationDays} days once approved${r.autoExtend ? ', then extends itself by 180 days at a time' : ''}`;
    const row = (r: ClientRelationshipV1) => [
      r.partnerFirmName,
      words(r.state),
      words(r.roleCeiling),
      term(r),
      when(r.expiresAt),
      r.reason,
      actions(r),
    ];
    const headers = ['Partner firm', 'State', 'Role ceiling', 'Term', 'Ends', 'Why', 'Actions'];
    return {
      title: `${organization.name}: client relationships`,
      body: html`${pagesNav(organizationId, ctx.req.path)}
        <p>
          A partner firm works for this organization only under a relationship its org admins approved, up to its role
          ceiling and until its end date. An org admin can move the end date later; both sides are told. Either side
          can end it; ending it revokes everything delegated under it.
        </p>
        ${table('Client relationships', headers, items.map(row))}`,
    };
  });

  // Each command's body from its form: approve has none; extend's date is the end of that day in UTC.
  type Form = Record<string, unknown>;
  const bodies = {
    approve: () => undefined,
    decline: (f: Form) => ({ reason: f.reason }),
    terminate: (f: Form) => ({ reason: f.reason }),
    extend: (f: Form) => ({ expiresAt: typeof f.endsOn === 'string' && f.endsOn ? endOfDay(f.endsOn) : undefined }),
  };
  const relationshipAction = (what: keyof typeof bodies, done: (r: ClientRelationshipV1) => string) =>
    kit.action(
      `/console/organizations/:organizationId/client-relationships/:clientRelationshipId/${what}`,
      back(paths.relationships),
      async ({ req, call }) => {
        const organizationId = String(req.params.organizationId);
        const clientRelationshipId = String(req.params.clientRelationshipId);
        const body = bodies[what](req.body);
        const after = await call<ClientRelationshipV1>(`POST /client-relationships/:clientRelationshipId/${what}`, {
          params: { clientRelationshipId },
          ...(body === undefined ? {} : { body }),
        });
        return { to: paths.relationships(organizationId), done: done(after) };
      },
    );
  relationshipAction('approve', (r) => `Approved: ${r.partnerFirmName} works for you until ${when(r.expiresAt)}.`);
  relationshipAction('decline', (r) => `Declined: ${r.partnerFirmName} is told why.`);
  relationshipAction(
    'extend',
    (r) => `Extended: ${r.partnerFirmName} works for you until ${when(r.expiresAt)}; both sides are told.`,
  );
  relationshipAction(
    'terminate',
    (r) => `Ended: ${r.partnerFirmName} no longer works for you; what it delegated is revoked.`,
  );
}

// ---- access reviews (AM-6)
function accessReviewPages(kit: ConsoleKit): void {
  kit.view('/console/organizations/:organizationId/access-reviews', async (ctx) => {
    const organizationId = String(ctx.req.params.organizationId);
    const organization = await organizationOf(ctx);
    const params = { organizationId };
    const [{ items }, policy] = await Promise.all([
      ctx.call<{ items: AccessReview[] }>('GET /organizations/:organizationId/access-reviews', { params }),
      ctx.call<ReviewPolicy>('GET /organizations/:organizationId/access-review-policy', { params }),
    ]);
    const schedule = policy.enabled
      ? `A review opens every ${policy.everyDays} days (next: ${when(policy.nextReviewAt)}).`
      : 'Reviews open only when an org admin starts one.';
    const afterDeadline = policy.unconfirmed === 'LAPSE' ? 'is revoked' : 'stays';
    const open = items.some((r) => r.state === 'OPEN');
    const link = (r: AccessReview) =>
      html`<a href="${paths.reviews(organizationId)}/${r.reviewId}"
        >${r.state === 'OPEN' ? 'Decide' : 'See'} the review of ${when(r.createdAt)}</a
      >`;
    const row = (r: AccessReview) => [
      when(r.createdAt),
      words(r.state),
      when(r.deadline),
      `${r.decided} of ${r.total}`,
      r.confirmed + r.kept,
      r.revoked + r.lapsed,
      link(r),
    ];
    return {
      title: `${organization.name}: access reviews`,
      body: html`${pagesNav(organizationId, ctx.req.path)}
        <p>
          ${schedule} Org admins have ${policy.deadlineDays} days to keep or revoke each grant that is not an own
          membership; what nobody decided by then ${afterDeadline}.
        </p>
        ${open ? '' : actionButton(paths.reviews(organizationId), ctx.csrf, 'Start a review now')}
        ${table(
          'Access reviews',
          ['Opened', 'State', 'Deadline', 'Decided', 'Kept', 'Revoked', 'Review'],
          items.map(row),
        )}`,
    };
  });

  kit.action('/console/organizations/:organizationId/access-reviews', back(paths.reviews), async ({ req, call }) => {
    const organizationId = String(req.params.organizationId);
    const review = await call<AccessReview>('POST /organizations/:organizationId/access-reviews', {
      params: { organizationId },
    });
    return {
      to: `${paths.reviews(organizationId)}/${review.reviewId}`,
      done: `A review is open: ${review.total} grants to keep or revoke by ${when(review.deadline)}.`,
    };
  });

  kit.view('/console/organizations/:organizationId/access-reviews/:reviewId', async (ctx) => {
    const organizationId = String(ctx.req.params.organizationId);
    const reviewId = String(ctx.req.params.reviewId);
    const organization = await organizationOf(ctx);
    const review = await ctx.call<AccessReview & { items: AccessReviewItem[] }>(
      'GET /organizations/:organizationId/access-reviews/:reviewId',
      { params: { organizationId, reviewId } },
    );
    // The ledger names the person and the level of each grant that still stands.
    const { items: ledger } = await ctx.call<{ items: LedgerEntry[] }>(
      'GET /organizations/:organizationId/access-ledger',
      { params: { organizationId } },
    );
    const entries = new Map(ledger.map((e) => [e.grantId, e]));
    const action = `${paths.reviews(organizationId)}/${reviewId}/decisions`;
    const decide = (item: AccessReviewItem) => {
      if (item.decision) return html`${DECISION_WORDS[item.decision]}<br />${when(item.decidedAt)}`;
      if (review.state !== 'OPEN') return '—';
      const name = entries.get(item.grantId)?.name ?? 'this grant';
      const button = (decision: 'confirm' | 'revoke', label: string) =>
        actionButton(action, ctx.csrf, label, {
          hidden: { grantId: item.grantId, decision },
          danger: decision === 'revoke',
        });
      return html`${button('confirm', `Keep ${name}`)}${button('revoke', `Revoke ${name}`)}`;
    };
    const row = (item: AccessReviewItem) => {
      const entry = entries.get(item.grantId);
      return [entry?.name ?? '—', entry ? words(entry.level) : '—', item.why ?? 'No longer held', decide(item)];
    };
    const lastly = review.unconfirmed === 'LAPSE' ? 'is revoked (it lapses)' : 'stays, marked as kept';
    // Every grant decided: the review's workflow completes it a moment later, so the region stays live until then.
    const completing = review.state === 'OPEN' && review.decided === review.total;
    const status =
      review.state === 'COMPLETED'
        ? html`<p>Completed ${when(review.completedAt)}.</p>`
        : completing
          ? html`<p>Every grant is decided; the review is completing.</p>`
          : html`<p>
              Keep or revoke each grant by ${when(review.deadline)}; what is not decided by then ${lastly}. The review
              completes as soon as every grant is decided.
            </p>`;
    return {
      title: `${organization.name}: access review of ${when(review.createdAt)}`,
      body: html`${pagesNav(organizationId, paths.reviews(organizationId))}
        <div data-live${completing ? '' : html` data-live-done`}>
          <dl class="facts">
            <dt>State</dt>
            <dd>${words(review.state)}</dd>
            <dt>Decided</dt>
            <dd>${review.decided} of ${review.total}</dd>
            <dt>Kept</dt>
            <dd>${review.confirmed + review.kept}</dd>
            <dt>Revoked</dt>
            <dd>${review.revoked + review.lapsed}</dd>
            <dt>Deadline</dt>
            <dd>${when(review.deadline)}</dd>
          </dl>
          ${status}
        </div>
        ${table('Grants under review', ['Person', 'Level', 'Why', 'Decision'], review.items.map(row))}
        <p><a href="${paths.reviews(organizationId)}">All access reviews</a></p>`,
    };
  });

  kit.action(
    '/console/organizations/:organizationId/access-reviews/:reviewId/decisions',
    (req) => `${paths.reviews(String(req.params.organizationId))}/${String(req.params.reviewId)}`,
    async ({ req, call }) => {
      const { organizationId, reviewId } = req.params as { organizationId: string; reviewId: string };
      const after = await call<AccessReview>(
        'POST /organizations/:organizationId/access-reviews/:reviewId/decisions',
        { params: { organizationId, reviewId }, body: { grantId: req.body.grantId, decision: req.body.decision } },
      );
      const what = req.body.decision === 'revoke' ? 'Revoked at once' : 'Kept';
      const progress =
        after.decided === after.total
          ? 'Every grant is decided: the review is complete.'
          : `${after.decided} of ${after.total} decided.`;
      return { to: `${paths.reviews(organizationId)}/${reviewId}`, done: `${what}. ${progress}` };
    },
  );
}
