/// <reference lib="dom" />
// The practice managers' console (PS-1 … PS-6) in a real browser (Debian's chromium), on the real
// stack with a worker of the test's own: signed in through the sign-in page, the staff list, an
// invitation and its reinvite, organization access, an offboarding whose progress bar fills by itself,
// the certificate PDF, and a Staff user refused. axe on every page shown; screenshots under screenshots/.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createClientRelationship, createOrganization } from '../support/world';
import { launchBrowser, lookAt, newPage, signIn } from '../support/browser';
import { hashPassword } from '../../platform/secrets';
import { CERTIFICATION_PROGRAM } from '../../domain/certificate';

const PASSWORD = 'practice console password';
let api: TestApi;
let worker: TestWorker;
let browser: Browser;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({
    taskQueue: worker.taskQueue,
    invitationTimings: { PRACTICE_STAFF: { resendMinIntervalSeconds: 0 } },
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api.close();
  await worker.stop();
});

type Role = 'ACCOUNT_OWNER' | 'ACCOUNT_MANAGER' | 'USER_MANAGER' | 'STAFF';

/** A partner firm with people who can sign in, and three client organizations in force. */
async function practice() {
  const s = uniqueSuffix();
  const firm = await api.db.partnerFirm.create({ data: { name: `Practice ${s}` } });
  const passwordHash = await hashPassword(PASSWORD);
  const person = async (role: Role, name: string) => {
    const email = `${name.toLowerCase().replace(/ /g, '-')}-${uniqueSuffix()}@practice-${s}.example`;
    const user = await api.db.user.create({ data: { email, displayName: name, passwordHash } });
    await api.db.practiceStaffMember.create({ data: { userId: user.id, partnerFirmId: firm.id, role } });
    return user;
  };
  const owner = await person('ACCOUNT_OWNER', 'Olive Owner');
  const manager = await person('ACCOUNT_MANAGER', 'Manny Manager');
  const staff = await person('STAFF', 'Sam Staff');
  const leaving = await person('STAFF', 'Lee Leaving');
  const replacement = await person('STAFF', 'Remy Replacement');
  const clients = [];
  for (let i = 0; i < 4; i++) {
    const { org } = await createOrganization(api.db, { ORG_ADMIN: 1 });
    await createClientRelationship(api.db, firm.id, org.id);
    clients.push(org);
  }
  return { firm, owner, manager, staff, leaving, replacement, clients };
}

/** A membership the firm delegated to a user under its relationship with the organization (AM-1). */
async function delegate(partnerFirmId: string, userId: string, organizationId: string) {
  const relationship = await api.db.clientRelationship.findFirstOrThrow({
    where: { partnerFirmId, organizationId, state: 'ACTIVE' },
  });
  await api.db.membership.create({
    data: { userId, organizationId, role: 'MEMBER', source: 'DELEGATION', clientRelationshipId: relationship.id },
  });
}

/**
 * Holds a row lock on an organization's assignments: the offboarding's transaction for that
 * organization waits on it, so the page is seen mid-run, and the bar can only fill after the test
 * lets go (the workflow retries the organization until it is done).
 */
async function holdOrganization(organizationId: string) {
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const held = api.db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Assignment" WHERE "organizationId" = ${organizationId}::uuid FOR UPDATE`;
      locked();
      await released;
    },
    { timeout: 120_000 },
  );
  await Promise.race([isLocked, held]);
  return {
    async release() {
      letGo();
      await held;
    },
  };
}

const progressOf = (page: Page) =>
  page.locator('#offboarding-progress').evaluate((bar: HTMLProgressElement) => ({ value: bar.value, max: bar.max }));

it(
  'PS-1 PS-2 PS-4 PS-5 the Account Owner signs in, invites and reinvites, gives access, ' +
    'and offboards a user: the bar fills to 100 % by itself',
  async () => {
    const w = await practice();
    const [a, b, c, d] = w.clients;
    for (const org of [a, b, c]) {
      await delegate(w.firm.id, w.leaving.id, org.id);
      await api.db.assignment.createMany({
        data: [1, 2].map((n) => ({ organizationId: org.id, title: `Return ${n}`, ownerUserId: w.leaving.id })),
      });
    }
    const { page, context, problems } = await newPage(browser);
    let hold: Awaited<ReturnType<typeof holdOrganization>> | null = null;
    try {
      await signIn(page, api.url, w.owner.email, PASSWORD);
      await page.getByRole('link', { name: w.firm.name }).first().click();
      await page.waitForURL(new RegExp(`/console/partner-firms/${w.firm.id}$`));
      const staffTable = page.getByRole('table', { name: 'Practice Staff' });
      for (const name of ['Olive Owner', 'Manny Manager', 'Sam Staff', 'Lee Leaving', 'Remy Replacement']) {
        await expect(staffTable.getByRole('row', { name: new RegExp(name) }).innerText()).resolves.toMatch(/Active/);
      }
      await expect(page.getByRole('link', { name: 'The partner account' }).getAttribute('href')).resolves.toBe(
        `/console/partner-firms/${w.firm.id}/account`,
      );
      expect(await lookAt(page, 'practice-staff')).toEqual([]);

      // PS-2: invite, then send again; the list shows the invitation and how often it went out.
      const email = `nia-${uniqueSuffix()}@joiner.example`;
      await page.getByLabel('First name').fill('Nia');
      await page.getByLabel('Last name').fill('Joiner');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Role').selectOption('USER_MANAGER');
      await page.getByRole('button', { name: 'Send the invitation' }).click();
      await expect(page.getByRole('status').innerText()).resolves.toBe(`Invitation sent to ${email}.`);
      const invited = staffTable.getByRole('row', { name: /Nia Joiner/ });
      await expect(invited.innerText()).resolves.toMatch(/User manager\s+Invited\s+Sent once/);
      expect(await lookAt(page, 'practice-staff-invited')).toEqual([]);
      await invited.getByRole('button', { name: 'Send again to Nia Joiner' }).click();
      await expect(page.getByRole('status').innerText()).resolves.toBe(`Sent again to ${email}.`);
      await expect(invited.innerText()).resolves.toMatch(/Sent 2 times/);
      expect(await api.db.invitation.count({ where: { email, kind: 'PRACTICE_STAFF', state: 'PENDING' } })).toBe(1);

      // PS-4: the leaver's access, then an offer for the fourth client organization.
      await staffTable.getByRole('link', { name: 'Lee Leaving' }).click();
      await page.waitForURL(new RegExp(`/staff/${w.leaving.id}$`));
      const accessTable = page.getByRole('table', { name: 'Organization access' });
      await expect(accessTable.locator('tbody tr').count()).resolves.toBe(3);
      expect(await lookAt(page, 'practice-staff-member')).toEqual([]);
      await page.getByLabel(`Role in ${d.name}`).selectOption('PRODUCT_ADMIN');
      await page.getByRole('button', { name: `Give access to ${d.name}` }).click();
      await expect(page.getByRole('status').innerText()).resolves.toMatch(/Invitation sent: Product admin/);
      await expect(accessTable.getByRole('row', { name: new RegExp(d.name) }).innerText()).resolves.toMatch(
        /Product admin\s+Pending\s+Sent once/,
      );
      expect(await lookAt(page, 'practice-staff-member-offered')).toEqual([]);

      // PS-5: one organization is held back, so the page is seen while the offboarding runs.
      hold = await holdOrganization(c.id);
      await page.getByLabel('Replacement').selectOption(w.replacement.id);
      await page.getByRole('button', { name: 'Offboard Lee Leaving' }).click();
      await page.waitForURL(new RegExp(`/console/partner-firms/${w.firm.id}/offboardings/[0-9a-f-]{36}$`));
      await expect(page.getByRole('status').innerText()).resolves.toBe(
        'Offboarding started: 3 client organizations to hand over.',
      );
      const first = await progressOf(page);
      expect(first.max).toBe(3);
      expect(first.value).toBeLessThan(3);
      await expect(page.locator('[data-live]').getAttribute('data-live-done')).resolves.toBeNull();
      await expect(page.getByLabel(/Client organizations handed over/).getAttribute('id')).resolves.toBe(
        'offboarding-progress',
      );
      // The two organizations not held back are done; the page shows it without being reloaded.
      await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
      await page.waitForFunction(
        () => (document.querySelector('#offboarding-progress') as HTMLProgressElement | null)?.value === 2,
        undefined,
        { timeout: 15_000 },
      );
      await expect(page.locator('label[for="offboarding-progress"]').innerText()).resolves.toMatch(/: 2 of 3$/);
      expect(await lookAt(page, 'practice-offboarding-running')).toEqual([]);

      await hold.release();
      hold = null;
      await page.waitForFunction(
        () => {
          const bar = document.querySelector('#offboarding-progress') as HTMLProgressElement | null;
          return !!bar && bar.max > 0 && bar.value === bar.max && !!document.querySelector('[data-live-done]');
        },
        undefined,
        { timeout: 45_000 },
      );
      await expect(page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).resolves.toBe(
        true,
      );
      await expect(progressOf(page)).resolves.toEqual({ value: 3, max: 3 });
      await expect(page.locator('label[for="offboarding-progress"]').innerText()).resolves.toMatch(/: 3 of 3$/);
      await expect(page.locator('[data-live]').innerText()).resolves.toMatch(/Completed[\s\S]*Offboarded from 3/);
      expect(await lookAt(page, 'practice-offboarding-completed')).toEqual([]);

      // What the bar said is what happened.
      expect(await api.db.membership.count({ where: { userId: w.leaving.id } })).toBe(0);
      expect(await api.db.assignment.count({ where: { ownerUserId: w.replacement.id } })).toBe(6);
      expect(await api.db.practiceStaffMember.count({ where: { userId: w.leaving.id } })).toBe(0);
      expect(problems.errors).toEqual([]);
    } finally {
      await hold?.release();
      await context.close();
    }
  },
);

it('PS-6 an Account Manager sees the certifications, invites one user, and downloads a certificate PDF', async () => {
  const w = await practice();
  const certificate = await api.db.certification.create({
    data: { userId: w.replacement.id, program: CERTIFICATION_PROGRAM, certifiedAt: new Date('2026-03-02T00:00:00Z') },
  });
  const { page, context, problems } = await newPage(browser);
  try {
    await signIn(page, api.url, w.manager.email, PASSWORD);
    await page.goto(`${api.url}/console/partner-firms/${w.firm.id}`);
    await page.getByRole('link', { name: 'Certifications' }).click();
    const list = page.getByRole('table', { name: 'Certification per staff user' });
    await expect(list.getByRole('row', { name: /Remy Replacement/ }).innerText()).resolves.toMatch(
      /Certified\s+2026-03-02 00:00 UTC/,
    );
    await expect(list.getByRole('row', { name: /Sam Staff/ }).innerText()).resolves.toMatch(/Not certified/);
    expect(await lookAt(page, 'practice-certifications')).toEqual([]);

    await page.getByRole('button', { name: 'Invite Sam Staff', exact: true }).click();
    await expect(page.getByRole('status').innerText()).resolves.toBe('Invited 1 to the certification.');
    await expect(list.getByRole('row', { name: /Sam Staff/ }).innerText()).resolves.toMatch(/Invited/);
    expect(await lookAt(page, 'practice-certifications-invited')).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Certificate of Remy Replacement (PDF)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`certificate-${certificate.id}.pdf`);
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(problems.errors).toEqual([]);
  } finally {
    await context.close();
  }
});

it('PS-1 a Staff user gets the refusal page on every manager page, and nothing to act on', async () => {
  const w = await practice();
  const { page, context } = await newPage(browser);
  try {
    await signIn(page, api.url, w.staff.email, PASSWORD);
    const firm = `${api.url}/console/partner-firms/${w.firm.id}`;
    const pages = {
      'practice-refused-staff-list': firm,
      'practice-refused-staff-member': `${firm}/staff/${w.leaving.id}`,
      'practice-refused-certifications': `${firm}/certifications`,
    };
    for (const [name, url] of Object.entries(pages)) {
      const response = await page.goto(url);
      expect(response?.status()).toBe(403);
      await expect(page.locator('main').innerText()).resolves.toMatch(
        /Only Account Owners, Account Managers and User Managers open Practice Staff\./,
      );
      await expect(page.locator('main form').count()).resolves.toBe(0);
      expect(await lookAt(page, name)).toEqual([]);
    }
    // A form posted anyway is the API's to refuse: the flash says why and no invitation exists.
    await page.goto(`${api.url}/console`);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const email = `sneaky-${uniqueSuffix()}@practice.example`;
    const posted = await context.request.post(`${firm}/staff/invitations`, {
      form: { _csrf: csrf, firstName: 'Sne', lastName: 'Aky', email, role: 'STAFF' },
    });
    expect(posted.status()).toBe(403);
    expect(await api.db.invitation.count({ where: { email } })).toBe(0);
  } finally {
    await context.close();
  }
});
