// The access that nobody approved, found on the demo world before the access model (issue "one
// access model"): each hole is tried over HTTP on the real stack, must be refused, and must leave
// nothing behind. Hole 4 (revocation waiting on SMTP) is test/integration/tpu-revocation.test.ts.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { mailSink, uniqueSuffix } from '../support/services';
import { apiWithWorker } from '../support/api';
import { createClientRelationship, createOrganization } from '../support/world';
import { linkIn } from '../support/links';
import { waitUntil } from '../support/kafka';
import { repoRoot } from '../support/local-env';

const P = 'https://partner-access.example/problems/';
const running = apiWithWorker();

/** A firm with an Account Owner, a User Manager and a staff user, working for one client organization. */
async function firmWithClient(roleCeiling: 'ORG_ADMIN' | 'PRODUCT_ADMIN' | 'MEMBER' = 'ORG_ADMIN') {
  const firm = await running.api.db.partnerFirm.create({ data: { name: `Firm ${uniqueSuffix()}` } });
  const person = async (role: 'ACCOUNT_OWNER' | 'USER_MANAGER' | 'STAFF') => {
    const user = await running.api.db.user.create({
      data: { email: `${role.toLowerCase()}-${uniqueSuffix()}@firm.example`, displayName: `${role} Person` },
    });
    await running.api.db.practiceStaffMember.create({ data: { userId: user.id, partnerFirmId: firm.id, role } });
    return { ...user, token: await running.api.token(user.id) };
  };
  const [owner, userManager, staff] = [
    await person('ACCOUNT_OWNER'),
    await person('USER_MANAGER'),
    await person('STAFF'),
  ];
  const client = await createOrganization(running.api.db, { ORG_ADMIN: 1 });
  const relationship = await createClientRelationship(running.api.db, firm.id, client.org.id, { roleCeiling });
  const clientAdmin = {
    id: client.members.ORG_ADMIN[0].id,
    token: await running.api.token(client.members.ORG_ADMIN[0].id),
  };
  return { firm, owner, userManager, staff, client: client.org, clientAdmin, relationship };
}

const offerPath = (firmId: string, userId: string) => `/partner-firms/${firmId}/staff/${userId}/organization-access`;

it(
  'AM-2 hole 1: a User Manager cannot offer themself org admin of a client; above the ' +
    'ceiling is refused before any invitation; the client sees every offer',
  async () => {
    const w = await firmWithClient('PRODUCT_ADMIN');
    const self = await running.api.call('POST', offerPath(w.firm.id, w.userManager.id), {
      token: w.userManager.token,
      body: { organizations: [{ organizationId: w.client.id, role: 'MEMBER' }] },
    });
    expect(self).toMatchObject({
      status: 403,
      body: { type: `${P}forbidden`, detail: expect.stringMatching(/themself/) },
    });
    const above = await running.api.call('POST', offerPath(w.firm.id, w.staff.id), {
      token: w.userManager.token,
      body: { organizations: [{ organizationId: w.client.id, role: 'ORG_ADMIN' }] },
    });
    expect(above).toMatchObject({
      status: 422,
      body: { type: `${P}unprocessable`, detail: expect.stringMatching(/above what the organization allows/) },
    });
    expect(
      await running.api.db.invitation.count({ where: { kind: 'ORGANIZATION_ACCESS', scopeId: w.client.id } }),
    ).toBe(0);
    expect(
      await running.api.db.membership.count({
        where: { organizationId: w.client.id, userId: { in: [w.userManager.id, w.staff.id] } },
      }),
    ).toBe(0);

    // Within the ceiling it goes out, and the client organization's own org admin sees it.
    const offered = await running.api.call('POST', offerPath(w.firm.id, w.staff.id), {
      token: w.userManager.token,
      body: { organizations: [{ organizationId: w.client.id, role: 'PRODUCT_ADMIN' }] },
    });
    expect(offered.status).toBe(201);
    const seen = await running.api.call('GET', `/invitations?kind=ORGANIZATION_ACCESS&scopeId=${w.client.id}`, {
      token: w.clientAdmin.token,
    });
    expect(seen).toMatchObject({
      status: 200,
      body: { items: [expect.objectContaining({ email: w.staff.email, state: 'PENDING' })] },
    });
  },
);

it(
  "AM-2 hole 2: an organization-access offer does not outlive its invitee's offboarding; " +
    'the old link answers 409 and grants nothing',
  async () => {
    const w = await firmWithClient();
    const offered = await running.api.call('POST', offerPath(w.firm.id, w.staff.id), {
      token: w.userManager.token,
      body: { organizations: [{ organizationId: w.client.id, role: 'MEMBER' }] },
    });
    expect(offered.status).toBe(201);
    const mail = await mailSink.waitFor(w.staff.email, new RegExp(`You are invited to work in ${w.client.name}`));
    const link = linkIn(mail.text);

    const started = await running.api.call('POST', `/partner-firms/${w.firm.id}/offboardings`, {
      token: w.owner.token,
      body: { userId: w.staff.id, replacementUserId: w.userManager.id },
    });
    expect(started.status).toBe(202);
    await waitUntil(
      'offboarded',
      async () =>
        (await running.api.db.offboarding.findUnique({ where: { id: started.body.offboardingId } }))?.state ===
        'COMPLETED',
      30000,
    );
    await waitUntil(
      'offer revoked',
      async () => (await running.api.db.invitation.findUnique({ where: { id: link.id } }))?.state === 'REVOKED',
      30000,
    );

    const accepted = await running.api.call('POST', `/invitations/${link.id}/accept`, {
      token: w.staff.token,
      body: { token: link.token },
    });
    expect(accepted).toMatchObject({ status: 409, body: { type: `${P}invitation-closed` } });
    expect(
      await running.api.db.membership.count({ where: { userId: w.staff.id, organizationId: w.client.id } }),
    ).toBe(0);
  },
);

it(
  'AM-2 hole 2, at accept: an offer whose relationship ended meanwhile answers 409 with ' +
    'the reason and grants nothing',
  async () => {
    const w = await firmWithClient();
    await running.api.call('POST', offerPath(w.firm.id, w.staff.id), {
      token: w.userManager.token,
      body: { organizations: [{ organizationId: w.client.id, role: 'MEMBER' }] },
    });
    const link = linkIn(
      (await mailSink.waitFor(w.staff.email, new RegExp(`You are invited to work in ${w.client.name}`))).text,
    );
    // The relationship ends by a path that knows nothing of the offer (its row, as an expiry would leave it).
    await running.api.db.clientRelationship.update({ where: { id: w.relationship.id }, data: { state: 'EXPIRED' } });
    const accepted = await running.api.call('POST', `/invitations/${link.id}/accept`, {
      token: w.staff.token,
      body: { token: link.token },
    });
    expect(accepted).toMatchObject({
      status: 409,
      body: {
        type: `${P}conflict`,
        detail: expect.stringMatching(/no longer holds.*no client relationship in force/),
      },
    });
    expect(
      await running.api.db.membership.count({ where: { userId: w.staff.id, organizationId: w.client.id } }),
    ).toBe(0);
    expect((await running.api.db.invitation.findUniqueOrThrow({ where: { id: link.id } })).state).toBe('PENDING');
  },
);

it(
  "AM-1 hole 3: offboarding never reaches an organization that is not the firm's client; " +
    "the leaver's employer keeps its admin",
  async () => {
    const w = await firmWithClient();
    const employer = await createOrganization(running.api.db, {});
    await running.api.db.membership.create({
      data: { userId: w.staff.id, organizationId: employer.org.id, role: 'ORG_ADMIN' },
    });
    const started = await running.api.call('POST', `/partner-firms/${w.firm.id}/offboardings`, {
      token: w.owner.token,
      body: { userId: w.staff.id, replacementUserId: w.owner.id },
    });
    expect(started).toMatchObject({ status: 202, body: { total: 0 } });
    await waitUntil(
      'offboarded',
      async () =>
        (await running.api.db.offboarding.findUnique({ where: { id: started.body.offboardingId } }))?.state ===
        'COMPLETED',
      30000,
    );
    const admins = await running.api.db.membership.findMany({
      where: { organizationId: employer.org.id },
      select: { userId: true, role: true },
    });
    expect(admins).toEqual([{ userId: w.staff.id, role: 'ORG_ADMIN' }]);
    expect(await running.api.db.offboardingStep.count({ where: { offboardingId: started.body.offboardingId } })).toBe(
      0,
    );
  },
);

it('AM-1 hole 5: a process refuses the development secrets unless NODE_ENV says development or test', async () => {
  const env = { ...process.env };
  delete env.NODE_ENV;
  delete env.AUTH_JWT_SECRET;
  delete env.RELATIONSHIP_ID_KEY;
  const child = spawn(join(repoRoot, 'node_modules', '.bin', 'tsx'), [join(repoRoot, 'api', 'main.ts')], {
    env,
    cwd: repoRoot,
  });
  let stderr = '';
  child.stdout.on('data', (d) => (stderr += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).not.toBe(0);
  expect(stderr).toMatch(/AUTH_JWT_SECRET/);
  expect(stderr).toMatch(/RELATIONSHIP_ID_KEY/);
});
