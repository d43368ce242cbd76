/// <reference lib="dom" />
// Registration (TPU-1, issue 12) in a real browser on the real stack: the verification link from the
// SMTP sink opens a page that makes the account only when its button is pressed, once.
import type { Browser } from 'playwright-core';
import { mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { launchBrowser, lookAt, newPage, pageLinkIn } from '../support/browser';

let api: TestApi;
let browser: Browser;

beforeAll(async () => {
  api = await startTestApi();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api.close();
});

it('Registration the emailed link opens a page whose button confirms the email once', async () => {
  const email = `vera-${uniqueSuffix()}@independent.example`;
  expect((await api.call('POST', '/accounts', { body: { email, displayName: 'Vera Verify' } })).status).toBe(202);
  const mail = await mailSink.waitFor(email, /Confirm your email/);
  expect((mail as { html?: string }).html).toContain('<a href=');
  const link = pageLinkIn(mail.text, api.url);
  const { page, problems } = await newPage(browser);
  try {
    const response = await page.goto(link);
    // The token went into a cookie for this link's path; the address bar (and the history) is clean.
    expect(page.url()).toMatch(/\/verify-email\/[0-9a-f-]{36}$/);
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    await expect(page.getByRole('heading', { name: 'Confirm your email' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('main').innerText()).resolves.toContain(email);
    expect(await lookAt(page, 'verify-email-confirm')).toEqual([]);
    // Opening the link (as a mail scanner would) made nothing.
    expect(await api.db.user.findUnique({ where: { email } })).toBeNull();

    await page.getByRole('button', { name: 'Confirm my email' }).click();
    // The form's answer is a page at the same address: wait for it, not for a new URL.
    await page.getByRole('heading', { name: 'Your account is ready' }).waitFor();
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/Email confirmed/);
    expect(await lookAt(page, 'verify-email-done')).toEqual([]);
    expect(await api.db.user.findUnique({ where: { email } })).toMatchObject({ displayName: 'Vera Verify' });

    // The next step: a link to choose the first password, by email.
    await page.getByRole('button', { name: 'Email me a link to choose a password' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await mailSink.waitFor(email, /Reset your password/);

    // The same link again: used, with the way to sign in.
    const again = await page.goto(link);
    expect(again?.status()).toBe(409);
    await expect(page.getByRole('heading', { name: 'This link no longer works' }).isVisible()).resolves.toBe(true);
    expect(await lookAt(page, 'verify-email-used')).toEqual([]);
    expect(await api.db.user.count({ where: { email } })).toBe(1);
    // The only console error is Chrome's note on the used link's 409 document itself.
    expect(problems.errors.filter((e) => !e.includes('409'))).toEqual([]);
  } finally {
    await page.context().close();
  }
});
