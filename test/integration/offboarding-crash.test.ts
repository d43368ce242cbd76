// PS-5 under failure: the real worker process is killed (SIGKILL) at a random point of an
// offboarding over 50 organizations and started again. The offboarding completes, and every
// assignment moved exactly once.
import { startTestApi, type TestApi } from '../support/api';
import { createClientRelationship, createOrganization } from '../support/world';
import { waitUntil } from '../support/kafka';
import { uniqueSuffix } from '../support/services';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { OffboardingClient } from '../../workflows/offboarding/client';

let api: TestApi;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGTERM')));
  await api.close();
});

it(
  'PS-5 a worker killed at a random point of an offboarding over 50 organizations: started ' +
    'again, it completes and every assignment moved exactly once',
  async () => {
    const firm = await api.db.partnerFirm.create({ data: { name: `Crash Practice ${uniqueSuffix()}` } });
    const [leaving, replacement, owner] = await Promise.all(
      ['leaving', 'replacement', 'owner'].map((n) =>
        api.db.user.create({ data: { email: `${n}-${uniqueSuffix()}@crash.example`, displayName: n } }),
      ),
    );
    await api.db.practiceStaffMember.createMany({
      data: [
        { userId: owner.id, partnerFirmId: firm.id, role: 'ACCOUNT_OWNER' },
        { userId: leaving.id, partnerFirmId: firm.id, role: 'STAFF' },
        { userId: replacement.id, partnerFirmId: firm.id, role: 'STAFF' },
      ],
    });
    const orgIds: string[] = [];
    for (let i = 0; i < 50; i++) {
      const { org } = await createOrganization(api.db, {});
      orgIds.push(org.id);
      // AM-1: what the firm delegated under its relationship with each client (what an offboarding moves).
      const relationship = await createClientRelationship(api.db, firm.id, org.id);
      await api.db.membership.create({
        data: {
          userId: leaving.id,
          organizationId: org.id,
          role: 'MEMBER',
          source: 'DELEGATION',
          clientRelationshipId: relationship.id,
        },
      });
      await api.db.assignment.createMany({
        data: Array.from({ length: 10 }, (_, n) => ({
          organizationId: org.id,
          title: `Assignment ${n}`,
          ownerUserId: leaving.id,
        })),
      });
    }

    const taskQueue = `crash-${uniqueSuffix()}`;
    workers.push(startWorkerProcess(taskQueue));
    const offboarding = new OffboardingClient({ temporal: api.temporal, taskQueue, commandTimeoutMs: 60000 });
    // Two organizations at a time, so the kill lands between and inside organizations' transactions.
    const { progress } = await offboarding.start({
      partnerFirmId: firm.id,
      leavingUserId: leaving.id,
      replacementUserId: replacement.id,
      requestedByUserId: owner.id,
      parallelOrganizations: 2,
    });
    expect(progress).toMatchObject({ state: 'RUNNING', total: 50 });
    const id = progress.offboardingId;
    const done = async () => (await api.db.offboarding.findUniqueOrThrow({ where: { id } })).done;

    const killAt = 5 + Math.floor(Math.random() * 30);
    await waitUntil(`${killAt} organizations done`, async () => (await done()) >= killAt, 60000, 5);
    await workers[0].kill('SIGKILL');
    const doneAtKill = await done();
    process.stderr.write(`PS-5 crash: worker killed after ${doneAtKill} of 50 organizations (aimed at ${killAt})\n`);
    expect(doneAtKill).toBeLessThan(50); // the kill really happened mid-way

    workers.push(startWorkerProcess(taskQueue));
    await waitUntil(
      'offboarding completed',
      async () => (await api.db.offboarding.findUniqueOrThrow({ where: { id } })).state === 'COMPLETED',
      150000,
    ).catch((err) => {
      throw new Error(`${err.message}\nworker output:\n${workers[1].output()}`);
    });

    // Every assignment moved exactly once: one handover each, all now the replacement's.
    const handovers = await api.db.assignmentHandover.findMany({ where: { offboardingId: id } });
    expect(handovers).toHaveLength(500);
    expect(new Set(handovers.map((h) => h.assignmentId)).size).toBe(500);
    expect(
      await api.db.assignment.count({ where: { organizationId: { in: orgIds }, ownerUserId: replacement.id } }),
    ).toBe(500);
    expect(await api.db.assignment.count({ where: { ownerUserId: leaving.id } })).toBe(0);
    // Every organization handed over exactly once, with exactly one event each.
    const steps = await api.db.offboardingStep.findMany({ where: { offboardingId: id } });
    expect(steps).toHaveLength(50);
    expect(steps.every((s) => s.reassigned === 10)).toBe(true);
    expect(
      await api.db.outboxEvent.count({
        where: { aggregateId: id, type: 'partneraccess.practice.offboarding-organization-done.v1' },
      }),
    ).toBe(50);
    expect(
      await api.db.outboxEvent.count({
        where: { aggregateId: id, type: 'partneraccess.practice.offboarding-completed.v1' },
      }),
    ).toBe(1);
    expect(await api.db.membership.count({ where: { userId: leaving.id } })).toBe(0);
    expect(await api.db.membership.count({ where: { userId: replacement.id, organizationId: { in: orgIds } } })).toBe(
      50,
    );
    expect(await api.db.practiceStaffMember.count({ where: { userId: leaving.id } })).toBe(0);
    expect((await api.db.offboarding.findUniqueOrThrow({ where: { id } })).done).toBe(50);
  },
  300000,
);
