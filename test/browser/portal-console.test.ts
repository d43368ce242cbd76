/// <reference lib="dom" />
// The portal admin's console pages in a real browser (Debian's chromium), on the real stack (PP-1 …
// PP-4): the partners list, adding a partner, adding a partner user with the API's confirmation
// sentence, the invitation email in the SMTP sink, the pending invitation and its resend.
import type { Browser, Page } from 'playwright-core';
import { uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createUser } from '../support/world';
import { linkIn, waitForEmails } from '../support/links';
import { launchBrowser, lookAt, newPage, signIn } from '../support/browser';
import { hashPassword } from '../../platform/secrets';

const PASSWORD = 'portal admin password';
let api: TestApi;
let worker: TestWorker;
let browser: Browser;

beforeAll(async () => {
  worker = await startTestWorker();
  // Resend at once: the default minute between two sends would only slow the test down.
  api = await startTestApi({
    taskQueue: worker.taskQueue,
    invitationTimings: { PORTAL_USER: { resendMinIntervalSeconds: 0 } },
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await worker?.stop();
});

async function personWithPassword(role?: 'portal-admin' | 'support') {
  const person = await createUser(api.db);
  await api.db.user.update({ where: { id: person.id }, data: { passwordHash: await hashPassword(PASSWORD) } });
  if (role === 'portal-admin') await api.db.portalAdmin.create({ data: { userId: person.id, role: 'ADMIN' } });
  if (role === 'support') await api.db.supportAgent.create({ data: { userId: person.id } });
  return person;
}

const row = (page: Page, caption: string, text: string) =>
  page
    .locator('table', { has: page.locator('caption', { hasText: caption }) })
    .locator('tbody tr', { hasText: text });

// The admin adds a partner, then a partner user and sees the confirmation; the email arrives; the invitation
// shows as pending, and resends.
it('PP-1 PP-3 PP-4 a partner and a partner user added from the console, invited, pending, resent', async () => {
  const admin = await personWithPassword('portal-admin');
  const partnerName = `Brightside Resellers ${uniqueSuffix()}`;
  const email = `dana-${uniqueSuffix()}@brightside.example`;
  const { page, context, problems } = await newPage(browser);
  try {
    await signIn(page, api.url, admin.email, PASSWORD);
    await page.getByRole('navigation', { name: 'Places' }).getByRole('link', { name: 'Partner portal' }).click();
    await page.waitForURL(/\/console\/portal$/);
    await expect(page.getByRole('heading', { name: 'Partners in the portal' }).isVisible()).resolves.toBe(true);
    expect(await lookAt(page, 'portal-partners')).toEqual([]);

    await page.getByLabel('Partner name').fill(partnerName);
    await page.getByLabel("Partner's email").fill(`hello-${uniqueSuffix()}@brightside.example`);
    await page.getByRole('button', { name: 'Add the partner' }).click();
    await page.waitForURL(/\/console\/portal\/partners\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('status').innerText()).resolves.toBe(
      `${partnerName} was added to the portal. Add its users below.`,
    );
    await expect(page.getByRole('heading', { name: partnerName, level: 1 }).isVisible()).resolves.toBe(true);
    expect(await lookAt(page, 'portal-partner-added')).toEqual([]);
    const partnerId = page.url().split('/').pop()!;

    await page.getByLabel('First name').fill('Dana');
    await page.getByLabel('Last name').fill('Reyes');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Phone').fill('+1 415 555 0132');
    await page.getByRole('button', { name: 'Add the partner user' }).click();
    // PP-4: the API's own confirmation sentence, as it answered it.
    await expect(page.getByRole('status').innerText()).resolves.toBe(
      `Invitation sent to ${email}. Dana has 7 days to set a password; ` +
        'after that they can ask for a password reset to get a new link.',
    );
    expect(await lookAt(page, 'portal-partner-user-invited')).toEqual([]);

    // PP-3: the email to set a password is in the sink, and its link opens the invitation.
    const [mail] = await waitForEmails(
      email,
      new RegExp(`Set your password for the partner portal \\(${partnerName}\\)`),
      1,
    );
    const first = linkIn(mail.text);
    expect((await api.call('GET', first.path)).body).toMatchObject({ state: 'PENDING', firstName: 'Dana' });

    await expect(row(page, 'Users', email).innerText()).resolves.toMatch(
      /Dana Reyes\s+.*\+14155550132\s+Invited: has not set a password yet/,
    );
    const pending = row(page, 'Invitations not yet accepted', email);
    await expect(pending.innerText()).resolves.toMatch(/Dana Reyes\s+.*Pending\s+.*UTC\s+.*UTC\s+1\s+/);

    await pending.getByRole('button', { name: 'Resend to Dana Reyes' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toMatch(
      new RegExp(
        `^Invitation sent again to ${email.replace(/[.]/g, '\\.')}, with a new link valid until .* UTC; ` +
          'the earlier link no longer works\\.$',
      ),
    );
    await expect(row(page, 'Invitations not yet accepted', email).innerText()).resolves.toMatch(
      /Pending\s+.*UTC\s+.*UTC\s+2\s+/,
    );
    expect(await lookAt(page, 'portal-invitation-resent')).toEqual([]);
    const invitation = await api.db.invitation.findUniqueOrThrow({ where: { id: first.id } });
    expect(invitation).toMatchObject({ state: 'PENDING', sendCount: 2, scopeId: partnerId });

    // A second email with a fresh link; the first link is superseded, as the sentence said.
    const [, again] = await waitForEmails(email, /Set your password for the partner portal/, 2);
    expect(linkIn(again.text).token).not.toBe(first.token);
    expect((await api.call('GET', first.path)).body).toMatchObject({
      status: 409,
      type: expect.stringMatching(/link-superseded$/),
    });

    // The list counts the partner's user, not yet signed up.
    await page.getByRole('link', { name: 'All partners' }).click();
    await expect(row(page, 'Partners', partnerName).innerText()).resolves.toMatch(/\s1\s+1\s/);
    expect(await lookAt(page, 'portal-partners-with-one')).toEqual([]);
    expect(problems.errors).toEqual([]);
  } finally {
    await context.close();
  }
});

it("PP-2 the same email again is refused with the API's words, and nobody is invited twice", async () => {
  const admin = await personWithPassword('portal-admin');
  const token = await api.token(admin.id);
  const partner = await api.call('POST', '/portal/partners', {
    token,
    body: { name: `Partner ${uniqueSuffix()}`, email: `hi-${uniqueSuffix()}@p.example` },
  });
  const email = `taken-${uniqueSuffix()}@p.example`;
  const user = { firstName: 'Tom', lastName: 'Taken', email, phone: '+44 20 7946 0958' };
  expect(
    (await api.call('POST', `/portal/partners/${partner.body.partnerId}/users`, { token, body: user })).status,
  ).toBe(201);
  const { page, context } = await newPage(browser);
  try {
    await signIn(page, api.url, admin.email, PASSWORD);
    await page.goto(`${api.url}/console/portal/partners/${partner.body.partnerId}`);
    await page.getByLabel('First name').fill('Tina');
    await page.getByLabel('Last name').fill('Twice');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Phone').fill('+44 20 7946 0959');
    await page.getByRole('button', { name: 'Add the partner user' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(
      /^This email already belongs to a partner or partner user in the portal/,
    );
    expect(await lookAt(page, 'portal-partner-user-duplicate')).toEqual([]);
    expect(await api.db.invitation.count({ where: { email } })).toBe(1);
  } finally {
    await context.close();
  }
});

it('PP-1 someone who is not a portal admin gets the refusal page for the partners list', async () => {
  const agent = await personWithPassword('support');
  const { page, context } = await newPage(browser);
  try {
    await signIn(page, api.url, agent.email, PASSWORD);
    await expect(
      page.getByRole('navigation', { name: 'Places' }).getByRole('link', { name: 'Partner portal' }).count(),
    ).resolves.toBe(0);
    const response = await page.goto(`${api.url}/console/portal`);
    expect(response?.status()).toBe(403);
    await expect(page.locator('main').innerText()).resolves.toContain('Only a portal admin or owner can do this.');
    await expect(page.getByRole('button', { name: 'Add the partner' }).count()).resolves.toBe(0);
    expect(await lookAt(page, 'portal-refused')).toEqual([]);
  } finally {
    await context.close();
  }
});
