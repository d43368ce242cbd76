// How every process reaches Kafka: the brokers, and (for a production cluster) SSL and SASL.
import { z } from 'zod';
import type { KafkaConfig } from 'kafkajs';

export const KafkaConnectionEnv = z.object({});

export type KafkaConnectionSettings = z.infer<typeof KafkaConnectionEnv>;

/** The security part of a kafkajs client's configuration. */
export function kafkaConnectionOptions(_settings: KafkaConnectionSettings): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  return {};
}
