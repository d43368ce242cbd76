// Proves the real stack: Temporal, Kafka, PostgreSQL and SMTP, each through the code the engine uses.
import { createDatabase } from '../../platform/database';
import { createKafka, ensureTopics } from '../../platform/kafka';
import { connectTemporal } from '../../platform/temporal';
import { startTestWorker } from '../support/worker';
import { config, mailSink, stackService, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';

const db = createDatabase(config.DATABASE_URL);
afterAll(() => db.$disconnect());

describe('the real stack', () => {
  it('runs a workflow whose activity sends an email that the SMTP sink receives', async () => {
    const worker = await startTestWorker(require.resolve('../fixtures/stack-probe.workflows'));
    const client = await connectTemporal(config);
    const to = `probe-${uniqueSuffix()}@example.test`;
    try {
      const workflowId = `stack-probe-${uniqueSuffix()}`;
      const result = await client.workflow.execute('stackProbe', {
        taskQueue: worker.taskQueue,
        workflowId,
        args: [to],
      });
      expect(result).toBe(workflowId);
      const described = await client.workflow.getHandle(workflowId).describe();
      expect(described.status.name).toBe('COMPLETED');
      const email = await mailSink.waitFor(to, new RegExp(`Stack probe ${workflowId}`));
      expect(email.text).toContain('Sent by a Temporal activity.');
    } finally {
      await worker.stop();
      await client.connection.close();
    }
  });

  it('round-trips a message through the real broker', async () => {
    const kafka = createKafka(config, 'stack-test');
    const topic = `stack-test-${uniqueSuffix()}`;
    await ensureTopics(kafka, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `stack-test-${uniqueSuffix()}` });
    await Promise.all([producer.connect(), consumer.connect()]);
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<{ key: string; value: string }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) =>
            resolve({ key: message.key!.toString(), value: message.value!.toString() }),
        });
      });
      await producer.send({ topic, messages: [{ key: 'aggregate-1', value: JSON.stringify({ hello: 'broker' }) }] });
      await expect(received).resolves.toEqual({ key: 'aggregate-1', value: '{"hello":"broker"}' });
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] });
      await admin.disconnect();
    }
  });

  it('writes and reads the real database, with emails unique regardless of case', async () => {
    const email = `Case.Test-${uniqueSuffix()}@Example.test`;
    const created = await db.user.create({ data: { email, displayName: 'Case Test' } });
    const found = await db.user.findUnique({ where: { email: email.toLowerCase() } });
    expect(found?.id).toBe(created.id);
    await expect(
      db.user.create({ data: { email: email.toUpperCase(), displayName: 'Duplicate' } }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });

  describe('readiness', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi();
    });
    afterAll(async () => {
      await stackService('start', 'kafka'); // whatever happened, leave the broker running
      await api.close();
    });

    it(
      '/readyz answers 200, turns 503 naming kafka when the broker stops, and 200 again when ' + 'it is back',
      async () => {
        const up = await api.call('GET', '/readyz');
        expect(up.status).toBe(200);
        expect(up.body).toEqual({ status: 'ready', checks: { temporal: 'up', kafka: 'up', database: 'up' } });

        await stackService('stop', 'kafka');
        const down = await api.call('GET', '/readyz');
        expect(down.status).toBe(503);
        expect(down.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(down.body.type).toBe('https://partner-access.example/problems/not-ready');
        expect(down.body.down).toEqual(['kafka']);
        expect(down.body.detail).toBe('Not reachable: kafka.');

        await stackService('start', 'kafka');
        const back = await api.call('GET', '/readyz');
        expect(back.status).toBe(200);
      },
    );

    it('/healthz answers while a dependency is down', async () => {
      const res = await api.call('GET', '/healthz');
      expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
    });
  });
});
