import { Kafka, logLevel, type KafkaConfig, type ITopicConfig } from 'kafkajs';
import type { Logger } from './logger';

export function createKafka(brokers: string[], clientId: string, logger?: Logger, extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 200, retries: 8 },
    // kafkajs logs through our JSON logger, at warn and above.
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, log }) => {
      const { message, ...rest } = log;
      const l = logger?.child({ component: 'kafkajs', namespace });
      if (!l) return;
      if (level <= logLevel.ERROR) l.error(rest, message);
      else l.warn(rest, message);
    },
    ...extra,
  });
}

/** Creates the topics the application needs, with explicit partitions and replication; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: ITopicConfig[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** A readiness probe: asks the broker for its cluster description with one short attempt. */
export async function pingKafka(brokers: string[], timeoutMs = 2500): Promise<void> {
  const kafka = new Kafka({
    clientId: 'readiness-probe',
    brokers,
    connectionTimeout: Math.min(1000, timeoutMs),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await withTimeout(admin.connect().then(() => admin.describeCluster()), timeoutMs, 'kafka');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
