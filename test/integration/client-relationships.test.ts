// AM-2 and AM-4 over HTTP on the real stack: a firm asks, the client's org admin approves, a manager
// delegates within the ceiling, the client reads the chain of why in its ledger and revokes; ending
// the relationship revokes everything delegated under it at once; the client's org admin extends it by hand.
import { mailSink, uniqueSuffix } from '../support/services';
import { apiWithWorker } from '../support/api';
import { createOrganization } from '../support/world';
import { linkIn } from '../support/links';
import { saveHistory } from '../support/histories';
import { clientRelationshipWorkflowId } from '../../workflows/client-relationship/messages';

const P = 'https://partner-access.example/problems/';
const running = apiWithWorker();

async function firmAndClient() {
  const firm = await running.api.db.partnerFirm.create({ data: { name: `Advisers ${uniqueSuffix()}` } });
  const person = async (role: 'ACCOUNT_OWNER' | 'USER_MANAGER' | 'STAFF', name: string) => {
    const user = await running.api.db.user.create({
      data: { email: `${name.split(' ')[0].toLowerCase()}-${uniqueSuffix()}@advisers.example`, displayName: name },
    });
    await running.api.db.practiceStaffMember.create({ data: { userId: user.id, partnerFirmId: firm.id, role } });
    return { ...user, token: await running.api.token(user.id) };
  };
  const owner = await person('ACCOUNT_OWNER', 'Ann Owner');
  const manager = await person('USER_MANAGER', 'Uma Manager');
  const staff = await person('STAFF', 'Sid Staff');
  const client = await createOrganization(running.api.db, { ORG_ADMIN: 1, MEMBER: 1 });
  const admin = {
    id: client.members.ORG_ADMIN[0].id,
    email: client.members.ORG_ADMIN[0].email,
    token: await running.api.token(client.members.ORG_ADMIN[0].id),
  };
  return { firm, owner, manager, staff, client: client.org, admin };
}

/** The firm asks, the organization approves: an ACTIVE relationship with a PRODUCT_ADMIN ceiling. */
async function approvedRelationship(w: Awaited<ReturnType<typeof firmAndClient>>) {
  const asked = await running.api.call('POST', `/partner-firms/${w.firm.id}/client-relationships`, {
    token: w.owner.token,
    body: { organizationId: w.client.id, roleCeiling: 'PRODUCT_ADMIN', durationDays: 365 },
  });
  expect(asked).toMatchObject({ status: 201, body: { state: 'PENDING_APPROVAL', partnerFirmName: w.firm.name } });
  const id = asked.body.clientRelationshipId;
  const approved = await running.api.call('POST', `/client-relationships/${id}/approve`, { token: w.admin.token });
  expect(approved).toMatchObject({
    status: 200,
    body: { state: 'ACTIVE', roleCeiling: 'PRODUCT_ADMIN', autoExtend: false },
  });
  return id as string;
}

/** A manager's offer to the staff user, accepted: a delegated membership. */
async function delegated(w: Awaited<ReturnType<typeof firmAndClient>>, role: 'MEMBER' | 'PRODUCT_ADMIN') {
  const offered = await running.api.call(
    'POST',
    `/partner-firms/${w.firm.id}/staff/${w.staff.id}/organization-access`,
    {
      token: w.manager.token,
      body: { organizations: [{ organizationId: w.client.id, role }] },
    },
  );
  expect(offered.status).toBe(201);
  const link = linkIn(
    (await mailSink.waitFor(w.staff.email, new RegExp(`You are invited to work in ${w.client.name}`))).text,
  );
  const accepted = await running.api.call('POST', `/invitations/${link.id}/accept`, {
    token: w.staff.token,
    body: { token: link.token },
  });
  expect(accepted.status).toBe(200);
}

it(
  'AM-2 AM-4 the firm asks, the client approves, a manager delegates within the ceiling, ' +
    'the ledger says why, and terminating revokes at once',
  async () => {
    const w = await firmAndClient();
    const id = await approvedRelationship(w);
    const again = await running.api.call('POST', `/partner-firms/${w.firm.id}/client-relationships`, {
      token: w.owner.token,
      body: { organizationId: w.client.id, roleCeiling: 'MEMBER', durationDays: 30 },
    });
    expect(again).toMatchObject({ status: 409, body: { type: `${P}conflict` } });
    expect(
      (await running.api.call('GET', `/organizations/${w.client.id}/client-relationships`, { token: w.admin.token }))
        .body.items,
    ).toEqual([expect.objectContaining({ clientRelationshipId: id, state: 'ACTIVE' })]);

    await delegated(w, 'PRODUCT_ADMIN');
    expect(await running.api.call('GET', `/organizations/${w.client.id}`, { token: w.staff.token })).toMatchObject({
      status: 200,
      body: { yourAccess: 'PRODUCT_ADMIN' },
    });
    const ledger = (
      await running.api.call('GET', `/organizations/${w.client.id}/access-ledger`, { token: w.admin.token })
    ).body.items;
    const entry = ledger.find((e: { userId: string }) => e.userId === w.staff.id);
    expect(entry).toMatchObject({
      source: 'DELEGATION',
      level: 'PRODUCT_ADMIN',
      revocable: true,
      partnerFirm: { partnerFirmId: w.firm.id, name: w.firm.name },
      clientRelationshipId: id,
      grantedBy: { userId: w.manager.id, name: 'Uma Manager' },
      why: expect.stringMatching(
        new RegExp(
          `^Sid Staff, PRODUCT_ADMIN, delegated by ${w.firm.name} under relationship ${id}, ` +
            'granted by Uma Manager on \\d{4}-\\d{2}-\\d{2}, until \\d{4}-\\d{2}-\\d{2}$',
        ),
      ),
    });
    expect(ledger.filter((e: { source: string }) => e.source === 'OWN')).toHaveLength(2);
    // TPU-7: the staff user hops to it like a third party would.
    const hop = await running.api.call('GET', '/me/client-organizations', { token: w.staff.token });
    expect(hop.body.items).toEqual([{ organizationId: w.client.id, name: w.client.name }]);

    // Either side ends it: here the organization. The delegation is gone in the same answer.
    const ended = await running.api.call('POST', `/client-relationships/${id}/terminate`, {
      token: w.admin.token,
      body: { reason: 'Engagement over.' },
    });
    expect(ended).toMatchObject({ status: 200, body: { state: 'TERMINATED' } });
    expect(
      await running.api.db.membership.count({ where: { userId: w.staff.id, organizationId: w.client.id } }),
    ).toBe(0);
    expect((await running.api.call('GET', `/organizations/${w.client.id}`, { token: w.staff.token })).status).toBe(
      403,
    );
    expect((await running.api.call('GET', '/me/client-organizations', { token: w.staff.token })).body.items).toEqual(
      [],
    );
    expect(
      await running.api.db.outboxEvent.count({
        where: { type: 'partneraccess.access.grant-revoked.v1', data: { path: ['grantId'], equals: entry.grantId } },
      }),
    ).toBe(1);
    expect(
      (
        await running.api.call('POST', `/client-relationships/${id}/terminate`, {
          token: w.owner.token,
          body: { reason: 'Again.' },
        })
      ).status,
    ).toBe(403);
  },
);

it(
  'AM-4 an org admin revokes a delegated grant from the ledger at once; an own membership ' +
    'is managed as a member instead',
  async () => {
    const w = await firmAndClient();
    await approvedRelationship(w);
    await delegated(w, 'MEMBER');
    const ledger = (
      await running.api.call('GET', `/organizations/${w.client.id}/access-ledger`, { token: w.admin.token })
    ).body.items;
    const grant = ledger.find((e: { userId: string }) => e.userId === w.staff.id);
    const own = ledger.find((e: { source: string }) => e.source === 'OWN');

    const refused = await running.api.call('POST', `/organizations/${w.client.id}/access-ledger/revocations`, {
      token: w.admin.token,
      body: { grantId: own.grantId, reason: 'No.' },
    });
    expect(refused).toMatchObject({ status: 422, body: { type: `${P}unprocessable` } });
    const revoked = await running.api.call('POST', `/organizations/${w.client.id}/access-ledger/revocations`, {
      token: w.admin.token,
      body: { grantId: grant.grantId, reason: 'Not needed any more.' },
    });
    expect(revoked).toMatchObject({ status: 200, body: { grantId: grant.grantId, source: 'DELEGATION' } });
    expect((await running.api.call('GET', `/organizations/${w.client.id}`, { token: w.staff.token })).status).toBe(
      403,
    );
    const gone = await running.api.call('POST', `/organizations/${w.client.id}/access-ledger/revocations`, {
      token: w.admin.token,
      body: { grantId: grant.grantId, reason: 'Twice.' },
    });
    expect(gone.status).toBe(404);
    const event = await running.api.db.outboxEvent.findFirstOrThrow({
      where: { type: 'partneraccess.access.grant-revoked.v1', data: { path: ['grantId'], equals: grant.grantId } },
    });
    expect(event.data).toMatchObject({
      actorUserId: w.admin.id,
      reason: 'Not needed any more.',
      source: 'DELEGATION',
    });
  },
);

it('AM-2 a relationship the organization declines never lets the firm delegate', async () => {
  const w = await firmAndClient();
  const asked = await running.api.call('POST', `/partner-firms/${w.firm.id}/client-relationships`, {
    token: w.owner.token,
    body: { organizationId: w.client.id, roleCeiling: 'ORG_ADMIN', durationDays: 730, autoExtend: true },
  });
  const id = asked.body.clientRelationshipId;
  const byFirm = await running.api.call('POST', `/client-relationships/${id}/approve`, { token: w.owner.token });
  expect(byFirm.status).toBe(403);
  const declined = await running.api.call('POST', `/client-relationships/${id}/decline`, {
    token: w.admin.token,
    body: { reason: 'We use another firm.' },
  });
  expect(declined).toMatchObject({ status: 200, body: { state: 'DECLINED' } });
  const offered = await running.api.call(
    'POST',
    `/partner-firms/${w.firm.id}/staff/${w.staff.id}/organization-access`,
    {
      token: w.manager.token,
      body: { organizations: [{ organizationId: w.client.id, role: 'MEMBER' }] },
    },
  );
  expect(offered).toMatchObject({
    status: 422,
    body: { detail: expect.stringMatching(/no client relationship in force/) },
  });
});

it(
  'AM-2 AM-5 a relationship past its end date grants nothing, even before its workflow ' + 'records the expiry',
  async () => {
    const w = await firmAndClient();
    const id = await approvedRelationship(w);
    await delegated(w, 'MEMBER');
    expect((await running.api.call('GET', `/organizations/${w.client.id}`, { token: w.staff.token })).status).toBe(
      200,
    );
    // A worker that was down when the end date came: the row is still ACTIVE, its date is past.
    await running.api.db.clientRelationship.update({
      where: { id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await running.api.call('GET', `/organizations/${w.client.id}`, { token: w.staff.token })).status).toBe(
      403,
    );
    const ledger = (
      await running.api.call('GET', `/organizations/${w.client.id}/access-ledger`, { token: w.admin.token })
    ).body;
    expect(ledger.items.some((e: { userId: string }) => e.userId === w.staff.id)).toBe(false);
  },
);

it("AM-2 AM-4 the client's org admin extends an active relationship by hand, once; both sides are told", async () => {
  const w = await firmAndClient();
  const id = await approvedRelationship(w);
  await delegated(w, 'MEMBER');
  const DAY = 86400_000;
  const before = await running.api.db.clientRelationship.findUniqueOrThrow({ where: { id } });
  const oldEnd = before.expiresAt!.getTime();
  const extend = (token: string, body: unknown) =>
    running.api.call('POST', `/client-relationships/${id}/extend`, { token, body });
  const delegatedGrant = async () =>
    (
      await running.api.call('GET', `/organizations/${w.client.id}/access-ledger`, { token: w.admin.token })
    ).body.items.find((e: { userId: string }) => e.userId === w.staff.id);
  expect((await delegatedGrant()).expiresAt).toBe(new Date(oldEnd).toISOString());

  // The firm asks for more time; only the client decides. Nothing is recorded for a refusal.
  expect((await extend(w.owner.token, { expiresAt: new Date(oldEnd + 90 * DAY).toISOString() })).status).toBe(403);
  expect((await extend(w.manager.token, { expiresAt: new Date(oldEnd + 90 * DAY).toISOString() })).status).toBe(403);
  const earlier = await extend(w.admin.token, { expiresAt: new Date(oldEnd - DAY).toISOString() });
  expect(earlier).toMatchObject({
    status: 409,
    body: { type: `${P}conflict`, detail: expect.stringMatching(/already ends on .*choose a later date/) },
  });
  const tooFar = await extend(w.admin.token, { expiresAt: new Date(Date.now() + 731 * DAY).toISOString() });
  expect(tooFar).toMatchObject({
    status: 400,
    body: { type: `${P}validation-failed`, errors: [expect.objectContaining({ pointer: '/expiresAt' })] },
  });
  expect((await extend(w.admin.token, { days: 90 })).status).toBe(400);
  expect(await running.api.db.clientRelationship.findUniqueOrThrow({ where: { id } })).toMatchObject({
    transition: before.transition,
    extensions: 0,
  });

  // 90 days after the old end, written with an offset: the same instant is kept, in UTC.
  const newEnd = new Date(oldEnd + 90 * DAY);
  const withOffset = new Date(newEnd.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
  const extended = await extend(w.admin.token, { expiresAt: withOffset });
  expect(extended).toMatchObject({
    status: 200,
    body: {
      state: 'ACTIVE',
      expiresAt: newEnd.toISOString(),
      reason: `Active: an org admin extended it until ${newEnd.toISOString()}.`,
    },
  });
  const row = await running.api.db.clientRelationship.findUniqueOrThrow({ where: { id } });
  expect(row).toMatchObject({ state: 'ACTIVE', expiresAt: newEnd, extensions: 1, transition: before.transition + 1 });
  const events = await running.api.db.outboxEvent.findMany({
    where: { aggregateId: id, type: 'partneraccess.client-relationship.extended.v1' },
  });
  expect(events.map((e) => e.data)).toEqual([
    expect.objectContaining({ actorUserId: w.admin.id, state: 'ACTIVE', expiresAt: newEnd.toISOString() }),
  ]);
  // What was delegated under it now lasts as long (AM-4's ledger says until when).
  expect((await delegatedGrant()).expiresAt).toBe(newEnd.toISOString());

  // Both sides are told: the organization's org admins and the firm's Account Owner.
  const subject = new RegExp(`^${w.firm.name} works for ${w.client.name} until ${newEnd.toUTCString()}$`);
  for (const to of [w.admin, w.owner]) {
    const email = await mailSink.waitFor(to.email, subject);
    expect(email.text).toContain(`was extended by an org admin of ${w.client.name}. It now ends on`);
  }

  // The same extension sent again (a retry, a second click) extends nothing more.
  expect(await extend(w.admin.token, { expiresAt: newEnd.toISOString() })).toMatchObject({ status: 409 });
  expect((await running.api.db.clientRelationship.findUniqueOrThrow({ where: { id } })).extensions).toBe(1);

  // Ended, it cannot be extended; its run completes, and its history is kept for the replay test.
  await running.api.call('POST', `/client-relationships/${id}/terminate`, {
    token: w.admin.token,
    body: { reason: 'Extension test over.' },
  });
  expect((await extend(w.admin.token, { expiresAt: new Date(oldEnd + 120 * DAY).toISOString() })).status).toBe(403);
  await saveHistory(
    'client-relationship-extended',
    running.api.temporal.workflow.getHandle(clientRelationshipWorkflowId(id)),
  );
});
