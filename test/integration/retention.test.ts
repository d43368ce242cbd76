// Issue 13, data over time: published outbox rows, processed-event rows, spent secrets (used or expired
// password resets, ended browser sessions, an ended invitation's password) are pruned by the retention
// workflow on a Temporal Schedule; what is inside its window, or still in use, stays. Real dev server,
// real worker, real database.
import { randomUUID } from 'node:crypto';
import { config, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createUser } from '../support/world';
import { waitUntil } from '../support/kafka';
import { recordEvent } from '../../events/outbox';
import { UserProfileUpdatedV1 } from '../../domain/messages/events/identity.v1';
import { ensureRetentionSchedule } from '../../workflows/retention/client';

let api: TestApi;
let worker: TestWorker;
const schedules: string[] = [];

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({ taskQueue: worker.taskQueue });
});
afterAll(async () => {
  for (const id of schedules)
    await api.temporal.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  await api.close();
  await worker.stop();
});

const DAY = 24 * 3600 * 1000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

/** One row of each kind on each side of its window (windows: 7 / 35 / 1 days, the defaults). */
async function seed() {
  const user = await createUser(api.db);
  const db = api.db;
  const event = async (publishedAt: Date | null) => {
    const data = UserProfileUpdatedV1.parse({ userId: user.id, changedFields: ['displayName'] });
    const id = await db.$transaction((tx) =>
      recordEvent(tx, 'partneraccess.identity.user-profile-updated.v1', { aggregateId: user.id, data }),
    );
    await db.outboxEvent.update({ where: { id }, data: { publishedAt } });
    return id;
  };
  const processed = async (processedAt: Date) => {
    const eventId = randomUUID();
    await db.processedEvent.create({ data: { consumer: 'retention-test', eventId, processedAt } });
    return eventId;
  };
  const reset = async (expiresAt: Date, usedAt: Date | null) =>
    (await db.passwordReset.create({ data: { userId: user.id, tokenHash: randomUUID(), expiresAt, usedAt } })).id;
  const session = async (expiresAt: Date, endedAt: Date | null) =>
    (
      await db.webSession.create({
        data: { userId: user.id, tokenHash: randomUUID(), authTime: daysAgo(3), expiresAt, endedAt },
      })
    ).id;
  const credential = async (createdAt: Date) => {
    const invitationId = randomUUID(); // no invitation row: it ended and is gone, or was never pending
    await db.pendingCredential.create({ data: { invitationId, passwordHash: 'scrypt$x', createdAt } });
    return invitationId;
  };
  return {
    gone: {
      events: [await event(daysAgo(8))],
      processed: [await processed(daysAgo(36))],
      resets: [await reset(daysAgo(2), null), await reset(daysAgo(1.5), daysAgo(2))],
      sessions: [await session(daysAgo(2), null), await session(daysAgo(-1), daysAgo(3))],
      credentials: [await credential(daysAgo(2))],
    },
    kept: {
      events: [await event(daysAgo(6)), await event(null), await event(null)],
      processed: [await processed(daysAgo(30))],
      resets: [await reset(daysAgo(-0.01), null), await reset(daysAgo(0.5), daysAgo(0.6))],
      sessions: [await session(daysAgo(-0.3), null), await session(daysAgo(-0.3), daysAgo(0.2))],
      credentials: [await credential(daysAgo(0.2))],
    },
  };
}

async function present(rows: Awaited<ReturnType<typeof seed>>['gone']) {
  const db = api.db;
  return {
    events: (await db.outboxEvent.findMany({ where: { id: { in: rows.events } } })).length,
    processed: (await db.processedEvent.findMany({ where: { eventId: { in: rows.processed } } })).length,
    resets: (await db.passwordReset.findMany({ where: { id: { in: rows.resets } } })).length,
    sessions: (await db.webSession.findMany({ where: { id: { in: rows.sessions } } })).length,
    credentials: await db.pendingCredential.count({ where: { invitationId: { in: rows.credentials } } }),
  };
}

it('Retention (issue 13): one schedule, registered idempotently; a run prunes what outlived its window', async () => {
  const rows = await seed();
  const count = (r: typeof rows.gone) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.length]));
  expect(await present(rows.gone)).toEqual(count(rows.gone));

  const scheduleId = `retention-test-${uniqueSuffix()}`;
  schedules.push(scheduleId);
  const settings = {
    ...config,
    TEMPORAL_TASK_QUEUE: worker.taskQueue,
    RETENTION_EVERY_MINUTES: 24 * 60, // nothing fires on its own during the test: it is triggered
  };
  // Two workers starting at once, then one with other settings: one schedule, the last settings.
  await Promise.all([
    ensureRetentionSchedule(api.temporal, settings, scheduleId),
    ensureRetentionSchedule(api.temporal, settings, scheduleId),
  ]);
  await ensureRetentionSchedule(api.temporal, { ...settings, RETENTION_EVERY_MINUTES: 12 * 60 }, scheduleId);
  const handle = api.temporal.schedule.getHandle(scheduleId);
  const described = await handle.describe();
  expect(described.spec.intervals).toMatchObject([{ every: 12 * 3600 * 1000 }]);
  expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retention' });

  await handle.trigger();
  await waitUntil('a scheduled run completed', async () => (await handle.describe()).info.recentActions.length > 0);
  const run = (await handle.describe()).info.recentActions[0].action.workflow;
  const pruned = await api.temporal.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result();

  expect(await present(rows.gone)).toEqual({ events: 0, processed: 0, resets: 0, sessions: 0, credentials: 0 });
  expect(await present(rows.kept)).toEqual(count(rows.kept));
  // The run says what it deleted (at least ours: other tests' rows of this database are recent).
  expect(pruned).toMatchObject({
    publishedEvents: expect.any(Number),
    processedEvents: expect.any(Number),
    passwordResets: expect.any(Number),
    webSessions: expect.any(Number),
    pendingCredentials: expect.any(Number),
  });
  expect(pruned.publishedEvents).toBeGreaterThanOrEqual(1);
  expect(pruned.passwordResets).toBeGreaterThanOrEqual(2);
});
