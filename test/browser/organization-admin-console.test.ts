/// <reference lib="dom" />
// The org admin's console in a real browser (Debian's chromium) on the real stack: an org admin signs in
// through the sign-in page, opens their organization, and works its pages: third-party users on and off
// (TPU-4, AM-5), the access ledger's revoke (AM-4), client relationships (AM-2), an access review
// (AM-6). What each click did is read back from the API and the database. Another organization's admin
// gets the refusal, not the data (AM-3). Every page shown is checked with axe and saved as a screenshot.
import type { Browser, Page } from 'playwright-core';
import { uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createOrganization, createPartnerAccount, createUser } from '../support/world';
import { reviewableOrganization } from '../support/access-review-world';
import { launchBrowser, lookAt, newPage, signIn } from '../support/browser';
import { hashPassword } from '../../platform/secrets';

const PASSWORD = 'an org admin password';
let api: TestApi;
let worker: TestWorker;
let browser: Browser;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await worker?.stop();
});

/** An organization with grants to see (a delegated membership, a task share), its admin able to sign in. */
async function organization() {
  const w = await reviewableOrganization(api.db);
  await api.db.user.update({ where: { id: w.admin.id }, data: { passwordHash: await hashPassword(PASSWORD) } });
  return { ...w, adminToken: await api.token(w.admin.id) };
}

/** TPU-2, TPU-3: a third party requested by the org admin and approved by support, so LISTED (access off). */
async function listedThirdParty(w: Awaited<ReturnType<typeof organization>>) {
  const consultant = await createUser(api.db, { firmName: 'Ledgerwise' });
  const agent = await createUser(api.db);
  await api.db.supportAgent.create({ data: { userId: agent.id } });
  const base = `/organizations/${w.org.id}/third-party-users`;
  const name = `Carla ${uniqueSuffix()}`;
  const requested = await api.call('POST', base, {
    token: w.adminToken,
    body: { thirdPartyName: name, firmName: 'Ledgerwise', email: consultant.email },
  });
  expect(requested.status).toBe(202);
  const relationshipId = requested.body.relationshipId as string;
  const approved = await api.call('POST', `${base}/${relationshipId}/review`, {
    token: await api.token(agent.id),
    body: { decision: 'approve' },
  });
  expect(approved).toMatchObject({ status: 200, body: { state: 'LISTED' } });
  const read = async () => (await api.call('GET', `${base}/${relationshipId}`, { token: w.adminToken })).body;
  return { name, relationshipId, read };
}

/** Signs in through the sign-in page, then opens the organization from the console's home. */
async function openOrganization(page: Page, w: Awaited<ReturnType<typeof organization>>) {
  await signIn(page, api.url, w.admin.email, PASSWORD);
  await page.getByRole('main').getByRole('link', { name: w.org.name }).click();
  await page.waitForURL(new RegExp(`/console/organizations/${w.org.id}$`));
}

const flash = (page: Page) => page.getByRole('status').innerText();
const alert = (page: Page) => page.getByRole('alert').innerText();
const row = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });

it('TPU-4 AM-5 an org admin turns a third party on and off in the console; the API shows each change', async () => {
  const w = await organization();
  const tpu = await listedThirdParty(w);
  const { page, context, problems } = await newPage(browser);
  try {
    await openOrganization(page, w);
    const heading = page.getByRole('heading', { level: 1 });
    await expect(heading.innerText()).resolves.toBe(`${w.org.name}: third-party users`);
    await expect(row(page, tpu.name).innerText()).resolves.toMatch(/Listed/);
    expect(await lookAt(page, 'org-admin-third-party-users-listed')).toEqual([]);

    await page.getByRole('button', { name: `Turn on access for ${tpu.name}` }).click();
    await expect(flash(page)).resolves.toBe(`Access for ${tpu.name} is on.`);
    expect(await tpu.read()).toMatchObject({ state: 'ACCESS_ON', accessEndsAt: null });
    await expect(row(page, tpu.name).innerText()).resolves.toMatch(/Access on/);
    expect(await lookAt(page, 'org-admin-third-party-users-on')).toEqual([]);

    await page.getByRole('button', { name: `Turn off access for ${tpu.name}` }).click();
    await expect(flash(page)).resolves.toBe(`Access for ${tpu.name} is off.`);
    expect(await tpu.read()).toMatchObject({ state: 'LISTED' });
    expect(await lookAt(page, 'org-admin-third-party-users-off')).toEqual([]);

    // AM-5: on until a date; a date already past is the API's refusal, shown on the page, and changes nothing.
    const turnOn = page.getByRole('form', { name: `Turn on access for ${tpu.name}` });
    const day = (offset: number) => new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10);
    await turnOn.getByLabel('Access ends on (optional)').fill(day(-1));
    await turnOn.getByRole('button').click();
    await expect(alert(page)).resolves.toMatch(/until must be in the future/);
    expect(await tpu.read()).toMatchObject({ state: 'LISTED' });
    expect(await lookAt(page, 'org-admin-third-party-users-refused-date')).toEqual([]);

    await turnOn.getByLabel('Access ends on (optional)').fill(day(30));
    await turnOn.getByRole('button').click();
    await expect(flash(page)).resolves.toBe(`Access for ${tpu.name} is on until ${day(30)} 23:59 UTC.`);
    expect(await tpu.read()).toMatchObject({ state: 'ACCESS_ON', accessEndsAt: `${day(30)}T23:59:59.000Z` });
    expect(problems.errors).toEqual([]);
  } finally {
    await context.close();
  }
});

it('AM-4 AM-7 an org admin revokes a task share from the access ledger; it is gone at once', async () => {
  const w = await organization();
  const { page, context, problems } = await newPage(browser);
  try {
    await openOrganization(page, w);
    const pages = page.getByRole('navigation', { name: 'This organization' });
    await pages.getByRole('link', { name: 'Access ledger' }).click();
    await expect(row(page, w.partner.displayName).innerText()).resolves.toMatch(/A shared task/);
    await expect(row(page, w.staff.displayName).innerText()).resolves.toMatch(/partner firm's delegation/);
    // Own memberships are listed, but not revocable here.
    await expect(row(page, 'ORG_ADMIN 1').innerText()).resolves.toMatch(/Own membership.*Not revocable here/s);
    expect(await lookAt(page, 'org-admin-access-ledger')).toEqual([]);

    const revoke = page.getByRole('form', { name: `Revoke ${w.partner.displayName}: A shared task` });
    await revoke.getByLabel('Reason').fill('The quarterly close is done.');
    await revoke.getByRole('button', { name: 'Revoke' }).click();
    const revoked = `Revoked at once: ${w.partner.displayName} (a shared task) no longer has it.`;
    await expect(flash(page)).resolves.toBe(revoked);
    expect(await api.db.taskGrant.count({ where: { taskId: w.task.id } })).toBe(0);
    const ledger = await api.call('GET', `/organizations/${w.org.id}/access-ledger`, { token: w.adminToken });
    expect(ledger.body.items.map((e: { grantId: string }) => e.grantId)).not.toContain(w.grants.share);
    expect(ledger.body.items.map((e: { grantId: string }) => e.grantId)).toContain(w.grants.delegated);
    await expect(row(page, w.partner.displayName).count()).resolves.toBe(0);
    expect(await lookAt(page, 'org-admin-access-ledger-revoked')).toEqual([]);
    expect(problems.errors).toEqual([]);
  } finally {
    await context.close();
  }
});

it('AM-2 an org admin approves, extends, ends and declines client relationships in the console', async () => {
  const w = await organization();
  const ask = async () => {
    const { firm, staff } = await createPartnerAccount(api.db, ['ACCOUNT_OWNER']);
    const asked = await api.call('POST', `/partner-firms/${firm.id}/client-relationships`, {
      token: await api.token(staff[0].id),
      body: { organizationId: w.org.id, roleCeiling: 'PRODUCT_ADMIN', durationDays: 365 },
    });
    expect(asked).toMatchObject({ status: 201, body: { state: 'PENDING_APPROVAL' } });
    const state = async () =>
      (await api.db.clientRelationship.findUniqueOrThrow({ where: { id: asked.body.clientRelationshipId } })).state;
    return { firm, state, id: asked.body.clientRelationshipId as string };
  };
  const approving = await ask();
  const declining = await ask();
  const { page, context, problems } = await newPage(browser);
  try {
    await openOrganization(page, w);
    await page.getByRole('link', { name: 'Client relationships' }).click();
    await expect(row(page, approving.firm.name).innerText()).resolves.toMatch(/Pending approval\s+Product admin/);
    expect(await lookAt(page, 'org-admin-client-relationships-pending')).toEqual([]);

    await page.getByRole('button', { name: `Approve ${approving.firm.name}` }).click();
    await expect(flash(page)).resolves.toMatch(new RegExp(`^Approved: ${approving.firm.name} works for you until `));
    expect(await approving.state()).toBe('ACTIVE');
    await expect(row(page, approving.firm.name).innerText()).resolves.toMatch(/Active/);

    // Extended by hand: a date before the current end is refused, a later one moves it (the end of that day, UTC).
    const approved = await api.db.clientRelationship.findUniqueOrThrow({ where: { id: approving.id } });
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const extend = page.getByRole('form', { name: `Extend: ${approving.firm.name}` });
    await extend.getByLabel('New end date').fill(day(approved.expiresAt!.getTime() - 86400_000));
    await extend.getByRole('button', { name: 'Extend' }).click();
    await expect(alert(page)).resolves.toMatch(/already ends on .*choose a later date/);
    const later = day(approved.expiresAt!.getTime() + 30 * 86400_000);
    await extend.getByLabel('New end date').fill(later);
    await extend.getByRole('button', { name: 'Extend' }).click();
    await expect(flash(page)).resolves.toBe(
      `Extended: ${approving.firm.name} works for you until ${later} 23:59 UTC; both sides are told.`,
    );
    expect(await api.db.clientRelationship.findUniqueOrThrow({ where: { id: approving.id } })).toMatchObject({
      state: 'ACTIVE',
      expiresAt: new Date(`${later}T23:59:59Z`),
      extensions: 1,
    });
    await expect(row(page, approving.firm.name).innerText()).resolves.toContain(`${later} 23:59 UTC`);
    expect(await lookAt(page, 'org-admin-client-relationships-extended')).toEqual([]);

    const decline = page.getByRole('form', { name: `Decline: ${declining.firm.name}` });
    await decline.getByLabel('Reason').fill('We work with another firm.');
    await decline.getByRole('button', { name: 'Decline' }).click();
    await expect(flash(page)).resolves.toBe(`Declined: ${declining.firm.name} is told why.`);
    expect(await declining.state()).toBe('DECLINED');
    await expect(row(page, declining.firm.name).innerText()).resolves.toMatch(/We work with another firm/);
    expect(await lookAt(page, 'org-admin-client-relationships-decided')).toEqual([]);

    const end = page.getByRole('form', { name: `End now: ${approving.firm.name}` });
    await end.getByLabel('Reason').fill('The engagement is over.');
    await end.getByRole('button', { name: 'End now' }).click();
    await expect(flash(page)).resolves.toMatch(new RegExp(`^Ended: ${approving.firm.name} no longer works for you`));
    expect(await approving.state()).toBe('TERMINATED');
    expect(await lookAt(page, 'org-admin-client-relationships-ended')).toEqual([]);
    expect(problems.errors).toEqual([]);
  } finally {
    await context.close();
  }
});

it('AM-6 an org admin starts an access review, keeps one grant, revokes the other; the review completes', async () => {
  const w = await organization();
  const { page, context, problems } = await newPage(browser);
  try {
    await openOrganization(page, w);
    await page.getByRole('link', { name: 'Access reviews' }).click();
    await expect(page.getByText('Access reviews: none.').isVisible()).resolves.toBe(true);
    expect(await lookAt(page, 'org-admin-access-reviews-none')).toEqual([]);

    await page.getByRole('button', { name: 'Start a review now' }).click();
    await page.waitForURL(/\/access-reviews\/[0-9a-f-]{36}$/);
    await expect(flash(page)).resolves.toMatch(/^A review is open: 2 grants to keep or revoke by /);
    const reviewId = page.url().split('/').pop()!;
    expect(await lookAt(page, 'org-admin-access-review-open')).toEqual([]);

    await page.getByRole('button', { name: `Keep ${w.staff.displayName}` }).click();
    await expect(flash(page)).resolves.toBe('Kept. 1 of 2 decided.');
    await page.getByRole('button', { name: `Revoke ${w.partner.displayName}` }).click();
    await expect(flash(page)).resolves.toBe('Revoked at once. Every grant is decided: the review is complete.');
    // The workflow completes it a moment after the last decision; the page's live region shows when it has.
    await page.getByText(/^Completed \d{4}-/).waitFor({ timeout: 15000 });
    expect(await lookAt(page, 'org-admin-access-review-completed')).toEqual([]);

    const review = await api.db.accessReview.findUniqueOrThrow({ where: { id: reviewId }, include: { items: true } });
    expect(review.state).toBe('COMPLETED');
    const decisions = Object.fromEntries(review.items.map((i) => [i.grantId, i.decision]));
    expect(decisions).toEqual({ [w.grants.delegated]: 'CONFIRMED', [w.grants.share]: 'REVOKED' });
    expect(await api.db.taskGrant.count({ where: { taskId: w.task.id } })).toBe(0);
    expect(await api.db.membership.count({ where: { id: w.membership.id } })).toBe(1);

    await page.getByRole('link', { name: 'All access reviews' }).click();
    await expect(row(page, 'Completed').innerText()).resolves.toMatch(/2 of 2/);
    expect(await lookAt(page, 'org-admin-access-reviews-list')).toEqual([]);
    expect(problems.errors).toEqual([]);
  } finally {
    await context.close();
  }
});

it("AM-3 another organization's admin gets the refusal page, not the data; its forms change nothing", async () => {
  const w = await organization();
  const tpu = await listedThirdParty(w);
  const started = await api.call('POST', `/organizations/${w.org.id}/access-reviews`, { token: w.adminToken });
  expect(started.status).toBe(201);
  const stranger = (await createOrganization(api.db, { ORG_ADMIN: 1 })).members.ORG_ADMIN[0];
  await api.db.user.update({ where: { id: stranger.id }, data: { passwordHash: await hashPassword(PASSWORD) } });
  const { page, context, problems } = await newPage(browser);
  try {
    await signIn(page, api.url, stranger.email, PASSWORD);
    const base = `${api.url}/console/organizations/${w.org.id}`;
    const review = `/access-reviews/${started.body.reviewId}`;
    const pages = ['', '/access-ledger', '/client-relationships', '/access-reviews', review];
    for (const [i, path] of pages.entries()) {
      const response = await page.goto(`${base}${path}`);
      expect(response?.status()).toBe(403);
      await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('You may not do this');
      const text = await page.getByRole('main').innerText();
      for (const secret of [w.org.name, tpu.name, w.partner.displayName, w.staff.displayName]) {
        expect(text).not.toContain(secret);
      }
      expect(await lookAt(page, `org-admin-refused-${i}`)).toEqual([]);
    }

    // A well-formed post (this session's own CSRF token) to this organization's toggle: the API refuses.
    await page.goto(`${api.url}/console`);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const posted = await context.request.post(`${base}/third-party-users/${tpu.relationshipId}/access`, {
      form: { _csrf: csrf, access: 'on' },
      maxRedirects: 0,
    });
    expect(posted.status()).toBe(303);
    await page.goto(`${api.url}${posted.headers().location}`);
    expect(await tpu.read()).toMatchObject({ state: 'LISTED' });
    expect(problems.errors.filter((e) => !e.includes('403'))).toEqual([]);
  } finally {
    await context.close();
  }
});
