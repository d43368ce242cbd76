import type { IHeaders, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createKafka, ensureTopics } from '../../platform/kafka';
import { createLogger } from '../../platform/logger';
import { toKafkaMessage } from '../../events/cloudevents';
import { config, uniqueSuffix } from './services';

export function testKafka(): Kafka {
  return createKafka(
    config,
    `test-${uniqueSuffix()}`,
    createLogger('test-kafka', (process.env.TEST_LOG as any) ?? 'silent'),
  );
}

export async function createTestTopic(kafka: Kafka, name: string, numPartitions = 3): Promise<string> {
  const topic = `test.${name}.${uniqueSuffix()}`;
  await ensureTopics(kafka, [{ topic, numPartitions, replicationFactor: 1 }]);
  return topic;
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

/** Produces records as another system would: CloudEvents binary mode unless raw. */
export async function produce(
  kafka: Kafka,
  topic: string,
  records: Array<
    | { type: string; data: unknown; key: string; id?: string }
    | { raw: { key: string; value: string; headers?: IHeaders } }
  >,
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const r of records) {
      const message =
        'raw' in r
          ? r.raw
          : toKafkaMessage({
              id: r.id ?? randomUUID(),
              source: '/test/other-system',
              type: r.type,
              time: new Date().toISOString(),
              partitionkey: r.key,
              data: r.data,
            });
      await producer.send({ topic, acks: -1, messages: [message] });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface Received {
  key: string;
  value: string;
  headers: Record<string, string>;
  partition: number;
}

/** Reads a topic from the beginning until `done` says so (or the time runs out). */
export async function collect(
  kafka: Kafka,
  topic: string,
  done: (all: Received[]) => boolean,
  timeoutMs = 60000,
): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId: `collector-${uniqueSuffix()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const all: Received[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`collect(${topic}): condition not met within ${timeoutMs} ms; got ${all.length} records`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
          all.push({
            key: message.key?.toString() ?? '',
            value: message.value?.toString() ?? '',
            headers,
            partition,
          });
          if (done(all)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return all;
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
