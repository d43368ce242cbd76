/// <reference lib="dom" />
// The console's home and places, in a real browser: each place is what the API's own checks let the
// user open, so the nav never leads to a refusal.
import type { Browser } from 'playwright-core';
import { startTestApi, type TestApi } from '../support/api';
import { createPartnerAccount } from '../support/world';
import { launchBrowser, lookAt, newPage, signIn } from '../support/browser';
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

it(
  "PS-1 PA-1 a firm's place is its Practice Staff for a manager and its partner account " + 'for staff; both open',
  async () => {
    const { firm, staff } = await createPartnerAccount(api.db, ['ACCOUNT_MANAGER', 'STAFF']);
    const password = 'a console password';
    for (const person of staff) {
      await api.db.user.update({ where: { id: person.id }, data: { passwordHash: await hashPassword(password) } });
    }
    const expected = {
      ACCOUNT_MANAGER: `/console/partner-firms/${firm.id}`,
      STAFF: `/console/partner-firms/${firm.id}/account`,
    };
    for (const person of staff) {
      const { page, context, problems } = await newPage(browser);
      try {
        await signIn(page, api.url, person.email, password);
        const place = page.getByRole('navigation', { name: 'Places' }).getByRole('link', { name: firm.name });
        await expect(place.getAttribute('href')).resolves.toBe(expected[person.role as keyof typeof expected]);
        expect(await lookAt(page, `console-home-${person.role.toLowerCase()}`)).toEqual([]);
        const opened = await Promise.all([
          page.waitForResponse((r) => r.request().isNavigationRequest()),
          place.click(),
        ]);
        expect(opened[0].status()).toBe(200);
        expect(problems.errors).toEqual([]);
      } finally {
        await context.close();
      }
    }
  },
);
