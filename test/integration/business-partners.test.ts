// BP-1..BP-5 and the invitation lifecycle over HTTP on the real stack: resend (old link dead, first
// send kept), two resends at once, revoke (also by email), reject, accept; partners see only what
// they were added to.
import { config, mailSink, uniqueSuffix } from '../support/services';
import { invitationWorkflowId, type InvitationInput } from '../../workflows/invitation/messages';
import { relationshipIdFor } from '../../domain/third-party-access';
import { timingsFor } from '../../domain/invitations';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createOrganization, createUser } from '../support/world';
import { linkIn, waitForEmails } from '../support/links';
import { saveHistory } from '../support/histories';

const P = 'https://partner-access.example/problems/';
let api: TestApi;
let worker: TestWorker;

beforeAll(async () => {
  worker = await startTestWorker();
  // Resends without the 60 s spacing, so the lifecycle can be walked in seconds (the limit has its own test).
  api = await startTestApi({
    taskQueue: worker.taskQueue,
    invitationTimings: { BUSINESS_PARTNER: { resendMinIntervalSeconds: 0, resendsPerDay: 20 } },
  });
});
afterAll(async () => {
  await api.close();
  await worker.stop();
});

async function employee() {
  const { org, members } = await createOrganization(api.db, { MEMBER: 2 });
  return {
    org,
    me: members.MEMBER[0],
    colleague: members.MEMBER[1],
    token: await api.token(members.MEMBER[0].id),
    colleagueToken: await api.token(members.MEMBER[1].id),
  };
}
const person = (first: string) => ({
  firstName: first,
  lastName: 'Partner',
  email: `${first.toLowerCase()}-${uniqueSuffix()}@vendor.example`,
});
const subject = /You are invited to work with us as a business partner/;

it(
  "BP-1 BP-2 BP-3 BP-4 the article's story: add a partner company with two people (one " +
    'already has an account), the list grouped by company, resend shows the original, ' +
    'accept, see only the shared task',
  async () => {
    const e = await employee();
    const known = await createUser(api.db);
    const newcomer = person('Nina');
    const added = await api.call('POST', `/organizations/${e.org.id}/business-partners`, {
      token: e.token,
      body: {
        companyName: 'Vendor & Sons',
        people: [newcomer, { firstName: 'Known', lastName: 'Person', email: known.email.toUpperCase() }],
      },
    });
    expect(added.status).toBe(201);
    expect(added.body.results).toEqual([
      expect.objectContaining({ email: newcomer.email, outcome: 'invited' }),
      expect.objectContaining({
        email: known.email,
        outcome: 'connected',
        message: expect.stringMatching(/account already exists.*no invitation/),
      }),
    ]);
    expect(await waitForEmails(known.email, subject, 0)).toHaveLength(0); // BP-2: no invitation to an existing account

    // Each employee has their own list: the colleague sees nothing of it.
    const mine = await api.call('GET', '/business-partners', { token: e.token });
    expect(mine.body.companies).toEqual([
      expect.objectContaining({
        name: 'Vendor & Sons',
        people: [
          expect.objectContaining({ status: 'INVITED' }),
          expect.objectContaining({ status: 'ACTIVE', userId: known.id }),
        ],
      }),
    ]);
    expect((await api.call('GET', '/business-partners', { token: e.colleagueToken })).body.companies).toEqual([]);

    const original = linkIn((await mailSink.waitFor(newcomer.email, subject)).text);
    const invitation = mine.body.companies[0].people[0].invitation;
    expect(invitation).toMatchObject({ invitationId: original.id, state: 'PENDING', sendCount: 1 });

    // BP-4: resend makes a new link, kills the old one, keeps when the original was sent.
    const resent = await api.call('POST', `/invitations/${original.id}/resend`, { token: e.token });
    expect(resent).toMatchObject({
      status: 200,
      body: { state: 'PENDING', sendCount: 2, firstSentAt: invitation.firstSentAt },
    });
    expect(resent.body.sends.map((s: { kind: string }) => s.kind)).toEqual(['INITIAL', 'RESEND']);
    expect(resent.body.lastSentAt > invitation.firstSentAt).toBe(true);
    const emails = await waitForEmails(newcomer.email, subject, 2);
    const fresh = linkIn(emails[1].text);
    expect(fresh.token).not.toBe(original.token);
    const old = await api.call('POST', `/invitations/${original.id}/accept`, {
      body: { token: original.token, password: 'a good long password' },
    });
    expect(old).toMatchObject({ status: 409, body: { type: `${P}link-superseded` } });
    const forged = await api.call('GET', `/invitations/${original.id}/link?token=${'A'.repeat(43)}`);
    expect(forged).toMatchObject({ status: 404 });

    // Only the employee whose list it is manages it.
    expect((await api.call('POST', `/invitations/${original.id}/resend`, { token: e.colleagueToken })).status).toBe(
      403,
    );

    const accepted = await api.call('POST', `/invitations/${fresh.id}/accept`, {
      body: { token: fresh.token, password: 'a good long password' },
    });
    expect(accepted.status).toBe(200);
    const partnerToken = (
      await api.call('POST', '/sessions', { body: { email: newcomer.email, password: 'a good long password' } })
    ).body.token;

    // BP-3: a task shared with the partner, another not; nothing else of the organization.
    const shared = await api.call('POST', `/organizations/${e.org.id}/tasks`, {
      token: e.token,
      body: { title: 'Quarterly supply plan' },
    });
    const internal = await api.call('POST', `/organizations/${e.org.id}/tasks`, {
      token: e.token,
      body: { title: 'Internal budget' },
    });
    const partnerRow = (
      await api.call('GET', '/business-partners', { token: e.token })
    ).body.companies[0].people.find((p: { email: string }) => p.email === newcomer.email);
    expect(partnerRow).toMatchObject({ status: 'ACTIVE', userId: accepted.body.userId, invitation: null });
    expect(
      (
        await api.call('POST', `/tasks/${shared.body.taskId}/grants`, {
          token: e.token,
          body: { businessPartnerId: partnerRow.businessPartnerId },
        })
      ).status,
    ).toBe(201);

    expect(await api.call('GET', `/tasks/${shared.body.taskId}`, { token: partnerToken })).toMatchObject({
      status: 200,
      body: { title: 'Quarterly supply plan' },
    });
    expect(
      (await api.call('GET', '/me/tasks', { token: partnerToken })).body.items.map(
        (t: { taskId: string }) => t.taskId,
      ),
    ).toEqual([shared.body.taskId]);
    expect((await api.call('GET', `/tasks/${internal.body.taskId}`, { token: partnerToken })).status).toBe(404);
    expect((await api.call('GET', `/organizations/${e.org.id}`, { token: partnerToken })).status).toBe(403);
    expect((await api.call('GET', `/organizations/${e.org.id}/tasks`, { token: partnerToken })).status).toBe(403);
    expect(
      (await api.call('GET', `/organizations/${e.org.id}/third-party-users`, { token: partnerToken })).status,
    ).toBe(403);
    expect(
      (await api.call('POST', `/organizations/${e.org.id}/tasks`, { token: partnerToken, body: { title: 'x' } }))
        .status,
    ).toBe(403);

    const events = await api.db.outboxEvent.findMany({
      where: { aggregateId: original.id },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((ev) => ev.type.split('.')[2])).toEqual(['created', 'sent', 'resent', 'accepted']);
    await saveHistory('invitation-accepted', await handleOf(original.id));
  },
);

const handleOf = async (invitationId: string) =>
  api.temporal.workflow.getHandle(
    (await api.db.invitation.findUniqueOrThrow({ where: { id: invitationId } })).workflowId,
  );

it('BP-4 two resends at once leave exactly one valid link', async () => {
  const e = await employee();
  const p = person('Twin');
  await api.call('POST', `/organizations/${e.org.id}/business-partners`, {
    token: e.token,
    body: { companyName: 'Twin Co', people: [p] },
  });
  const first = linkIn((await mailSink.waitFor(p.email, subject)).text);
  const both = await Promise.all(
    [1, 2].map(() => api.call('POST', `/invitations/${first.id}/resend`, { token: e.token })),
  );
  expect(both.map((r) => r.status)).toEqual([200, 200]);
  const links = (await waitForEmails(p.email, subject, 3)).map((m) => linkIn(m.text));
  const answers = await Promise.all(links.map((l) => api.call('GET', l.path)));
  expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
  expect(answers.filter((a) => a.status === 409).every((a) => a.body.type === `${P}link-superseded`)).toBe(true);
});

it('BP-4 revoke, also by email address; the invitee declines another; each link then says what happened', async () => {
  const e = await employee();
  const [a, b, c] = [person('Ann'), person('Ben'), person('Cy')];
  await api.call('POST', `/organizations/${e.org.id}/business-partners`, {
    token: e.token,
    body: { companyName: 'Three Co', people: [a, b, c] },
  });
  const [la, lb, lc] = await Promise.all(
    [a, b, c].map(async (x) => linkIn((await mailSink.waitFor(x.email, subject)).text)),
  );

  expect(await api.call('POST', `/invitations/${la.id}/revoke`, { token: e.token })).toMatchObject({
    status: 200,
    body: { state: 'REVOKED' },
  });
  const byEmail = await api.call('POST', '/invitations/revoke-by-email', {
    token: e.token,
    body: { email: ` ${b.email.toUpperCase()}` },
  });
  expect(byEmail).toMatchObject({
    status: 200,
    body: { items: [expect.objectContaining({ invitationId: lb.id, state: 'REVOKED' })] },
  });
  // Someone else cannot revoke (or learn about) invitations on a list that is not theirs.
  expect(
    (await api.call('POST', '/invitations/revoke-by-email', { token: e.colleagueToken, body: { email: c.email } }))
      .status,
  ).toBe(404);

  expect(await api.call('POST', `/invitations/${lc.id}/reject`, { body: { token: lc.token } })).toMatchObject({
    status: 200,
    body: { state: 'REJECTED' },
  });

  const afterRevoke = await api.call('POST', `/invitations/${la.id}/accept`, {
    body: { token: la.token, password: 'a good long password' },
  });
  expect(afterRevoke).toMatchObject({
    status: 409,
    body: {
      type: `${P}invitation-closed`,
      state: 'REVOKED',
      detail: expect.stringMatching(/revoked.*invite you again/),
    },
  });
  const afterReject = await api.call('POST', `/invitations/${lc.id}/accept`, {
    body: { token: lc.token, password: 'a good long password' },
  });
  expect(afterReject).toMatchObject({ status: 409, body: { state: 'REJECTED' } });
  expect(await api.call('POST', `/invitations/${la.id}/revoke`, { token: e.token })).toMatchObject({
    status: 409,
    body: { type: `${P}conflict` },
  });

  // Revoked and declined people leave the list; nobody is left half-invited.
  const list = await api.call('GET', '/business-partners', { token: e.token });
  expect(list.body.companies[0].people).toEqual([]);
  const events = await api.db.outboxEvent.findMany({
    where: {
      aggregateId: { in: [la.id, lb.id, lc.id] },
      type: { in: ['partneraccess.invitation.revoked.v1', 'partneraccess.invitation.rejected.v1'] },
    },
  });
  expect(events).toHaveLength(3);
  await saveHistory('invitation-revoked', await handleOf(la.id));
  await saveHistory('invitation-rejected', await handleOf(lc.id));
});

it(
  'BP-5 edit a partner’s profile; delete the company only when confirmed by its name: its ' +
    'people, pending invitations and task grants go, for good',
  async () => {
    const e = await employee();
    const known = await createUser(api.db);
    const pending = person('Pat');
    const added = await api.call('POST', `/organizations/${e.org.id}/business-partners`, {
      token: e.token,
      body: {
        companyName: 'Gone Tomorrow Ltd',
        people: [{ firstName: 'Kim', lastName: 'Known', email: known.email }, pending],
      },
    });
    const companyId = added.body.company.companyId;
    const kim = added.body.company.people.find((p: { email: string }) => p.email === known.email);
    const edited = await api.call('PATCH', `/business-partners/${kim.businessPartnerId}`, {
      token: e.token,
      body: { title: 'Head of Supply', department: 'Operations', phone: '+33 6 12 34 56 78' },
    });
    expect(edited.body.people.find((p: { email: string }) => p.email === known.email)).toMatchObject({
      title: 'Head of Supply',
      department: 'Operations',
      phone: '+33612345678',
    });
    expect(
      (
        await api.call('PATCH', `/business-partners/${kim.businessPartnerId}`, {
          token: e.token,
          body: { phone: '12345' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api.call('PATCH', `/business-partners/${kim.businessPartnerId}`, {
          token: e.colleagueToken,
          body: { title: 'x' },
        })
      ).status,
    ).toBe(404);

    const task = await api.call('POST', `/organizations/${e.org.id}/tasks`, {
      token: e.token,
      body: { title: 'Shared' },
    });
    await api.call('POST', `/tasks/${task.body.taskId}/grants`, {
      token: e.token,
      body: { businessPartnerId: kim.businessPartnerId },
    });
    const kimToken = await api.token(known.id);
    expect((await api.call('GET', `/tasks/${task.body.taskId}`, { token: kimToken })).status).toBe(200);

    const link = linkIn((await mailSink.waitFor(pending.email, subject)).text);
    const unconfirmed = await api.call('DELETE', `/business-partner-companies/${companyId}`, {
      token: e.token,
      body: { confirmName: 'gone tomorrow' },
    });
    expect(unconfirmed).toMatchObject({
      status: 422,
      body: { type: `${P}unprocessable`, detail: expect.stringMatching(/cannot be undone/) },
    });
    const deleted = await api.call('DELETE', `/business-partner-companies/${companyId}`, {
      token: e.token,
      body: { confirmName: 'Gone Tomorrow Ltd' },
    });
    expect(deleted).toMatchObject({ status: 200, body: { deleted: true, people: 2 } });

    expect((await api.call('GET', `/tasks/${task.body.taskId}`, { token: kimToken })).status).toBe(404);
    expect(
      await api.call('POST', `/invitations/${link.id}/accept`, {
        body: { token: link.token, password: 'a good long password' },
      }),
    ).toMatchObject({ status: 409, body: { state: 'REVOKED' } });
    expect((await api.call('GET', '/business-partners', { token: e.token })).body.companies).toEqual([]);
    expect(
      (
        await api.call('DELETE', `/business-partner-companies/${companyId}`, {
          token: e.token,
          body: { confirmName: 'Gone Tomorrow Ltd' },
        })
      ).status,
    ).toBe(404);
    expect(
      await api.db.outboxEvent.count({
        where: { aggregateId: companyId, type: 'partneraccess.business-partner.company-deleted.v1' },
      }),
    ).toBe(1);
  },
);

it(
  'BP-4 evolution: an invitation resent many times continues as new past its history limit ' +
    'and keeps its id, send history and newest link',
  async () => {
    const e = await employee();
    const company = await api.db.businessPartnerCompany.create({
      data: { organizationId: e.org.id, ownerUserId: e.me.id, name: 'Long Haul Co' },
    });
    const p = person('Lena');
    const workflowId = invitationWorkflowId(
      'BUSINESS_PARTNER',
      company.id,
      relationshipIdFor(config.RELATIONSHIP_ID_KEY, p.email),
    );
    const input: InvitationInput = {
      kind: 'BUSINESS_PARTNER',
      scopeId: company.id,
      invitee: p,
      invitedByUserId: e.me.id,
      timings: timingsFor('BUSINESS_PARTNER', { resendMinIntervalSeconds: 0, resendsPerDay: 20 }),
      continueAsNewAfterEvents: 20,
    };
    const first = await api.temporal.workflow.start('invitation', {
      taskQueue: worker.taskQueue,
      workflowId,
      args: [input],
    });
    const id = first.firstExecutionRunId;
    await mailSink.waitFor(p.email, subject);
    for (let i = 0; i < 8; i++)
      expect((await api.call('POST', `/invitations/${id}/resend`, { token: e.token })).status).toBe(200);
    const current = await api.temporal.workflow.getHandle(workflowId).describe();
    expect(current.runId).not.toBe(id); // it continued as new at least once
    expect(current.status.name).toBe('RUNNING');

    const newest = linkIn((await waitForEmails(p.email, subject, 9))[8].text);
    const accepted = await api.call('POST', `/invitations/${id}/accept`, {
      body: { token: newest.token, password: 'a good long password' },
    });
    expect(accepted).toMatchObject({
      status: 200,
      body: { invitation: { invitationId: id, state: 'ACCEPTED', sendCount: 9 } },
    });
    expect(accepted.body.invitation.sends).toHaveLength(9);
  },
);
