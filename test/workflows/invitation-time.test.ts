// Invitations over days, in seconds: Temporal's time-skipping test server, the real workflow and
// the real activities (test database, SMTP sink). Reminder once, expiry, one-step renewal, the
// renewal window closing.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Database } from '../../platform/database';
import { hashPassword, hashToken } from '../../platform/secrets';
import { InvitationsClient } from '../../workflows/invitation/client';
import { config, uniqueSuffix } from '../support/services';
import { waitUntil } from '../support/kafka';
import { emailsTo, linkIn, waitForEmails } from '../support/links';
import { startTimeSkipping, type TimeSkipping } from '../support/time-skipping';

let ts: TimeSkipping;
let db: Database;
let invitations: InvitationsClient;

beforeAll(async () => {
  ts = await startTimeSkipping('invitation-time');
  db = ts.db;
  invitations = new InvitationsClient({
    temporal: ts.env.client,
    taskQueue: ts.taskQueue,
    idKey: config.RELATIONSHIP_ID_KEY,
    timings: { PORTAL_USER: { renewalWindowSeconds: 10 * 86400 } },
  });
});
afterAll(() => ts?.stop());

async function invitePortalUser() {
  const partner = await db.portalPartner.create({
    data: { name: `Partner ${uniqueSuffix()}`, email: `p-${uniqueSuffix()}@partner.example` },
  });
  const email = `invitee-${uniqueSuffix()}@partner.example`;
  const { view, workflowId } = await invitations.open({
    kind: 'PORTAL_USER',
    scopeId: partner.id,
    invitee: { email, firstName: 'Tess', lastName: 'Timer' },
    invitedByUserId: null,
    details: { phone: '+14155550132' },
  });
  // Skip time only once the workflow is parked on its timer (see the TPU time test).
  await new Promise((r) => setTimeout(r, 500));
  return { email, workflowId, invitationId: view.invitationId };
}

const row = (id: string) => db.invitation.findUniqueOrThrow({ where: { id } });
const reminderSubject = /^Reminder: Set your password/;

it(
  'PP-3 BP-4 the reminder goes out once, a day before the default 7-day expiry; then it ' +
    'expires; the inviter renews it in one step and the new link works',
  async () => {
    const { email, workflowId, invitationId } = await invitePortalUser();
    await ts.env.sleep('5 days');
    expect(await emailsTo(email, reminderSubject)).toHaveLength(0);
    await ts.env.sleep('25 hours');
    const [reminder] = await waitForEmails(email, reminderSubject, 1);
    expect(reminder.text).toMatch(/expires on/);
    expect((await row(invitationId)).remindedAt).not.toBeNull();

    await ts.env.sleep('1 day');
    await waitUntil('expired', async () => (await row(invitationId)).state === 'EXPIRED', 15000);
    expect((await row(invitationId)).reason).toMatch(/Expired unanswered after 7 days/);
    const reminderLink = linkIn(reminder.text);
    const late = await invitations
      .accept(workflowId, invitationId, hashToken(reminderLink.token), null)
      .catch((e) => e);
    expect(late).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(late.cause.type).toBe('InvitationExpired');

    const renewed = await invitations.resend(workflowId, invitationId, { userId: null, manages: true });
    expect(renewed).toMatchObject({ state: 'PENDING', sendCount: 2 });
    const emails = await waitForEmails(email, /^Set your password/, 2);
    const fresh = linkIn(emails[1].text);
    await db.pendingCredential.create({
      data: { invitationId, passwordHash: await hashPassword('renewed and accepted') },
    });
    expect(await invitations.accept(workflowId, invitationId, hashToken(fresh.token), null)).toMatchObject({
      state: 'ACCEPTED',
    });

    // Nothing more arrives later: the reminder was sent exactly once.
    await ts.env.sleep('8 days');
    expect(await emailsTo(email, reminderSubject)).toHaveLength(1);
    const types = (
      await db.outboxEvent.findMany({ where: { aggregateId: invitationId }, orderBy: { sequence: 'asc' } })
    ).map((e) => e.type.split('.')[2]);
    expect(types).toEqual(['created', 'sent', 'reminded', 'expired', 'renewed', 'sent', 'accepted']);
  },
);

it(
  'PP-2 an expired invitation nobody renews closes when its renewal window ends, and lets ' + 'go of the email',
  async () => {
    const { email, workflowId, invitationId } = await invitePortalUser();
    expect(await db.portalEmail.findUnique({ where: { email } })).not.toBeNull();
    await ts.env.sleep('8 days');
    await waitUntil('expired', async () => (await row(invitationId)).state === 'EXPIRED', 15000);
    await ts.env.sleep('11 days');
    await waitUntil(
      'email released',
      async () => (await db.portalEmail.findUnique({ where: { email } })) === null,
      15000,
    );
    expect((await ts.env.client.workflow.getHandle(workflowId).describe()).status.name).toBe('COMPLETED');
    expect(await db.portalPartnerUser.count({ where: { email } })).toBe(0);
  },
);
