// Issue 12, permanent failures in the third-party workflow (TPU-5), on the real stack: a database
// step that can never succeed parks the relationship where operators find it (ProcessState PARKED,
// ParkedReason), instead of retrying every minute for ever; once the cause is fixed, an operator's
// retryParked runs the step again and the relationship carries on.
import { randomUUID } from 'node:crypto';
import { NOT_PARKED, parkedQuery, retryParkedUpdate } from '../../workflows/shared';
import { relationshipQuery, removeUpdate } from '../../workflows/third-party-access/messages';
import { apiWithWorker } from '../support/api';
import { createUser } from '../support/world';
import { waitUntil } from '../support/kafka';
import { saveHistory } from '../support/histories';
import { retriedSteps } from '../support/step-attempts';

const running = apiWithWorker();
const db = () => running.api.db;

/** The workflow ids a visibility query finds (eventually consistent: the caller waits). */
async function found(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of running.api.temporal.workflow.list({ query })) ids.push(w.workflowId);
  return ids;
}

it(
  'TPU-5 issue 12 permanent failures: a relationship whose organization is missing parks with its reason; ' +
    'retryParked carries on once it exists',
  async () => {
    const partner = await createUser(db(), { firmName: 'Northwind Advisory' });
    // The CRM's word for an organization whose row is gone (deleted after the news, or restored later).
    const organizationId = randomUUID();
    const { relationshipId, workflowId } = running.api.thirdPartyAccess.workflowIdFor(organizationId, partner.email);
    const thirdParty = { name: 'Nora Owner', firmName: 'Northwind Advisory', email: partner.email };
    // Started as the CRM consumer starts it (signal-with-start, with its search attributes).
    await running.api.thirdPartyAccess.crmAccountOwner(
      { organizationId, thirdParty, origin: 'CRM', requestedByUserId: null, ticketId: null },
      true,
    );
    const handle = running.api.temporal.workflow.getHandle(workflowId);
    // Before: lookUpThirdParty failed on the missing organization and was retried every minute, for ever.
    await waitUntil('parked', async () => (await handle.query(parkedQuery)) !== null, 20000);
    expect(await handle.query(parkedQuery)).toMatchObject({
      reason: 'MISSING_ROW',
      step: 'lookUpThirdParty',
      type: 'MissingRow',
      message: `No organization ${organizationId}.`,
      retries: 0,
    });
    const described = await handle.describe();
    expect(described.status.name).toBe('RUNNING');
    expect(await retriedSteps(handle)).toEqual([]);
    const query = `ProcessState = "PARKED" AND ParkedReason = "MISSING_ROW" AND OrganizationId = "${organizationId}"`;
    await waitUntil('found by search attribute', async () => (await found(query)).includes(workflowId), 20000);
    // Nothing else moves while it is parked, and a retry with nothing fixed parks again.
    await handle.executeUpdate(retryParkedUpdate);
    await waitUntil('parked again', async () => (await handle.query(parkedQuery))?.retries === 1, 20000);

    // The operator restores the organization, then retries: the relationship carries on where it stood.
    await db().organization.create({ data: { id: organizationId, name: 'Restored Ltd' } });
    await handle.executeUpdate(retryParkedUpdate);
    await waitUntil('listed', async () => (await handle.query(relationshipQuery)).state === 'LISTED', 20000);
    expect(await handle.query(parkedQuery)).toBeNull();
    expect(
      await db().thirdPartyRelationship.findUnique({
        where: { organizationId_relationshipId: { organizationId, relationshipId } },
      }),
    ).toMatchObject({ state: 'LISTED', origin: 'CRM', thirdPartyUserId: partner.id });
    const listedQuery = `ProcessState = "LISTED" AND OrganizationId = "${organizationId}"`;
    const listedAgain = async () => (await found(listedQuery)).includes(workflowId);
    await waitUntil('ProcessState back to the relationship', listedAgain, 20000);
    // A retry with nothing parked is refused before anything is recorded.
    const refused: unknown = await handle.executeUpdate(retryParkedUpdate).catch((err: unknown) => err);
    expect((refused as { cause?: unknown }).cause).toMatchObject({
      type: NOT_PARKED,
      message: expect.stringMatching(/not parked/),
    });
    // Support removes them, which ends the run: its history is a replay fixture of a parked run.
    await handle.executeUpdate(removeUpdate, { args: [{ actor: { userId: partner.id }, removedBy: 'support' }] });
    await saveHistory('third-party-access-parked', handle);
  },
);
