import { ConfigResourceTypes, Kafka, logLevel, type KafkaConfig, type ITopicConfig } from 'kafkajs';
import type { Logger } from './logger';
import { kafkaConnectionOptions, type KafkaSettings } from './kafka-connection';

/** A client of the configured brokers, over SSL and SASL when the configuration asks for them. */
export function createKafka(
  settings: KafkaSettings,
  clientId: string,
  logger?: Logger,
  extra: Partial<KafkaConfig> = {},
): Kafka {
  return new Kafka({
    clientId,
    brokers: settings.KAFKA_BROKERS,
    ...kafkaConnectionOptions(settings),
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 200, retries: 8 },
    // kafkajs logs through our JSON logger, at warn and above.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }) => {
        const { message, ...rest } = log;
        const l = logger?.child({ component: 'kafkajs', namespace });
        if (!l) return;
        if (level <= logLevel.ERROR) l.error(rest, message);
        else l.warn(rest, message);
      },
    ...extra,
  });
}

/**
 * Creates the topics the application needs, with explicit partitions, replication and settings.
 * Existing ones are left as they are (changing a live topic's settings is an operator's decision), but
 * each setting that differs from what this engine would create is logged as a warning.
 */
export async function ensureTopics(kafka: Kafka, topics: ITopicConfig[], logger?: Logger): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
    const kept = topics.filter((t) => existing.has(t.topic) && (t.configEntries ?? []).length > 0);
    if (kept.length === 0) return;
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: kept.map((t) => ({
        type: ConfigResourceTypes.TOPIC,
        name: t.topic,
        configNames: t.configEntries!.map((e) => e.name),
      })),
    });
    for (const t of kept) {
      const actual = resources.find((r) => r.resourceName === t.topic)?.configEntries ?? [];
      for (const wanted of t.configEntries!) {
        const found = actual.find((e) => e.configName === wanted.name)?.configValue;
        if (found === wanted.value) continue;
        logger?.warn(
          { topic: t.topic, config: wanted.name, actual: found ?? null, expected: wanted.value },
          `topic ${t.topic} exists with ${wanted.name}=${found ?? 'unset'}, not ${wanted.value}; left as it is`,
        );
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** A readiness probe: asks the broker for its cluster description with one short attempt, as the engine connects. */
export async function pingKafka(settings: KafkaSettings, timeoutMs = 2500): Promise<void> {
  const kafka = new Kafka({
    clientId: 'readiness-probe',
    brokers: settings.KAFKA_BROKERS,
    ...kafkaConnectionOptions(settings),
    connectionTimeout: Math.min(1000, timeoutMs),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await withTimeout(
      admin.connect().then(() => admin.describeCluster()),
      timeoutMs,
      'kafka',
    );
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
