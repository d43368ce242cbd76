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
  execFileSync('bash', [join(repoRoot, 'stack', 'stack.sh'), 'reset-database', 'partner_access_demo_check'], { cwd: repoRoot });
  execFileSync(join(repoRoot, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], { cwd: repoRoot, env: { ...process.env, DATABASE_URL: url }, stdio: 'ignore' });
}, 120000);
afterAll(() => db.$disconnect());

it("TPU-2 PS-4 PS-5 PS-6 PP-1 npm start's demo world is created once and holds what the README walks through", async () => {
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
  expect(await db.portalEmail.findUnique({ where: { email: DemoWorld.portalPartner.email } })).toMatchObject({ ownerType: 'portal-partner' });
  expect(await db.supportAgent.count()).toBe(1);
  expect(await db.portalAdmin.count()).toBe(1);
});
