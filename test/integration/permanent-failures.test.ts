// Issue 12, permanent failures, on the real stack (PostgreSQL, Temporal, the engine's ticket kinds):
// a step that can never succeed is no longer retried every minute for ever. A ticket naming an
// unknown organization is refused at the door; a ticket whose workflow meets a missing row ends
// FAILED at once, its row and the help desk told why, and operators find it by search attribute. A
// long-lived process whose own step meets a missing row parks, and an operator's retry resumes it.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { retriedSteps } from '../support/step-attempts';
import { ParkedReasonKey, ProcessStateKey } from '../../domain/search-attributes';
import { config, uniqueSuffix } from '../support/services';
import { InvitationsClient } from '../../workflows/invitation/client';
import { parkedQuery, retryParkedUpdate } from '../../workflows/shared';
import { apiWithWorker } from '../support/api';
import { createUser } from '../support/world';
import { waitUntil } from '../support/kafka';
import { saveHistory } from '../support/histories';

const running = apiWithWorker({ ticketKinds: 'engine' });
const db = () => running.api.db;

async function supportToken() {
  const agent = await createUser(db());
  await db().supportAgent.create({ data: { userId: agent.id } });
  return running.api.token(agent.id);
}

/** The run's steps that were retried (attempt 2 or more): what "for ever" looks like. */
const retrying = (workflowId: string) => retriedSteps(running.api.temporal.workflow.getHandle(workflowId));

/** The workflow ids a visibility query finds (eventually consistent: the caller waits). */
async function found(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of running.api.temporal.workflow.list({ query })) ids.push(w.workflowId);
  return ids;
}

it(
  'issue 12 permanent failures: a tpu-request ticket for an unknown organization ' +
    'is refused at intake (422) and starts nothing that retries',
  async () => {
    const token = await supportToken();
    const organizationId = randomUUID();
    const email = `carla-${uniqueSuffix()}@ledgerwise.example`;
    const ticketId = `HD-${uniqueSuffix()}`;
    const payload = { organizationId, thirdPartyName: 'Carla', firmName: 'Ledgerwise', email };
    const res = await running.api.call('POST', '/support/tickets', {
      token,
      body: { ticketId, kind: 'tpu-request', payload },
    });
    const { workflowId } = running.api.thirdPartyAccess.workflowIdFor(organizationId, email);
    // Before: 202, and the run's first step (lookUpThirdParty) failed on the missing organization and
    // was retried every minute, for ever. Three seconds is attempts 1 to 3 of that backoff.
    await new Promise((r) => setTimeout(r, 3000));
    expect({ status: res.status, retrying: await retrying(workflowId) }).toEqual({ status: 422, retrying: [] });
    expect(res.body).toMatchObject({
      reason: 'unknown-subject',
      detail: expect.stringMatching(/No organization has this id/),
    });
    expect(await db().supportTicket.findUnique({ where: { ticketId } })).toBeNull();
    await expect(running.api.temporal.workflow.getHandle(workflowId).describe()).rejects.toThrow(
      WorkflowNotFoundError,
    );
  },
);

it(
  'issue 12 permanent failures: a duplicate-email-fix ticket whose email holder row is gone ends FAILED at ' +
    'once, the ticket row says why, and operators find it by ProcessState and ParkedReason',
  async () => {
    // A portal email claimed by a partner that no longer exists: the fix finds the claim, then fails to
    // update its holder (P2025). No retry brings the partner back.
    const email = `gone-${uniqueSuffix()}@partner.example`;
    await db().portalEmail.create({ data: { email, ownerType: 'portal-partner', ownerId: randomUUID() } });
    const token = await supportToken();
    const ticketId = `HD-${uniqueSuffix()}`;
    const payload = { email, reason: 'registered under the wrong partner' };
    const body = { ticketId, kind: 'duplicate-email-fix', payload };
    const first = await running.api.call('POST', '/support/tickets', { token, body });
    const workflowId = `duplicate-email-fix-${ticketId}`;
    expect(first).toMatchObject({ status: 202, body: { workflowId } });

    // Before: the ticket stayed DISPATCHED while freePortalEmailForTicket was retried every minute.
    const ticket = () => db().supportTicket.findUniqueOrThrow({ where: { ticketId } });
    let seen = '';
    await waitUntil(
      'the ticket ends FAILED',
      async () => {
        seen = `${(await ticket()).status}, retrying ${JSON.stringify(await retrying(workflowId))}`;
        return (await ticket()).status === 'FAILED';
      },
      20000,
    ).catch((err) => {
      throw new Error(`${err.message} (last seen: ${seen})`);
    });
    expect(await ticket()).toMatchObject({
      status: 'FAILED',
      workflowId,
      failureReason: 'MISSING_ROW',
      failureDetail:
        'MISSING_ROW: freePortalEmailForTicket failed (A row the step needs is missing (P2025 on PortalPartner).)',
    });
    // Nothing changed: the claim is still there, no audit entry was written.
    expect(await db().portalEmail.findUnique({ where: { email } })).not.toBeNull();

    const handle = running.api.duplicateEmailFixes.handle(ticketId);
    expect(await handle.result()).toMatchObject({
      state: 'FAILED',
      auditEntryId: null,
      reason: expect.stringMatching(/^MISSING_ROW/),
    });
    const attempts = (await handle.fetchHistory()).events!.filter((e) => e.activityTaskStartedEventAttributes);
    expect(attempts.filter((e) => e.activityTaskStartedEventAttributes!.attempt! > 1)).toHaveLength(0);

    // The help desk hears it: ticket-completed, FAILED, with the reason.
    const completed = await db().outboxEvent.findMany({
      where: { aggregateId: ticketId, type: 'partneraccess.support.ticket-completed.v1' },
    });
    expect(completed.map((e) => e.data)).toEqual([
      expect.objectContaining({ ticketId, outcome: 'FAILED', reason: expect.stringMatching(/^MISSING_ROW: /) }),
    ]);
    // Support reads it through the API (the answer checked against its OpenAPI entry).
    const read = await running.api.call('GET', `/support/tickets/${ticketId}`, { token });
    expect(read).toMatchObject({ status: 200, body: { status: 'FAILED', failureReason: 'MISSING_ROW' } });

    // Operators find every run that stopped on one cause, as in the UI's or the CLI's query box.
    const query = `ProcessState = "FAILED" AND ParkedReason = "MISSING_ROW" AND TicketId = "${ticketId}"`;
    const listed = async () => (await found(query)).includes(workflowId);
    await waitUntil('found by ProcessState and ParkedReason', listed, 20000);
    // A redelivered ticket starts nothing again.
    const again = await running.api.call('POST', '/support/tickets', { token, body });
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, status: 'FAILED', workflowId } });
    await saveHistory('duplicate-email-fix-failed', handle);
  },
);

it(
  'issue 12 parked runs: an invitation whose row went missing parks at its expiry (PARKED, ' +
    'MISSING_ROW, found by query); once the row is back, an operator retry records the expiry',
  async () => {
    // Links expire after 4 seconds, so the run's own step (recording the expiry) comes within the test.
    const invitations = new InvitationsClient({
      temporal: running.api.temporal,
      taskQueue: running.worker.taskQueue,
      idKey: config.RELATIONSHIP_ID_KEY,
      timings: { PORTAL_USER: { expirySeconds: 4, reminderBeforeSeconds: 0 } },
    });
    const partner = await db().portalPartner.create({
      data: { name: `Partner ${uniqueSuffix()}`, email: `p-${uniqueSuffix()}@partner.example` },
    });
    const invitee = { email: `tess-${uniqueSuffix()}@partner.example`, firstName: 'Tess', lastName: 'Timer' };
    const { view, workflowId } = await invitations.open({
      kind: 'PORTAL_USER',
      scopeId: partner.id,
      invitee,
      invitedByUserId: null,
      details: { phone: '+14155550132' },
    });
    const { invitationId } = view;
    // The row goes missing (moved aside under another id, as a mistaken delete would leave it).
    const aside = randomUUID();
    await db().$executeRaw`update "Invitation" set id = ${aside}::uuid where id = ${invitationId}::uuid`;

    // Before: recordInvitationTransition was retried every minute and the run stayed PENDING.
    const query = `ProcessState = "PARKED" AND ParkedReason = "MISSING_ROW" AND WorkflowId = "${workflowId}"`;
    const listed = async () => (await found(query)).includes(workflowId);
    let seen = '';
    await waitUntil(
      'found parked by ProcessState and ParkedReason',
      async () => {
        seen = JSON.stringify(await retrying(workflowId));
        return listed();
      },
      20000,
    ).catch((err) => {
      throw new Error(`${err.message} (retrying: ${seen})`);
    });
    const handle = running.api.temporal.workflow.getHandle(workflowId);
    expect(await handle.query(parkedQuery)).toMatchObject({
      reason: 'MISSING_ROW',
      step: 'recordInvitationTransition',
      type: 'MissingRow',
      message: 'A row the step needs is missing (P2025 on Invitation).',
      retries: 0,
    });
    expect(await retrying(workflowId)).toEqual([]);

    // Retrying before the cause is fixed parks again, the retry counted.
    expect(await handle.executeUpdate(retryParkedUpdate)).toEqual({ retrying: 'recordInvitationTransition' });
    await waitUntil('parked again', async () => (await handle.query(parkedQuery))?.retries === 1, 10000);

    // The operator puts the row back and retries: the expiry is recorded, the run is no longer parked.
    await db().$executeRaw`update "Invitation" set id = ${invitationId}::uuid where id = ${aside}::uuid`;
    await handle.executeUpdate(retryParkedUpdate);
    const row = () => db().invitation.findUniqueOrThrow({ where: { id: invitationId } });
    await waitUntil('expired', async () => (await row()).state === 'EXPIRED', 10000);
    expect(await handle.query(parkedQuery)).toBeNull();
    const { typedSearchAttributes: sa } = await handle.describe();
    expect([sa.get(ProcessStateKey), sa.get(ParkedReasonKey)]).toEqual(['EXPIRED', undefined]);
    const refused = await handle.executeUpdate(retryParkedUpdate).catch((e) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(refused.cause).toMatchObject({ type: 'NotParked' });
  },
);
