// Issue 12, production connections: Kafka over SSL with SASL, and the topics' min.insync.replicas.
// SASL_SSL runs against the stack's second broker, kafka-secure (started here when not running, and
// stopped again; the shared broker is never restarted); its CA is the one stack/stack.sh made for it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { loadConfig } from '../../platform/config';
import { createKafka, ensureTopics, pingKafka } from '../../platform/kafka';
import { topicConfigs } from '../../domain/topics';
import { config, uniqueSuffix } from '../support/services';
import { readLocalEnv, repoRoot } from '../support/local-env';
import { TestPki } from '../support/certificates';

const run = promisify(execFile);
const stack = (...args: string[]) => run('bash', [join(repoRoot, 'stack', 'stack.sh'), ...args], { timeout: 180000 });
const local = readLocalEnv();
const secureCa = join(process.env.PA_STATE_DIR ?? join(repoRoot, '.stack'), 'kafka-secure', 'tls', 'ca.pem');

/** The engine's configuration for the SASL_SSL broker, from the variables an operator would set. */
function secureConfig(env: Record<string, string> = {}) {
  return loadConfig({
    ...process.env,
    KAFKA_BROKERS: `127.0.0.1:${local.KAFKA_SECURE_PORT}`,
    KAFKA_SSL: 'on',
    KAFKA_SSL_CA: secureCa,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: local.KAFKA_SECURE_USERNAME,
    KAFKA_SASL_PASSWORD: local.KAFKA_SECURE_PASSWORD,
    ...env,
  });
}

async function withAdmin<T>(kafka: Kafka, fn: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates a topic as the engine does, produces one message with acks=all and consumes it back. */
async function roundTrip(kafka: Kafka): Promise<{ key: string; value: string }> {
  const topic = `test.kafka-connections.${uniqueSuffix()}`;
  await ensureTopics(kafka, [{ ...topicConfigs(config)[0], topic }]);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `kafka-connections-${uniqueSuffix()}` });
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Promise<{ key: string; value: string }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => resolve({ key: String(message.key), value: String(message.value) }),
      });
    });
    await producer.send({ topic, acks: -1, messages: [{ key: 'aggregate-1', value: 'over SASL_SSL' }] });
    return await received;
  } finally {
    await Promise.all([producer.disconnect(), consumer.disconnect()]);
    await withAdmin(kafka, (admin) => admin.deleteTopics({ topics: [topic] })).catch(() => undefined);
  }
}

describe('issue 12 production connections: Kafka over SASL_SSL (stack service kafka-secure)', () => {
  const record = join(mkdtempSync(join(tmpdir(), 'pa-kafka-secure-')), 'started');
  beforeAll(async () => {
    await stack('up', '--record', record, 'kafka-secure');
  }, 180000);
  afterAll(async () => {
    // Stopped only when this test started it.
    const started = readFileSync(record, 'utf8').split('\n').filter(Boolean);
    if (started.length > 0) await stack('down', ...started);
    rmSync(join(record, '..'), { recursive: true, force: true });
  }, 60000);

  it.each(['scram-sha-512', 'scram-sha-256', 'plain'])(
    'produces and consumes through createKafka with SASL %s over SSL, and the readiness probe passes',
    async (mechanism) => {
      const cfg = secureConfig({ KAFKA_SASL_MECHANISM: mechanism });
      await expect(pingKafka(cfg)).resolves.toBeUndefined();
      await expect(roundTrip(createKafka(cfg, `kafka-connections-${uniqueSuffix()}`))).resolves.toEqual({
        key: 'aggregate-1',
        value: 'over SASL_SSL',
      });
    },
  );

  it("refuses a wrong password, for the engine's client and for the readiness probe", async () => {
    for (const mechanism of ['scram-sha-512', 'plain']) {
      const cfg = secureConfig({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_PASSWORD: 'not-the-password' });
      const failure =
        mechanism === 'plain' ? /SASL PLAIN authentication failed/ : /SASL SCRAM SHA512 authentication failed/;
      await expect(
        withAdmin(createKafka(cfg, `kafka-connections-${uniqueSuffix()}`), (a) => a.listTopics()),
      ).rejects.toThrow(failure);
      await expect(pingKafka(cfg)).rejects.toThrow(failure);
    }
  });

  it('refuses a broker whose certificate another CA signed', async () => {
    const pki = new TestPki();
    try {
      const cfg = secureConfig({ KAFKA_SSL_CA: pki.ca('not-the-brokers-ca').certPath });
      await expect(pingKafka(cfg)).rejects.toThrow(
        /self.signed certificate in certificate chain|unable to (get local issuer|verify)/,
      );
    } finally {
      pki.remove();
    }
  });
});

describe('issue 12 production connections: topics with min.insync.replicas (shared broker)', () => {
  const kafka = createKafka(config, `kafka-connections-${uniqueSuffix()}`);
  const topics: string[] = [];
  afterAll(() => withAdmin(kafka, (admin) => admin.deleteTopics({ topics })).catch(() => undefined));

  const describe1 = (topic: string, names: string[]) =>
    withAdmin(kafka, async (admin) => {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }],
      });
      return resources[0].configEntries;
    });

  it('ensureTopics creates a topic with min.insync.replicas set on the topic itself', async () => {
    const topic = `test.min-isr.${uniqueSuffix()}`;
    topics.push(topic);
    const engineShape = topicConfigs(config)[0];
    await ensureTopics(kafka, [{ ...engineShape, topic }]);
    const [entry] = await describe1(topic, ['min.insync.replicas']);
    // Set on the topic (source TOPIC_CONFIG = 1), not inherited from the broker's default.
    expect(entry).toMatchObject({
      configName: 'min.insync.replicas',
      configValue: '1',
      isDefault: false,
      configSource: 1,
    });
  });

  it('leaves an existing topic with other settings as it is and warns about each difference', async () => {
    const topic = `test.min-isr-kept.${uniqueSuffix()}`;
    topics.push(topic);
    await withAdmin(kafka, (admin) =>
      admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [
              { name: 'retention.ms', value: '3600000' },
              { name: 'min.insync.replicas', value: '2' },
            ],
          },
        ],
      }),
    );
    const lines: Array<{
      level: number;
      msg: string;
      topic: string;
      config: string;
      actual: string;
      expected: string;
    }> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    await ensureTopics(kafka, [{ ...topicConfigs(config)[0], topic }], logger);
    const entries = await describe1(topic, ['min.insync.replicas']);
    expect(entries[0].configValue).toBe('2');
    expect(
      lines.map(({ level, topic: t, config: c, actual, expected }) => ({ level, t, c, actual, expected })),
    ).toEqual([
      { level: 40, t: topic, c: 'retention.ms', actual: '3600000', expected: String(7 * 24 * 3600 * 1000) },
      { level: 40, t: topic, c: 'min.insync.replicas', actual: '2', expected: '1' },
    ]);
    expect(lines.at(-1)!.msg).toBe(`topic ${topic} exists with min.insync.replicas=2, not 1; left as it is`);
  });
});
