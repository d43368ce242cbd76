/// <reference lib="dom" />
// The partner account's pages (PA-1 … PA-5) in a real browser on the real stack: a partner user works
// through My Account, the customer accounts (filters, pages, export, suspension) and a customer's
// users; a guest switches into a customer account after a fresh sign-in and back.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { mailSink } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createCustomerAccount, createPartnerAccount } from '../support/world';
import { linkIn } from '../support/links';
import { launchBrowser, lookAt, newPage, signIn } from '../support/browser';
import { hashPassword } from '../../platform/secrets';
import { CSV_COLUMNS } from '../../domain/account-export';

const PASSWORD = 'a long enough password';
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

async function withPassword(userId: string) {
  await api.db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(PASSWORD) } });
}

/** The text of each row of the page's first table, header row left out. */
const rowsOf = (page: Page) => page.locator('table').first().locator('tbody tr').allInnerTexts();
const statusOf = (page: Page) => page.getByRole('status').innerText();

it(
  'PA-1 PA-2 PA-3 a partner user sees My Account and the customers, filters and pages ' +
    'them, exports one, manages its users and suspends another',
  async () => {
    const { db } = api;
    const { firm, staff } = await createPartnerAccount(db, ['ACCOUNT_OWNER', 'STAFF']);
    const partnerUser = staff[1];
    await withPassword(partnerUser.id);
    const day = 86400_000;
    await db.licence.create({
      data: {
        partnerFirmId: firm.id,
        solution: 'Bizview',
        type: 'NOT_FOR_RESALE',
        seats: 2,
        contractStart: new Date(Date.now() - 10 * day),
        contractExpiry: new Date(Date.now() + 20 * day),
      },
    });
    const bizview = await createCustomerAccount(db, firm.id, { licences: [{ solution: 'Bizview', seats: 3 }] });
    const jet = await createCustomerAccount(db, firm.id, {
      people: { ORG_ADMIN: 1, MEMBER: 2 },
      licences: [{ solution: 'Jet Reports', seats: 2 }],
    });
    const both = await createCustomerAccount(db, firm.id, {
      licences: [
        { solution: 'Bizview', seats: 1 },
        { solution: 'Jet Reports', seats: 1 },
      ],
    });
    const names = [bizview, jet, both].map((c) => c.org.name);
    const base = `${api.url}/console/partner-firms/${firm.id}/account`;

    const { page, context, problems } = await newPage(browser);
    try {
      await signIn(page, api.url, partnerUser.email, PASSWORD);
      await page.goto(base);
      await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(`${firm.name}: my account`);
      await expect(page.locator('dl.facts').innerText()).resolves.toMatch(
        /Users\s+2[\s\S]*Licensed products\s+Bizview/,
      );
      await expect(
        page.getByRole('table', { name: 'Licences of your partner account' }).innerText(),
      ).resolves.toMatch(/Bizview\s+Not for resale\s+2\s+0\s+2/);
      expect(await lookAt(page, 'partner-account-my-account')).toEqual([]);

      // PA-2: every customer account, then the filters as the API has them.
      await page.getByRole('link', { name: 'Customer accounts' }).click();
      const all = await rowsOf(page);
      expect(all).toHaveLength(3);
      for (const name of names) expect(all.join('\n')).toContain(name);
      expect(await lookAt(page, 'partner-account-customers')).toEqual([]);

      await page.getByLabel('Solution').fill('Jet Reports');
      await page.getByRole('button', { name: 'Show accounts' }).click();
      await page.waitForURL(/solution=Jet\+Reports/);
      const jetRows = await rowsOf(page);
      expect(jetRows.map((r) => r.split('\t')[0]).sort()).toEqual([jet.org.name, both.org.name].sort());
      expect(await lookAt(page, 'partner-account-customers-filtered')).toEqual([]);

      // One to a page: each account once, in the API's order (by name), then no further page.
      await page.getByRole('link', { name: 'Clear the filters' }).click();
      await expect(page.getByLabel('Solution').inputValue()).resolves.toBe('');
      await page.goto(`${base}/customers?limit=1`);
      await expect(page.getByLabel('Accounts per page').inputValue()).resolves.toBe('1');
      const paged: string[] = [];
      for (;;) {
        const rows = await rowsOf(page);
        expect(rows).toHaveLength(1);
        paged.push(rows[0].split('\t')[0]);
        const next = page.getByRole('link', { name: 'Next page' });
        if ((await next.count()) === 0) break;
        await next.click();
      }
      expect(paged).toEqual([...names].sort());
      expect(await lookAt(page, 'partner-account-customers-last-page')).toEqual([]);

      // The export is the API's file, downloaded: the CSV's first line is its header.
      await page.goto(`${base}/customers`);
      const downloading = page.waitForEvent('download');
      await page.getByRole('link', { name: `Export CSV of ${bizview.org.name}` }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toBe(`${bizview.org.name} details.csv`);
      const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
      expect(csv[0]).toBe(CSV_COLUMNS.join(','));
      expect(csv[1]).toContain(bizview.org.id);

      // PA-3: the users of one account: deactivate one, edit another's role, create a new one.
      await page.getByRole('link', { name: `Users of ${jet.org.name}` }).click();
      const [first, second] = jet.members.MEMBER;
      await expect(page.getByRole('table', { name: `Users of ${jet.org.name}` }).innerText()).resolves.toContain(
        first.email,
      );
      expect(await lookAt(page, 'partner-account-users')).toEqual([]);
      await page.getByRole('button', { name: 'Deactivate MEMBER 0' }).click();
      await expect(statusOf(page)).resolves.toMatch(/Deactivated: they can no longer use this account/);
      await expect(page.getByRole('button', { name: 'Reactivate MEMBER 0' }).isVisible()).resolves.toBe(true);
      const deactivated = await db.membership.findUniqueOrThrow({
        where: { userId_organizationId: { userId: first.id, organizationId: jet.org.id } },
      });
      expect(deactivated.deactivatedAt).not.toBeNull();

      await page.getByRole('link', { name: 'Edit MEMBER 1' }).click();
      expect(await lookAt(page, 'partner-account-user')).toEqual([]);
      await page.getByLabel('Role').selectOption('PRODUCT_ADMIN');
      await page.getByRole('button', { name: 'Save the changes' }).click();
      await expect(statusOf(page)).resolves.toBe('MEMBER 1 is saved.');
      await expect(page.locator('dl.facts').innerText()).resolves.toMatch(/Role\s+Product admin/);
      await page.getByRole('button', { name: 'Give a Jet Reports seat' }).click();
      await expect(statusOf(page)).resolves.toBe('A Jet Reports seat is given (1 free).');
      const held = await db.licenceAssignment.count({ where: { userId: second.id, licenceId: jet.licences[0].id } });
      expect(held).toBe(1);
      expect(await lookAt(page, 'partner-account-user-edited')).toEqual([]);
      await page.getByRole('button', { name: 'Remove MEMBER 1 from the account' }).click();
      await page.waitForURL(/\/users$/);
      await expect(statusOf(page)).resolves.toBe('Removed; their seats are free again.');
      await expect(page.getByRole('link', { name: 'Edit MEMBER 1' }).count()).resolves.toBe(0);
      expect(await db.licence.findUniqueOrThrow({ where: { id: jet.licences[0].id } })).toMatchObject({
        seatsUsed: 0,
      });

      const email = `nora-${jet.org.id}@customer.example`;
      await page.getByLabel('First name').fill('Nora');
      await page.getByLabel('Last name').fill('New');
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Create the user' }).click();
      await expect(statusOf(page)).resolves.toBe(`Invitation sent to ${email}.`);
      await mailSink.waitFor(email, /Your account at/);

      // PA-2: suspend an account with a reason; its state and why show, and the status filter finds it.
      await page.goto(`${base}/customers`);
      await page.getByRole('link', { name: both.org.name, exact: true }).click();
      expect(await lookAt(page, 'partner-account-customer')).toEqual([]);
      await page.getByLabel('Why suspend it').fill('Invoice 1042 unpaid for 90 days');
      await page.getByRole('button', { name: 'Suspend the account' }).click();
      await expect(statusOf(page)).resolves.toBe(
        'The account is suspended: its users are refused until it is reactivated.',
      );
      await expect(page.locator('dl.facts').innerText()).resolves.toMatch(
        /Status\s+Suspended[\s\S]*Why\s+Invoice 1042 unpaid for 90 days/,
      );
      expect(await lookAt(page, 'partner-account-customer-suspended')).toEqual([]);
      expect((await db.organization.findUniqueOrThrow({ where: { id: both.org.id } })).status).toBe('SUSPENDED');
      const member = await api.token(both.members.MEMBER[0].id);
      expect((await api.call('GET', `/organizations/${both.org.id}`, { token: member })).status).toBe(403);

      await page.goto(`${base}/customers?status=SUSPENDED`);
      expect((await rowsOf(page)).map((r) => r.split('\t')[0])).toEqual([both.org.name]);
      await expect(page.getByLabel('Status').inputValue()).resolves.toBe('SUSPENDED');

      // A wrong filter is the API's refusal, shown as a page.
      const wrong = await page.goto(`${base}/customers?status=GONE`);
      expect(wrong?.status()).toBe(400);
      expect(problems.errors.filter((e) => !e.includes('400'))).toEqual([]);
    } finally {
      await context.close();
    }
  },
);

it("PA-2 another partner's user is refused a customer account's page and its export", async () => {
  const { firm } = await createPartnerAccount(api.db);
  const customer = await createCustomerAccount(api.db, firm.id);
  const other = await createPartnerAccount(api.db, ['STAFF']);
  await withPassword(other.staff[0].id);
  const { page, context } = await newPage(browser);
  try {
    await signIn(page, api.url, other.staff[0].email, PASSWORD);
    const base = `${api.url}/console/partner-firms/${other.firm.id}/account/customers/${customer.org.id}`;
    const refused = await page.goto(base);
    expect(refused?.status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('You may not do this');
    expect(await lookAt(page, 'partner-account-customer-refused')).toEqual([]);
    expect((await page.goto(`${base}/export?format=csv`))?.status()).toBe(403);
  } finally {
    await context.close();
  }
});

it(
  'PA-5 a guest switches into a customer account after a fresh sign-in, sees the badge, ' + 'and switches back',
  async () => {
    const { db } = api;
    const { firm, staff } = await createPartnerAccount(db, ['ACCOUNT_OWNER']);
    const owner = staff[0];
    await withPassword(owner.id);
    const customer = await createCustomerAccount(db, firm.id, { accessModel: 'INVITE_GUEST' });
    const admin = await api.token(customer.members.ORG_ADMIN[0].id);
    const invited = await api.call('POST', `/customer-accounts/${customer.org.id}/guests`, {
      token: admin,
      body: { firstName: 'Ann', lastName: 'Owner', email: owner.email, role: 'MEMBER' },
    });
    expect(invited.status).toBe(201);
    const link = linkIn((await mailSink.waitFor(owner.email, /invites you as a guest/)).text);
    const accepted = await api.call('POST', `/invitations/${link.id}/accept`, {
      token: await api.token(owner.id),
      body: { token: link.token },
    });
    expect(accepted.status).toBe(200);
    const account = `${api.url}/console/partner-firms/${firm.id}/account`;

    const { page, context, problems } = await newPage(browser);
    try {
      await signIn(page, api.url, owner.email, PASSWORD);
      await page.goto(`${account}/switch`);
      await expect(page.getByRole('table', { name: 'Accounts you can switch into' }).innerText()).resolves.toMatch(
        new RegExp(`${customer.org.name}\\s+Member\\s+Active`),
      );
      expect(await lookAt(page, 'partner-account-switch')).toEqual([]);

      // The sign-in is 6 minutes old: the switch asks for the password again, then comes back here.
      await db.webSession.updateMany({
        where: { userId: owner.id, endedAt: null },
        data: { authTime: new Date(Date.now() - 6 * 60_000) },
      });
      await page.getByRole('button', { name: `Switch into ${customer.org.name}` }).click();
      await page.waitForURL(/\/sign-in\?fresh=1&next=/);
      await expect(page.getByRole('heading', { name: 'Confirm it is you' }).isVisible()).resolves.toBe(true);
      expect(await db.accountSwitch.count({ where: { userId: owner.id } })).toBe(0);
      expect(await lookAt(page, 'partner-account-switch-fresh-sign-in')).toEqual([]);
      await page.getByLabel('Email').fill(owner.email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/account\/switch\?account=/);
      await expect(
        page.getByText(`You signed in again: switch into ${customer.org.name} now.`).isVisible(),
      ).resolves.toBe(true);

      await page.getByRole('button', { name: `Switch into ${customer.org.name}` }).click();
      await expect(statusOf(page)).resolves.toBe(`You are switched into ${customer.org.name} as Member.`);
      await expect(page.locator('.badge').innerText()).resolves.toBe(`Switched into ${customer.org.name}`);
      await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(
        `Working in ${customer.org.name}`,
      );
      expect(await lookAt(page, 'partner-account-switched-in')).toEqual([]);
      const open = await db.accountSwitch.findFirstOrThrow({ where: { userId: owner.id, endedAt: null } });
      expect(open.organizationId).toBe(customer.org.id);

      // Inside a customer account, the partner account is out of reach, with the way back on the page.
      const refused = await page.goto(`${account}/customers`);
      expect(refused?.status()).toBe(403);
      await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Switch back first');
      expect(await lookAt(page, 'partner-account-switched-in-refused')).toEqual([]);

      await page.getByRole('button', { name: 'Switch back to your partner account' }).click();
      await page.waitForURL(new RegExp(`/partner-firms/${firm.id}/account$`));
      await expect(statusOf(page)).resolves.toBe(
        `You switched back from ${customer.org.name} to your partner account.`,
      );
      await expect(page.locator('.badge').count()).resolves.toBe(0);
      await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(`${firm.name}: my account`);
      expect(await lookAt(page, 'partner-account-switched-back')).toEqual([]);
      expect((await db.accountSwitch.findUniqueOrThrow({ where: { id: open.id } })).endedAt).not.toBeNull();
      const audits = await db.auditEntry.findMany({
        where: { subjectId: customer.org.id, actorId: owner.id },
        orderBy: { createdAt: 'asc' },
      });
      expect(audits.map((a) => a.action)).toEqual(['account.switched-in', 'account.switched-back']);
      expect(problems.errors.filter((e) => !e.includes('403'))).toEqual([]);
    } finally {
      await context.close();
    }
  },
);
