/// <reference lib="dom" />
// Issue 12, sessions end when they must, in a real browser on the real stack: a password reset through
// the hosted page ends the browser sessions and the bearer tokens started before it, on this device and
// on any other, and signing in again gives a fresh session that works.
import type { Browser } from 'playwright-core';
import { mailSink } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { createUser } from '../support/world';
import { launchBrowser, newPage, pageLinkIn, signIn } from '../support/browser';
import { hashPassword } from '../../platform/secrets';

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

it('Issue 12 a reset on the hosted page ends every browser session and token from before it', async () => {
  const person = await createUser(api.db);
  await api.db.user.update({
    where: { id: person.id },
    data: { passwordHash: await hashPassword('the old password') },
  });
  const other = await newPage(browser); // another device, signed in before the reset
  const here = await newPage(browser); // the device the reset is made on, signed in too
  try {
    await signIn(other.page, api.url, person.email, 'the old password');
    await signIn(here.page, api.url, person.email, 'the old password');
    const bearer = await api.call('POST', '/sessions', {
      body: { email: person.email, password: 'the old password' },
    });
    expect(bearer.status).toBe(200);

    const { page } = here;
    await page.goto(`${api.url}/forgot-password`);
    await page.getByLabel('Email').fill(person.email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    const reset = await mailSink.waitFor(person.email, /Reset your password/);
    await page.goto(pageLinkIn(reset.text, api.url));
    await page.getByLabel('New password').fill('the new password');
    await page.getByLabel('The same password again').fill('the new password');
    await page.getByRole('button', { name: 'Set my password' }).click();
    await page.waitForURL(/\/sign-in$/);

    // Not signed in after the reset, here or on the other device: the console sends both to sign in.
    for (const device of [here.page, other.page]) {
      await device.goto(`${api.url}/console`);
      expect(device.url()).toMatch(/\/sign-in\?next=/);
    }
    const open = await api.db.webSession.count({ where: { userId: person.id, endedAt: null } });
    expect(open).toBe(0);
    const old = await api.call('GET', '/me', { token: bearer.body.token });
    expect(old).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/Signed out everywhere/) } });

    // Signing in again gives a fresh session that works.
    await signIn(other.page, api.url, person.email, 'the new password');
    await other.page.goto(`${api.url}/console`);
    expect(other.page.url()).toMatch(/\/console$/);
    expect(await api.db.webSession.count({ where: { userId: person.id, endedAt: null } })).toBe(1);
    expect([...other.problems.errors, ...here.problems.errors]).toEqual([]);
  } finally {
    await other.context.close();
    await here.context.close();
  }
});
