/// <reference lib="dom" />
// The support desk's console pages in a real browser (Debian's chromium), on the real stack: the
// review queue of third-party requests across organizations with approve and reject (TPU-3), a ticket
// looked up by its id (INT-1), a portal email freed (PP-2), and the refusal someone else gets.
import type { Browser, Page } from 'playwright-core';
import { mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createOrganization, createUser } from '../support/world';
import { launchBrowser, lookAt, newPage, signIn } from '../support/browser';
import { hashPassword } from '../../platform/secrets';

const PASSWORD = 'support desk password';
let api: TestApi;
let worker: TestWorker;
let browser: Browser;
let agent: { id: string; email: string };
let agentToken: string;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue, ticketKinds: 'engine' });
  browser = await launchBrowser();
  agent = await createUser(api.db);
  await api.db.supportAgent.create({ data: { userId: agent.id } });
  await api.db.user.update({ where: { id: agent.id }, data: { passwordHash: await hashPassword(PASSWORD) } });
  agentToken = await api.token(agent.id);
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await worker?.stop();
});

/** A third party requested by an org admin of a fresh organization, through the API and its workflow. */
async function requestedThirdParty(firstName: string) {
  const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1 });
  const consultant = await createUser(api.db, { firmName: 'Ledgerwise' });
  const thirdPartyName = `${firstName} ${uniqueSuffix()}`;
  const res = await api.call('POST', `/organizations/${org.id}/third-party-users`, {
    token: await api.token(members.ORG_ADMIN[0].id),
    body: { thirdPartyName, firmName: 'Ledgerwise', email: consultant.email },
  });
  expect(res).toMatchObject({ status: 202, body: { state: 'REQUESTED' } });
  const relationshipId = res.body.relationshipId as string;
  const row = () =>
    api.db.thirdPartyRelationship.findUniqueOrThrow({
      where: { organizationId_relationshipId: { organizationId: org.id, relationshipId } },
    });
  return { org, orgAdmin: members.ORG_ADMIN[0], thirdPartyName, relationshipId, row };
}

/** The queue's row for a request, by its (unique) third party's name. */
const queueRow = (page: Page, thirdPartyName: string) => page.locator('tbody tr', { hasText: thirdPartyName });

async function asSupport<T>(run: (page: Page, problems: string[]) => Promise<T>): Promise<T> {
  const { page, context, problems } = await newPage(browser);
  try {
    await signIn(page, api.url, agent.email, PASSWORD);
    return await run(page, problems.errors);
  } finally {
    await context.close();
  }
}

it('TPU-3 support sees a request from another organization in the queue, approves it there: LISTED', async () => {
  const request = await requestedThirdParty('Carla');
  await asSupport(async (page, errors) => {
    await page.getByRole('navigation', { name: 'Places' }).getByRole('link', { name: 'Support' }).click();
    await page.waitForURL(/\/console\/support$/);
    await expect(page.getByRole('heading', { name: 'Third-party requests to review' }).isVisible()).resolves.toBe(
      true,
    );
    const row = queueRow(page, request.thirdPartyName);
    await expect(row.innerText()).resolves.toContain(request.org.name);
    expect(await lookAt(page, 'support-queue')).toEqual([]);

    await row.getByRole('button', { name: `Approve ${request.thirdPartyName}` }).click();
    await page.waitForURL(/\/console\/support\?state=REQUESTED$|\/console\/support$/);
    await expect(page.getByRole('status').innerText()).resolves.toBe(
      `Approved: ${request.thirdPartyName} (Ledgerwise) is on ${request.org.name}'s third-party list, ` +
        'with access off until an org admin turns it on. Its org admins are told by email.',
    );
    await expect(queueRow(page, request.thirdPartyName).count()).resolves.toBe(0);
    expect(await lookAt(page, 'support-queue-approved')).toEqual([]);

    // Listed, in the database and by the API, and the organization's org admin is told (TPU-3).
    expect(await request.row()).toMatchObject({ state: 'LISTED' });
    const seen = await api.call(
      'GET',
      `/organizations/${request.org.id}/third-party-users/${request.relationshipId}`,
      { token: agentToken },
    );
    expect(seen.body).toMatchObject({ state: 'LISTED', thirdPartyName: request.thirdPartyName });
    await mailSink.waitFor(
      request.orgAdmin.email,
      new RegExp(`${request.thirdPartyName} \\(Ledgerwise\\) was added as a third-party user`),
    );

    // The queue's other states: the approved request is among the listed ones.
    await page.getByLabel('Show requests that are').selectOption('LISTED');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/state=LISTED/);
    await expect(queueRow(page, request.thirdPartyName).innerText()).resolves.toContain('Access is off');
    expect(await lookAt(page, 'support-queue-listed')).toEqual([]);
    expect(errors).toEqual([]);
  });
});

it('TPU-3 support rejects a request with a reason; a reason too short is refused and changes nothing', async () => {
  const request = await requestedThirdParty('Omar');
  await asSupport(async (page) => {
    await page.goto(`${api.url}/console/support`);
    const row = queueRow(page, request.thirdPartyName);
    const reason = row.getByLabel(`Reason to reject ${request.thirdPartyName}`);

    // The browser's own minlength check stops the form; without it the API refuses, with its words.
    await reason.fill('no');
    await page.evaluate(() =>
      document.querySelectorAll('input[minlength]').forEach((input) => input.removeAttribute('minlength')),
    );
    await row.getByRole('button', { name: `Reject ${request.thirdPartyName}` }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/reason.*>=3 characters/);
    expect(await request.row()).toMatchObject({ state: 'REQUESTED' });
    expect(await lookAt(page, 'support-queue-reject-refused')).toEqual([]);

    await queueRow(page, request.thirdPartyName)
      .getByLabel(`Reason to reject ${request.thirdPartyName}`)
      .fill('Not a real consultant of theirs');
    await queueRow(page, request.thirdPartyName)
      .getByRole('button', { name: `Reject ${request.thirdPartyName}` })
      .click();
    await expect(page.getByRole('status').innerText()).resolves.toBe(
      `Rejected: the request for ${request.thirdPartyName} (Ledgerwise) at ${request.org.name}. ` +
        'The reason given: Not a real consultant of theirs',
    );
    expect(await request.row()).toMatchObject({
      state: 'REJECTED',
      reason: 'Rejected by support: Not a real consultant of theirs',
    });
    await expect(queueRow(page, request.thirdPartyName).count()).resolves.toBe(0);

    await page.goto(`${api.url}/console/support?state=REJECTED`);
    await expect(queueRow(page, request.thirdPartyName).innerText()).resolves.toContain(
      'Not a real consultant of theirs',
    );
    expect(await lookAt(page, 'support-queue-rejected')).toEqual([]);
  });
});

it('INT-1 support looks a ticket up by its id; an unknown id is said beside the form', async () => {
  const { org } = await createOrganization(api.db, { ORG_ADMIN: 1 });
  const consultant = await createUser(api.db, { firmName: 'Ledgerwise' });
  const ticketId = `HD-${uniqueSuffix()}`;
  const payload = {
    organizationId: org.id,
    thirdPartyName: 'Tia Ticket',
    firmName: 'Ledgerwise',
    email: consultant.email,
  };
  const submitted = await api.call('POST', '/support/tickets', {
    token: agentToken,
    body: { ticketId, kind: 'tpu-request', payload },
  });
  expect(submitted.status).toBe(202);
  await asSupport(async (page) => {
    await page.goto(`${api.url}/console/support`);
    await page.getByRole('link', { name: 'Look up a ticket' }).click();
    expect(await lookAt(page, 'support-ticket-lookup')).toEqual([]);
    await page.getByLabel('Ticket id').fill(ticketId);
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page.getByRole('heading', { name: `Ticket ${ticketId}` }).isVisible()).resolves.toBe(true);
    const facts = await page.locator('dl.facts').allInnerTexts();
    expect(facts[0]).toMatch(/Kind\s+tpu-request/);
    expect(facts[0]).toMatch(/Status\s+Dispatched to its workflow/);
    expect(facts[0]).toContain(submitted.body.workflowId);
    expect(facts[1]).toMatch(/thirdPartyName\s+Tia Ticket/);
    expect(await lookAt(page, 'support-ticket-found')).toEqual([]);

    await page.getByLabel('Ticket id').fill('HD-nobody-sent-this');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toBe(
      'No ticket HD-nobody-sent-this has reached the engine.',
    );
    expect(await lookAt(page, 'support-ticket-unknown')).toEqual([]);
  });
});

it('PP-2 support frees a wrongly registered portal email from a form; the right account can register it', async () => {
  const portalAdmin = await createUser(api.db);
  await api.db.portalAdmin.create({ data: { userId: portalAdmin.id, role: 'ADMIN' } });
  const adminToken = await api.token(portalAdmin.id);
  const email = `wrong-${uniqueSuffix()}@partner.example`;
  const registered = await api.call('POST', '/portal/partners', {
    token: adminToken,
    body: { name: `Wrong ${uniqueSuffix()}`, email },
  });
  expect(registered.status).toBe(201);
  await asSupport(async (page) => {
    await page.goto(`${api.url}/console/support/portal-emails`);
    expect(await lookAt(page, 'support-free-email')).toEqual([]);
    await page.getByLabel('Email to free').fill(email);
    await page.getByLabel('Why it was wrong').fill('Registered to the wrong partner by mistake');
    await page.getByRole('button', { name: 'Free this email' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toMatch(
      new RegExp(`^${email.replace(/[.]/g, '\\.')} is free: it now belongs to nobody in the portal`),
    );
    expect(await lookAt(page, 'support-free-email-done')).toEqual([]);
    expect(await api.db.portalEmail.findUnique({ where: { email } })).toBeNull();
    const again = await api.call('POST', '/portal/partners', {
      token: adminToken,
      body: { name: `Right ${uniqueSuffix()}`, email },
    });
    expect(again.status).toBe(201);

    // The same email a second time: nobody holds it now, which the API says.
    await page.getByLabel('Email to free').fill(`nobody-${uniqueSuffix()}@partner.example`);
    await page.getByLabel('Why it was wrong').fill('Checking');
    await page.getByRole('button', { name: 'Free this email' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toBe(
      'No partner or partner user in the portal has this email.',
    );
  });
});

it('TPU-3 someone who is not support gets the refusal page for the queue, and no decision form', async () => {
  const request = await requestedThirdParty('Nina');
  await api.db.user.update({
    where: { id: request.orgAdmin.id },
    data: { passwordHash: await hashPassword(PASSWORD) },
  });
  const { page, context } = await newPage(browser);
  try {
    await signIn(page, api.url, request.orgAdmin.email, PASSWORD);
    // Not among this user's places, and refused when asked for directly.
    await expect(
      page.getByRole('navigation', { name: 'Places' }).getByRole('link', { name: 'Support' }).count(),
    ).resolves.toBe(0);
    const response = await page.goto(`${api.url}/console/support`);
    expect(response?.status()).toBe(403);
    await expect(page.locator('main').innerText()).resolves.toContain(
      'Only support sees the review queue of third-party requests.',
    );
    await expect(page.getByRole('button', { name: /Approve|Reject/ }).count()).resolves.toBe(0);
    expect(await lookAt(page, 'support-queue-refused')).toEqual([]);

    // An approval posted by hand, with a good CSRF token, is refused by the API's check, with its words.
    const csrf = (await page.locator('input[name="_csrf"]').first().getAttribute('value'))!;
    const { org, relationshipId } = request;
    const approve = `${api.url}/console/support/third-party-requests/${org.id}/${relationshipId}/approve`;
    const posted = await context.request.post(approve, { form: { _csrf: csrf, _back: '/console' }, maxRedirects: 0 });
    expect(posted.status()).toBe(303);
    expect(posted.headers().location).toBe('/console');
    await page.goto(`${api.url}/console`);
    await expect(page.getByRole('alert').innerText()).resolves.toBe(
      'Only support reviews third-party-user requests.',
    );
    expect(await request.row()).toMatchObject({ state: 'REQUESTED' });
    // A ticket lookup likewise.
    const ticket = await page.goto(`${api.url}/console/support/tickets?ticketId=HD-1`);
    expect(ticket?.status()).toBe(403);
    await expect(page.locator('main').innerText()).resolves.toContain('Only support agents look tickets up.');
  } finally {
    await context.close();
  }
});
