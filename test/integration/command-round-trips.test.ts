// Issue 13, fewer Temporal round trips per command, on the real stack: the database steps a command
// waits on run as local activities (workflows/shared.ts databaseSteps), inside the workflow task that
// accepted the Update. TPU-2 (look the third party up, record the transition) and PS-2 (open the
// invitation, mail its first link) each answer after one workflow task; before, each step was an
// activity of its own: a workflow task to schedule it, the activity task, another workflow task to
// read its result (3 workflow tasks and 2 activity tasks before the answer). Their histories are replay
// fixtures of the new shape. bench:api prints what it is worth in requests per second.
import { temporal } from '@temporalio/proto';
import { config, uniqueSuffix } from '../support/services';
import { apiWithWorker } from '../support/api';
import { createTenant } from './authorization-matrix.world';
import { invitationWorkflowId } from '../../workflows/invitation/messages';
import { relationshipIdFor } from '../../domain/third-party-access';
import { saveRunningHistory } from '../support/histories';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

const running = apiWithWorker();

/** What happened in a run before its first Update was answered: workflow tasks, activities, local steps. */
async function beforeTheAnswer(workflowId: string) {
  const events: HistoryEvent[] =
    (await running.api.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const answered = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
  expect(answered).toBeGreaterThan(0);
  const before = events.slice(0, answered);
  const count = (type: temporal.api.enums.v1.EventType) => before.filter((e) => e.eventType === type).length;
  const localSteps = before.filter(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED &&
      e.markerRecordedEventAttributes?.markerName !== 'core_patch',
  );
  return {
    workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    activities: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    localSteps: localSteps.length,
  };
}

it('TPU-2 issue 13 round trips: a third-party request is answered after one workflow task', async () => {
  const tenant = await createTenant(running.api.db);
  const token = await running.api.token(tenant.people.orgAdmin);
  const email = `tp-${uniqueSuffix()}@elsewhere.example`;
  const res = await running.api.call('POST', `/organizations/${tenant.organizationId}/third-party-users`, {
    token,
    body: { thirdPartyName: 'Rita Roundtrip', firmName: 'Elsewhere', email },
  });
  expect(res).toMatchObject({ status: 202, body: { state: 'AWAITING_ACCOUNT' } });
  const { workflowId } = running.api.thirdPartyAccess.workflowIdFor(tenant.organizationId, email);
  // The lookup and the AWAITING_ACCOUNT transition, both inside the first workflow task.
  expect(await beforeTheAnswer(workflowId)).toEqual({ workflowTasks: 1, activities: 0, localSteps: 2 });
  expect(
    await running.api.db.thirdPartyRelationship.findUnique({
      where: {
        organizationId_relationshipId: {
          organizationId: tenant.organizationId,
          relationshipId: res.body.relationshipId,
        },
      },
    }),
  ).toMatchObject({ state: 'AWAITING_ACCOUNT' });
  await saveRunningHistory(
    'third-party-access-local-steps-running',
    running.api.temporal.workflow.getHandle(workflowId),
  );
});

it('PS-2 issue 13 round trips: a staff invitation is answered after one workflow task, its email out', async () => {
  const tenant = await createTenant(running.api.db);
  const token = await running.api.token(tenant.people.accountOwner);
  const email = `staff-${uniqueSuffix()}@elsewhere.example`;
  const res = await running.api.call('POST', `/partner-firms/${tenant.partnerFirmId}/staff/invitations`, {
    token,
    body: { email, firstName: 'Rolf', lastName: 'Roundtrip', role: 'STAFF' },
  });
  expect(res).toMatchObject({ status: 201, body: { invitation: { state: 'PENDING', sendCount: 1 } } });
  const workflowId = invitationWorkflowId(
    'PRACTICE_STAFF',
    tenant.partnerFirmId,
    relationshipIdFor(config.RELATIONSHIP_ID_KEY, email),
  );
  // Open the invitation, then make, store and mail its first link: both inside the first workflow task.
  expect(await beforeTheAnswer(workflowId)).toEqual({ workflowTasks: 1, activities: 0, localSteps: 2 });
  await saveRunningHistory('invitation-local-steps-running', running.api.temporal.workflow.getHandle(workflowId));
});
