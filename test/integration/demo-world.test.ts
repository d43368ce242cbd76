// The demo world `npm start` seeds (prisma/seed.ts), on a database of its own, migrated like
// `npm start` migrates it: created once, complete, and never seeded twice.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createDatabase } from '../../platform/database';
import { DemoWorld, seedDemoWorld } from '../../prisma/seed';
import { config } from '../support/services';
import { repoRoot } from '../support/local-env';

const url = config.DATABASE_URL.replace(/\/[^/]+$/, '/partner_access_demo_check');
const db = createDatabase(url);

beforeAll(() => {
  execFileSync('bash', [join(repoRoot, 'stack', 'stack.sh'), 'reset-database', 'partner_access_demo_check'], {
    cwd: repoRoot,
  });
  execFileSync(join(repoRoot, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'ignore',
  });
}, 120000);
afterAll(() => db.$disconnect());

it(
  "TPU-2 PS-4 PS-5 PS-6 PP-1 PA-1 PA-2 PA-5 npm start's demo world is created once and " +
    'holds what the README walks through',
  async () => {
    expect(await seedDemoWorld(db)).toBe(true);
    expect(await seedDemoWorld(db)).toBe(false); // a second start changes nothing

    expect(await db.user.count()).toBe(DemoWorld.people.length + DemoWorld.partnerFirm.staff.length + 3);
    const firm = await db.partnerFirm.findFirstOrThrow({ where: { name: DemoWorld.partnerFirm.name } });
    expect(await db.clientRelationship.count({ where: { partnerFirmId: firm.id, state: 'ACTIVE' } })).toBe(2);
    const sid = await db.user.findUniqueOrThrow({ where: { email: 'sid.staff@northwind.example' } });
    expect(await db.assignment.count({ where: { ownerUserId: sid.id } })).toBe(2);
    expect(await db.membership.count({ where: { userId: sid.id } })).toBe(1);
    const ava = await db.user.findUniqueOrThrow({ where: { email: 'ava.owner@northwind.example' } });
    expect(await db.certification.findUnique({ where: { userId: ava.id } })).not.toBeNull();
    expect(await db.portalEmail.findUnique({ where: { email: DemoWorld.portalPartner.email } })).toMatchObject({
      ownerType: 'portal-partner',
    });
    expect(await db.supportAgent.count()).toBe(1);
    expect(await db.portalAdmin.count()).toBe(1);

    // PA: Northwind is a partner account over both organizations, one of them invite-guest.
    const accounts = await db.customerAccount.findMany({
      where: { partnerFirmId: firm.id },
      include: { organization: true },
    });
    expect(accounts.map((a) => [a.organization.name, a.accessModel]).sort()).toEqual([
      ['Acme Corporation', 'AUTOMATIC'],
      ['Globex Industries', 'INVITE_GUEST'],
    ]);
    const licences = await db.licence.findMany({ include: { _count: { select: { assignments: true } } } });
    for (const l of licences) expect(l.seatsUsed).toBe(l._count.assignments);
    // Close to the seat limit, and one contract renewing within 30 days.
    expect(licences.some((l) => l.organizationId && l.seats - l.seatsUsed === 1)).toBe(true);
    const soon = licences.filter((l) => l.nextRenewal && l.nextRenewal.getTime() - Date.now() < 30 * 86400_000);
    expect(soon.map((l) => l.solution)).toEqual(['Jet Reports']);
    expect(await db.licence.count({ where: { partnerFirmId: firm.id, type: 'NOT_FOR_RESALE' } })).toBe(1);
    const mark = await db.user.findUniqueOrThrow({ where: { email: DemoWorld.guest.email } });
    expect(mark.passwordHash).not.toBeNull();
  },
);
