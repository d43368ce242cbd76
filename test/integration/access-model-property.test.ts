// AM-1, AM-2, AM-5: random sequences of grant (an accepted offer), revoke, offboard, terminate,
// expire (the relationship, or a grant's end date), re-approve and re-join, run through the engine's
// own use cases and activities on the real database, never leave anyone with access whose source is
// revoked or expired, and never exceed a relationship's ceiling: not in the rows, and not in what the
// policy decision point allows.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { OrgRole } from '@prisma/client';
import { Authorizer } from '../../domain/authorization/authorizer';
import { effectiveAccess } from '../../domain/access';
import { grantDelegation, withinCeiling } from '../../domain/delegation';
import { AccessLedger } from '../../domain/access-ledger';
import { offboardingActivities } from '../../activities/offboarding';
import { clientRelationshipActivities } from '../../activities/client-relationships';
import { createDatabase, type Database } from '../../platform/database';
import { createMailer } from '../../platform/mail';
import { config, uniqueSuffix } from '../support/services';
import { createClientRelationship, createOrganization } from '../support/world';
import type { ThirdPartyAccessClient } from '../../workflows/third-party-access/client';

const RUNS = Number(process.env.AM_PROPERTY_RUNS ?? 30);
const STAFF = 3;
const ORGS = 2;
const ROLES: OrgRole[] = ['MEMBER', 'PRODUCT_ADMIN', 'ORG_ADMIN'];

let db: Database;
const mailer = createMailer({ host: config.SMTP_HOST, port: config.SMTP_PORT, from: config.MAIL_FROM });
beforeAll(() => {
  db = createDatabase(config.DATABASE_URL);
});
afterAll(async () => {
  await db.$disconnect();
  mailer.close();
});

type Step =
  | { op: 'grant'; staff: number; org: number; role: OrgRole }
  | { op: 'revoke'; staff: number; org: number }
  | { op: 'offboard'; staff: number; replacement: number }
  | { op: 'rejoin'; staff: number }
  | { op: 'end'; org: number; how: 'TERMINATED' | 'EXPIRED' }
  | { op: 'reapprove'; org: number; ceiling: OrgRole }
  | { op: 'grantEnds'; staff: number; org: number };

const staff = fc.integer({ min: 0, max: STAFF - 1 });
const org = fc.integer({ min: 0, max: ORGS - 1 });
const role = fc.constantFrom(...ROLES);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('grant' as const), staff, org, role }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('revoke' as const), staff, org }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('offboard' as const), staff, replacement: staff }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rejoin' as const), staff }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('end' as const),
      org,
      how: fc.constantFrom('TERMINATED' as const, 'EXPIRED' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reapprove' as const), org, ceiling: role }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('grantEnds' as const), staff, org }) },
);

/** A firm with a user manager and staff, working for organizations with their own org admin. */
async function world() {
  const firm = await db.partnerFirm.create({ data: { name: `Property firm ${uniqueSuffix()}` } });
  const person = async (role: 'USER_MANAGER' | 'ACCOUNT_OWNER' | 'STAFF') => {
    const user = await db.user.create({
      data: { email: `${role.toLowerCase()}-${uniqueSuffix()}@property.example`, displayName: role },
    });
    await db.practiceStaffMember.create({ data: { userId: user.id, partnerFirmId: firm.id, role } });
    return user.id;
  };
  const manager = await person('USER_MANAGER');
  const owner = await person('ACCOUNT_OWNER');
  const people: string[] = [];
  for (let i = 0; i < STAFF; i++) people.push(await person('STAFF'));
  const orgs = [];
  for (let i = 0; i < ORGS; i++) {
    const created = await createOrganization(db, { ORG_ADMIN: 1 });
    await createClientRelationship(db, firm.id, created.org.id, { roleCeiling: ROLES[i + 1] });
    orgs.push({ id: created.org.id, admin: created.members.ORG_ADMIN[0].id });
  }
  return { firm: firm.id, manager, owner, people, orgs };
}

type World = Awaited<ReturnType<typeof world>>;

async function apply(w: World, s: Step): Promise<void> {
  const relationships = clientRelationshipActivities(db, mailer);
  const ledger = new AccessLedger({ db, thirdPartyAccess: undefined as unknown as ThirdPartyAccessClient });
  switch (s.op) {
    case 'grant': {
      // An accepted offer: refused (nothing written) whenever it no longer holds.
      const d = {
        partnerFirmId: w.firm,
        organizationId: w.orgs[s.org].id,
        role: s.role,
        granterId: w.manager,
        inviteeId: w.people[s.staff],
      };
      await db.$transaction((tx) => grantDelegation(tx, { ...d, invitationId: null }));
      return;
    }
    case 'revoke': {
      const found = await db.membership.findFirst({
        where: { userId: w.people[s.staff], organizationId: w.orgs[s.org].id, source: 'DELEGATION' },
      });
      if (found)
        await ledger
          .revoke(w.orgs[s.org].admin, w.orgs[s.org].id, `membership:${found.id}`, 'Property test.')
          .catch(() => undefined);
      return;
    }
    case 'offboard': {
      if (s.staff === s.replacement) return;
      const offboardingId = randomUUID();
      const who = {
        offboardingId,
        workflowId: `offboarding-property-${offboardingId}`,
        partnerFirmId: w.firm,
        leavingUserId: w.people[s.staff],
        replacementUserId: w.people[s.replacement],
      };
      const activities = offboardingActivities(db);
      const opened = await activities.openOffboarding({ ...who, requestedByUserId: w.owner });
      if (opened.refused) return;
      for (const organizationId of opened.organizationIds)
        await activities.offboardOrganization({ ...who, organizationId });
      await activities.finishOffboarding(who);
      return;
    }
    case 'rejoin': {
      const key = { userId_partnerFirmId: { userId: w.people[s.staff], partnerFirmId: w.firm } };
      await db.practiceStaffMember.upsert({
        where: key,
        create: { userId: w.people[s.staff], partnerFirmId: w.firm, role: 'STAFF' },
        update: {},
      });
      return;
    }
    case 'end': {
      const row = await db.clientRelationship.findFirst({
        where: { partnerFirmId: w.firm, organizationId: w.orgs[s.org].id, state: 'ACTIVE' },
      });
      if (!row) return;
      await relationships.recordClientRelationshipTransition({
        relationshipId: row.id,
        transition: row.transition + 1,
        to: s.how,
        reason: 'Property test.',
        actorUserId: s.how === 'TERMINATED' ? w.orgs[s.org].admin : null,
        at: new Date().toISOString(),
      });
      return;
    }
    case 'reapprove': {
      const open = await db.clientRelationship.count({
        where: { partnerFirmId: w.firm, organizationId: w.orgs[s.org].id, state: 'ACTIVE' },
      });
      if (open === 0) await createClientRelationship(db, w.firm, w.orgs[s.org].id, { roleCeiling: s.ceiling });
      return;
    }
    case 'grantEnds': {
      // AM-5: a grant whose end date has passed.
      await db.membership.updateMany({
        where: { userId: w.people[s.staff], organizationId: w.orgs[s.org].id, source: 'DELEGATION' },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      return;
    }
  }
}

/** What the rows and the decision point say, against the sources themselves. */
async function checkInvariants(w: World): Promise<void> {
  const authorizer = new Authorizer(db);
  const now = new Date();
  for (const [o, organization] of w.orgs.entries()) {
    const inForce = await db.clientRelationship.findFirst({
      where: { partnerFirmId: w.firm, organizationId: organization.id, state: 'ACTIVE' },
    });
    for (const [p, userId] of w.people.entries()) {
      const onStaff = (await db.practiceStaffMember.count({ where: { userId, partnerFirmId: w.firm } })) > 0;
      const membership = await db.membership.findFirst({
        where: { userId, organizationId: organization.id },
        include: { clientRelationship: true },
      });
      const live = membership && (!membership.expiresAt || membership.expiresAt > now) ? membership : null;
      const where = `staff ${p} in organization ${o}`;
      if (live) {
        // Rows: a live delegation stands on a relationship in force, a holder on the staff, within the ceiling.
        expect({ where, source: live.source }).toEqual({ where, source: 'DELEGATION' });
        expect({ where, relationship: live.clientRelationship?.state, onStaff }).toEqual({
          where,
          relationship: 'ACTIVE',
          onStaff: true,
        });
        expect({ where, withinCeiling: withinCeiling(live.role, live.clientRelationship!.roleCeiling) }).toEqual({
          where,
          withinCeiling: true,
        });
      }
      // Decisions: access exactly when a live source stands, and never above the ceiling.
      const decision = await authorizer.decide({
        principalId: userId,
        action: 'viewOrganization',
        resource: { type: 'Organization', id: organization.id },
      });
      expect({ where, allowed: decision.allowed }).toEqual({ where, allowed: Boolean(live && onStaff && inForce) });
      const access = await effectiveAccess(db, userId, organization.id);
      if (access && inForce && access.level !== 'THIRD_PARTY') {
        expect({ where, withinCeiling: withinCeiling(access.level, inForce.roleCeiling) }).toEqual({
          where,
          withinCeiling: true,
        });
      }
    }
  }
}

it(
  'AM-1 AM-2 AM-5 random grant, revoke, offboard, terminate, expire and accept never leave access ' +
    `without a standing source, nor above a ceiling (${RUNS} runs)`,
  async () => {
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 14 }), async (sequence) => {
        const w = await world();
        for (const s of sequence) {
          await apply(w, s);
          steps += 1;
          await checkInvariants(w);
        }
      }),
      { numRuns: RUNS },
    );
    console.info(`access-model property: ${RUNS} runs, ${steps} steps, invariants checked after each`);
  },
  600_000,
);
