/// <reference lib="dom" />
// The hosted pages in a real browser (Debian's chromium), on the real stack: the links the engine
// emails, opened from the SMTP sink as the invitee would, through to a signed-in console.
import type { Browser } from 'playwright-core';
import { mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createUser } from '../support/world';
import { waitForEmails } from '../support/links';
import { launchBrowser, lookAt, newPage, pageLinkIn, signIn } from '../support/browser';
import { hashPassword, hashToken, newToken } from '../../platform/secrets';

let api: TestApi;
let worker: TestWorker;
let browser: Browser;
let admin: string;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue });
  browser = await launchBrowser();
  const portalAdmin = await createUser(api.db);
  await api.db.portalAdmin.create({ data: { userId: portalAdmin.id, role: 'ADMIN' } });
  admin = await api.token(portalAdmin.id);
});
afterAll(async () => {
  await browser?.close();
  await api.close();
  await worker.stop();
});

async function invitePartnerUser(via: TestApi, firstName: string) {
  const partner = await via.call('POST', '/portal/partners', {
    token: admin,
    body: { name: `Partner ${uniqueSuffix()}`, email: `hello-${uniqueSuffix()}@partner.example` },
  });
  const email = `${firstName.toLowerCase()}-${uniqueSuffix()}@partner.example`;
  const added = await via.call('POST', `/portal/partners/${partner.body.partnerId}/users`, {
    token: admin,
    body: { firstName, lastName: 'Page', email, phone: '+1 415 555 0132' },
  });
  expect(added.status).toBe(201);
  return { email, partnerName: partner.body.name as string };
}

it('PP-3 a portal partner user opens the invitation email from the sink, sets a password, is signed in', async () => {
  const { email, partnerName } = await invitePartnerUser(api, 'Dana');
  const mail = await mailSink.waitFor(email, /Set your password for the partner portal/);
  expect((mail as { html?: string }).html).toContain('<a href=');
  const { page, context, problems } = await newPage(browser);
  try {
    const response = await page.goto(pageLinkIn(mail.text, api.url));
    // The token went into a cookie for this link's path; the address bar (and so the history) is clean.
    expect(page.url()).toMatch(/\/invite\/[0-9a-f-]{36}$/);
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect(page.getByRole('heading', { name: 'You are invited' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('dl.facts').innerText()).resolves.toContain(partnerName);
    expect(await lookAt(page, 'invitation-choose-password')).toEqual([]);

    await page.getByLabel('Choose a password').fill('short');
    await page.getByLabel('The same password again').fill('short');
    // The browser's own minlength check stops the form; the server checks again without it.
    await page.evaluate(() =>
      document.querySelectorAll('input[minlength]').forEach((input) => input.removeAttribute('minlength')),
    );
    await page.getByRole('button', { name: 'Accept the invitation' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/at least 12 characters/);
    expect(await lookAt(page, 'invitation-password-refused')).toEqual([]);

    await page.getByLabel('Choose a password').fill('correct horse battery staple');
    await page.getByLabel('The same password again').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Accept the invitation' }).click();
    await page.waitForURL(/\/console$/);
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/Invitation accepted/);
    expect(await lookAt(page, 'console-home-new-partner-user')).toEqual([]);
    const user = await api.db.user.findUniqueOrThrow({ where: { email } });
    expect(user.passwordHash).toMatch(/^scrypt\$/);

    // The same link again: already accepted, with the next step as a button.
    await page.goto(pageLinkIn(mail.text, api.url));
    await expect(page.getByRole('heading', { name: 'Already accepted' }).isVisible()).resolves.toBe(true);
    expect(await lookAt(page, 'invitation-already-accepted')).toEqual([]);
    expect(problems.errors.filter((e) => !e.includes('409'))).toEqual([]);
  } finally {
    await context.close();
  }
});

it('PP-3 an expired link shows its own page; the reset path sends a fresh link that sets the password', async () => {
  const shortLived = await startTestApi({
    taskQueue: worker.taskQueue,
    invitationTimings: { PORTAL_USER: { expirySeconds: 3, reminderBeforeSeconds: 0, resendMinIntervalSeconds: 0 } },
  });
  const { page, context } = await newPage(browser);
  try {
    const { email } = await invitePartnerUser(shortLived, 'Lou');
    const first = await mailSink.waitFor(email, /Set your password/);
    const invitationId = pageLinkIn(first.text, api.url).match(/invite\/([0-9a-f-]{36})/)![1];
    for (let i = 0; i < 100; i++) {
      const row = await api.db.invitation.findUniqueOrThrow({ where: { id: invitationId } });
      if (row.state === 'EXPIRED') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.goto(pageLinkIn(first.text, api.url));
    await expect(page.getByRole('heading', { name: 'This invitation has expired' }).isVisible()).resolves.toBe(true);
    expect(await lookAt(page, 'invitation-expired')).toEqual([]);

    await page.getByLabel('Your email').fill(email);
    await page.getByRole('button', { name: 'Send me a new link' }).click();
    await expect(page.getByRole('heading', { name: 'Check your email' }).isVisible()).resolves.toBe(true);
    expect(await lookAt(page, 'password-reset-requested')).toEqual([]);

    const [, fresh] = await waitForEmails(email, /Set your password/, 2);
    await page.goto(pageLinkIn(fresh.text, api.url));
    await page.getByLabel('Choose a password').fill('finally setting it');
    await page.getByLabel('The same password again').fill('finally setting it');
    await page.getByRole('button', { name: 'Accept the invitation' }).click();
    await page.waitForURL(/\/console$/);

    // Signed out, then the ordinary reset: ask, open the emailed link, set, sign in with the new password.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    const reset = await mailSink.waitFor(email, /Reset your password/);
    await page.goto(pageLinkIn(reset.text, api.url));
    expect(page.url()).toMatch(/\/reset-password\/[0-9a-f-]{36}$/);
    expect(await lookAt(page, 'password-reset-choose')).toEqual([]);
    await page.getByLabel('New password').fill('a second password');
    await page.getByLabel('The same password again').fill('a second password');
    await page.getByRole('button', { name: 'Set my password' }).click();
    await page.waitForURL(/\/sign-in$/);
    expect(await lookAt(page, 'sign-in-after-reset')).toEqual([]);
    await signIn(page, api.url, email, 'a second password');

    // The reset link works once.
    await page.goto(pageLinkIn(reset.text, api.url));
    await expect(page.getByRole('heading', { name: 'This link no longer works' }).isVisible()).resolves.toBe(true);
  } finally {
    await context.close();
    await shortLived.close();
  }
});

it('PP-3 a form posted without its CSRF token is refused, and nothing changes', async () => {
  const person = await createUser(api.db);
  await api.db.user.update({
    where: { id: person.id },
    data: { passwordHash: await hashPassword('a fine password') },
  });
  const { page, context } = await newPage(browser);
  try {
    await signIn(page, api.url, person.email, 'a fine password');
    // The browser holds a session and a CSRF cookie; a post without the form's token is another site's.
    const forged = await context.request.post(`${api.url}/sign-out`, { form: {}, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    await expect(forged.text()).resolves.toMatch(/did not come from this site/);
    const wrong = await context.request.post(`${api.url}/sign-out`, {
      form: { _csrf: 'x'.repeat(43) },
      maxRedirects: 0,
    });
    expect(wrong.status()).toBe(403);
    const sessions = await api.db.webSession.findMany({ where: { userId: person.id } });
    expect(sessions.map((s) => s.endedAt)).toEqual([null]);
    // The session cookie is HttpOnly and SameSite=Lax.
    const cookie = (await context.cookies()).find((c) => c.name === 'pa_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const stored = await api.db.webSession.findFirstOrThrow({ where: { userId: person.id } });
    expect(stored.tokenHash).not.toContain(cookie.value);
  } finally {
    await context.close();
  }
});

it(
  'PS-2 someone with an account signs in from the invitation page and accepts; another ' + 'invitee declines',
  async () => {
    const firm = await api.db.partnerFirm.create({ data: { name: `Practice ${uniqueSuffix()}` } });
    const owner = await createUser(api.db);
    await api.db.practiceStaffMember.create({
      data: { userId: owner.id, partnerFirmId: firm.id, role: 'ACCOUNT_OWNER' },
    });
    const ownerToken = await api.token(owner.id);
    const invitee = await createUser(api.db);
    await api.db.user.update({
      where: { id: invitee.id },
      data: { passwordHash: await hashPassword('my own password') },
    });
    const base = `/partner-firms/${firm.id}/staff/invitations`;
    const invited = await api.call('POST', base, {
      token: ownerToken,
      body: { firstName: 'Ivy', lastName: 'Known', email: invitee.email },
    });
    expect(invited.status).toBe(201);
    const { page, context } = await newPage(browser);
    try {
      await page.goto(
        pageLinkIn((await mailSink.waitFor(invitee.email, /Join the Practice Staff of/)).text, api.url),
      );
      await page.getByRole('link', { name: 'Sign in to accept' }).click();
      expect(await lookAt(page, 'sign-in-to-accept')).toEqual([]);
      await page.getByLabel('Email').fill(invitee.email);
      await page.getByLabel('Password').fill('my own password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      // Back on the invitation (the link's cookie kept its token), now as the invitee.
      await page.waitForURL(/\/invite\/[0-9a-f-]{36}$/);
      expect(await lookAt(page, 'invitation-signed-in')).toEqual([]);
      await page.getByRole('button', { name: 'Accept the invitation' }).click();
      await page.waitForURL(/\/console$/);
      const member = await api.db.practiceStaffMember.findUnique({
        where: { userId_partnerFirmId: { userId: invitee.id, partnerFirmId: firm.id } },
      });
      expect(member).toMatchObject({ role: 'STAFF' });
    } finally {
      await context.close();
    }

    const other = { firstName: 'Dee', lastName: 'Cline', email: `dee-${uniqueSuffix()}@elsewhere.example` };
    expect((await api.call('POST', base, { token: ownerToken, body: other })).status).toBe(201);
    const declining = await newPage(browser);
    try {
      await declining.page.goto(
        pageLinkIn((await mailSink.waitFor(other.email, /Join the Practice Staff of/)).text, api.url),
      );
      await declining.page.getByRole('button', { name: 'Decline the invitation' }).click();
      await expect(declining.page.getByRole('heading', { name: 'Invitation declined' }).isVisible()).resolves.toBe(
        true,
      );
      expect(await lookAt(declining.page, 'invitation-declined')).toEqual([]);
      const row = await api.db.invitation.findFirstOrThrow({ where: { email: other.email } });
      expect(row.state).toBe('REJECTED');
    } finally {
      await declining.context.close();
    }
  },
);

it('Demo world: a one-time demo sign-in link signs in once; the second use is refused', async () => {
  const person = await createUser(api.db);
  const token = newToken();
  const link = await api.db.demoSignInLink.create({
    data: { userId: person.id, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + 60_000) },
  });
  const { page, context } = await newPage(browser);
  try {
    await page.goto(`${api.url}/sign-in/demo/${link.id}?token=${token}`);
    await page.waitForURL(/\/console$/);
    await expect(page.getByRole('heading', { name: `Hello, ${person.displayName}` }).isVisible()).resolves.toBe(true);
    const again = await page.goto(`${api.url}/sign-in/demo/${link.id}?token=${token}`);
    expect(again?.status()).toBe(409);
  } finally {
    await context.close();
  }
});
