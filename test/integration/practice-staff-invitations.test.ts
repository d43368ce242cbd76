// PS-2 over HTTP on the real stack: Account Owners, Account Managers and User Managers invite people
// to the Practice Staff and reinvite them (rate-limited); each person's status is visible; someone
// who already has an account signs in to accept.
import { mailSink, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createUser } from '../support/world';
import { linkIn } from '../support/links';

const P = 'https://partner-access.example/problems/';
let api: TestApi;
let worker: TestWorker;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue });
});
afterAll(async () => {
  await api.close();
  await worker.stop();
});

async function firm() {
  const f = await api.db.partnerFirm.create({ data: { name: `Practice ${uniqueSuffix()}` } });
  const people: Record<string, { id: string; token: string }> = {};
  for (const role of ['ACCOUNT_OWNER', 'ACCOUNT_MANAGER', 'USER_MANAGER', 'STAFF'] as const) {
    const u = await createUser(api.db);
    await api.db.practiceStaffMember.create({ data: { userId: u.id, partnerFirmId: f.id, role } });
    people[role] = { id: u.id, token: await api.token(u.id) };
  }
  return { firm: f, people };
}

it(
  'PS-2 a User Manager invites an existing user; the status shows INVITED; they sign in to ' +
    'accept and are on the staff; reinvite is rate-limited with Retry-After',
  async () => {
    const { firm: f, people } = await firm();
    const invitee = await createUser(api.db);
    const base = `/partner-firms/${f.id}/staff`;
    const invited = await api.call('POST', `${base}/invitations`, {
      token: people.USER_MANAGER.token,
      body: { firstName: 'Ivy', lastName: 'Newhire', email: invitee.email },
    });
    expect(invited).toMatchObject({
      status: 201,
      body: {
        confirmation: `Invitation sent to ${invitee.email}.`,
        invitation: { kind: 'PRACTICE_STAFF', state: 'PENDING' },
      },
    });
    const again = await api.call('POST', `${base}/invitations`, {
      token: people.USER_MANAGER.token,
      body: { firstName: 'Ivy', lastName: 'Newhire', email: invitee.email },
    });
    // The same open invitation, not a second one.
    expect(again.body.invitation.invitationId).toBe(invited.body.invitation.invitationId);

    const listed = await api.call('GET', base, { token: people.ACCOUNT_MANAGER.token });
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ email: invitee.email, status: 'INVITED', role: 'STAFF' }),
    );

    // Reinvite: allowed while unanswered, but not twice within a minute.
    const id = invited.body.invitation.invitationId;
    const tooSoon = await api.call('POST', `/invitations/${id}/resend`, { token: people.ACCOUNT_OWNER.token });
    expect(tooSoon).toMatchObject({
      status: 429,
      body: { type: `${P}rate-limited`, retryAfterSeconds: expect.any(Number) },
    });
    expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await api.call('POST', `/invitations/${id}/resend`, { token: people.STAFF.token })).status).toBe(403);

    const link = linkIn((await mailSink.waitFor(invitee.email, /Join the Practice Staff of/)).text);
    expect((await api.call('GET', link.path)).body.accepting).toBe('sign-in-first');
    const anonymous = await api.call('POST', `/invitations/${link.id}/accept`, { body: { token: link.token } });
    expect(anonymous).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/sign in/) } });
    const someoneElse = await api.call('POST', `/invitations/${link.id}/accept`, {
      token: people.STAFF.token,
      body: { token: link.token },
    });
    expect(someoneElse.status).toBe(403);
    const accepted = await api.call('POST', `/invitations/${link.id}/accept`, {
      token: await api.token(invitee.id),
      body: { token: link.token },
    });
    expect(accepted).toMatchObject({ status: 200, body: { userId: invitee.id, invitation: { state: 'ACCEPTED' } } });

    const after = await api.call('GET', base, { token: people.ACCOUNT_OWNER.token });
    expect(after.body.items).toContainEqual(
      expect.objectContaining({ userId: invitee.id, status: 'ACTIVE', role: 'STAFF' }),
    );
    expect(
      await api.db.practiceStaffMember.findUnique({
        where: { userId_partnerFirmId: { userId: invitee.id, partnerFirmId: f.id } },
      }),
    ).toMatchObject({ role: 'STAFF' });
    const refused = await api.call('POST', `${base}/invitations`, {
      token: people.ACCOUNT_OWNER.token,
      body: { firstName: 'Ivy', lastName: 'Newhire', email: invitee.email },
    });
    expect(refused).toMatchObject({ status: 409, body: { detail: 'This person is already on the Practice Staff.' } });
  },
);

it(
  'PS-1 PS-2 PS-3 who may invite: staff may not open Practice Staff; only the Account ' +
    'Owner offers a role above staff',
  async () => {
    const { firm: f, people } = await firm();
    const base = `/partner-firms/${f.id}/staff`;
    expect((await api.call('GET', base, { token: people.STAFF.token })).status).toBe(403);
    const body = (role: string) => ({
      firstName: 'Max',
      lastName: 'Role',
      email: `max-${uniqueSuffix()}@practice.example`,
      role,
    });
    expect(
      (await api.call('POST', `${base}/invitations`, { token: people.STAFF.token, body: body('STAFF') })).status,
    ).toBe(403);
    expect(
      (
        await api.call('POST', `${base}/invitations`, {
          token: people.ACCOUNT_MANAGER.token,
          body: body('USER_MANAGER'),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await api.call('POST', `${base}/invitations`, {
          token: people.ACCOUNT_OWNER.token,
          body: body('ACCOUNT_OWNER'),
        })
      ).status,
    ).toBe(400);
    const byOwner = await api.call('POST', `${base}/invitations`, {
      token: people.ACCOUNT_OWNER.token,
      body: body('ACCOUNT_MANAGER'),
    });
    expect(byOwner).toMatchObject({ status: 201 });
    // Another firm's staff list is not theirs to see.
    const other = await firm();
    expect((await api.call('GET', base, { token: other.people.ACCOUNT_OWNER.token })).status).toBe(403);
  },
);
