/// <reference lib="dom" />
// "My access" (TPU-6, TPU-7, BP-3) in a real browser on the real stack: a third party sees where they
// cannot work and why, works in an organization where access is on and hops there, and opens the
// tasks shared with them. The relationships are driven through their workflows, as in the API tests.
import type { Browser, Page } from 'playwright-core';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createOrganization, createUser } from '../support/world';
import { launchBrowser, lookAt, newPage, signIn } from '../support/browser';
import { hashPassword } from '../../platform/secrets';

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

/** An organization that requested the third party and had support list them: access is off. */
async function listedIn(thirdParty: { email: string }, support: string) {
  const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1 });
  const admin = await api.token(members.ORG_ADMIN[0].id);
  const base = `/organizations/${org.id}/third-party-users`;
  const requested = await api.call('POST', base, {
    token: admin,
    body: { thirdPartyName: 'Carla Consultant', firmName: 'Ledgerwise', email: thirdParty.email },
  });
  expect(requested.status).toBe(202);
  const relationship = `${base}/${requested.body.relationshipId}`;
  const approved = await api.call('POST', `${relationship}/review`, {
    token: support,
    body: { decision: 'approve' },
  });
  expect(approved.body.state).toBe('LISTED');
  return { org, admin, relationship };
}

const statusOf = (page: Page) => page.getByRole('status').innerText();

it(
  'TPU-6 TPU-7 BP-3 a third party sees where access is off and why, works in an ' +
    'organization and hops there, and opens a task shared with them',
  async () => {
    const { db } = api;
    const agent = await createUser(db);
    await db.supportAgent.create({ data: { userId: agent.id } });
    const support = await api.token(agent.id);
    const carla = await createUser(db, { firmName: 'Ledgerwise' });
    await db.user.update({ where: { id: carla.id }, data: { passwordHash: await hashPassword(PASSWORD) } });

    const off = await listedIn(carla, support);
    const on = await listedIn(carla, support);
    const turnedOn = await api.call('PUT', `${on.relationship}/access`, { token: on.admin, body: { access: 'on' } });
    expect(turnedOn.body.state).toBe('ACCESS_ON');
    // A task of the organization where access is off, shared with Carla: she sees it and nothing else there.
    const task = await api.call('POST', `/organizations/${off.org.id}/tasks`, {
      token: off.admin,
      body: { title: 'Review the Q3 ledger' },
    });
    expect(task.status).toBe(201);
    await db.taskGrant.create({ data: { taskId: task.body.taskId, userId: carla.id } });

    const { page, context, problems } = await newPage(browser);
    try {
      await signIn(page, api.url, carla.email, PASSWORD);
      await page.getByRole('navigation', { name: 'Places' }).getByRole('link', { name: 'My access' }).click();
      await page.waitForURL(/\/console\/me$/);
      const notOn = page.getByRole('table', { name: 'Organizations where your access is not on' });
      await expect(notOn.innerText()).resolves.toContain(
        `${off.org.name}\tLedgerwise\tListed\tAccess is off: ask an org admin of ${off.org.name} to turn it on.`,
      );
      await expect(notOn.innerText()).resolves.not.toContain(on.org.name);
      const tasks = page.getByRole('table', { name: 'Tasks shared with you' });
      await expect(tasks.innerText()).resolves.toContain(`Review the Q3 ledger\t${off.org.name}`);
      expect(await lookAt(page, 'my-access')).toEqual([]);

      await page.getByRole('link', { name: 'Review the Q3 ledger' }).click();
      await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Review the Q3 ledger');
      await expect(page.locator('dl.facts').innerText()).resolves.toMatch(
        new RegExp(`Organization\\s+${off.org.name}\\s+Shared with\\s+1 person, you among them`),
      );
      expect(await lookAt(page, 'my-access-task')).toEqual([]);

      // TPU-7: work in the organization where access is on; the console remembers it.
      await page.getByRole('link', { name: 'Back to my access' }).click();
      await page.getByRole('button', { name: `Work in ${on.org.name}` }).click();
      await page.waitForURL(new RegExp(`/console/me/organizations/${on.org.id}$`));
      await expect(statusOf(page)).resolves.toBe(`You are working in ${on.org.name}.`);
      await expect(page.locator('dl.facts').innerText()).resolves.toMatch(/Your access\s+Third party/);
      await page.getByLabel('New task').fill('Reconcile the bank feed');
      await page.getByRole('button', { name: 'Create the task' }).click();
      await expect(statusOf(page)).resolves.toBe('Task "Reconcile the bank feed" created.');
      await expect(page.getByRole('table', { name: `Tasks of ${on.org.name}` }).innerText()).resolves.toContain(
        'Reconcile the bank feed',
      );
      expect(await lookAt(page, 'my-access-working-in')).toEqual([]);
      await page.goto(`${api.url}/console/me`);
      await expect(page.getByText(`You are working in ${on.org.name}.`).isVisible()).resolves.toBe(true);

      // Access turned off: the organization moves to "why not", and its page is the API's refusal.
      expect(
        (await api.call('PUT', `${on.relationship}/access`, { token: on.admin, body: { access: 'off' } })).status,
      ).toBe(200);
      await page.reload();
      await expect(page.getByText(`You are working in ${on.org.name}.`).count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: `Work in ${on.org.name}` }).count()).resolves.toBe(0);
      await expect(notOn.innerText()).resolves.toContain(
        `Access is off: ask an org admin of ${on.org.name} to turn it on.`,
      );
      expect(await lookAt(page, 'my-access-after-access-off')).toEqual([]);
      const refused = await page.goto(`${api.url}/console/me/organizations/${on.org.id}`);
      expect(refused?.status()).toBe(403);
      await expect(page.getByText('You have no access to this organization.').isVisible()).resolves.toBe(true);
      expect(problems.errors.filter((e) => !e.includes('403'))).toEqual([]);
    } finally {
      await context.close();
    }
  },
);
