// The Kafka topics this engine owns, with explicit partitions. Keys are aggregate ids, so one
// aggregate's events stay in order on one partition.
import type { ITopicConfig } from 'kafkajs';
import { minInsyncReplicas } from '../platform/kafka-connection';

export const Topics = {
  /** Every state change, as a domain event (INT-3). */
  domainEvents: 'partner-access.domain-events.v1',
  /** Support tickets that start or drive workflows (INT-1). */
  supportTickets: 'partner-access.support-tickets.v1',
  /** The CRM's Account Owner status for partner users (INT-2). */
  crmAccountOwners: 'partner-access.crm-account-owners.v1',
  /** Messages a consumer could not handle, with the reason. */
  deadLetter: 'partner-access.dead-letter.v1',
} as const;

export type TopicNames = { [K in keyof typeof Topics]: string };

/** Issue 13: the topics under a deployment's KAFKA_TOPIC_PREFIX (none: the names above). */
export function topicsFor(prefix = ''): TopicNames {
  return Object.fromEntries(Object.entries(Topics).map(([k, name]) => [k, prefix + name])) as TopicNames;
}

const SEVEN_DAYS_MS = String(7 * 24 * 3600 * 1000);
const THIRTY_DAYS_MS = String(30 * 24 * 3600 * 1000);

/**
 * The topics as this engine creates them. min.insync.replicas is set on each topic rather than left to
 * the broker's default (1), so that an acks=all write is acknowledged only once that many replicas hold it.
 */
export function topicConfigs(settings: {
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_MIN_INSYNC_REPLICAS?: number;
  KAFKA_TOPIC_PREFIX?: string;
}): ITopicConfig[] {
  const topics = topicsFor(settings.KAFKA_TOPIC_PREFIX);
  const replicationFactor = settings.KAFKA_REPLICATION_FACTOR;
  const minIsr = String(minInsyncReplicas(settings));
  const cfg = (topic: string, numPartitions: number, retentionMs: string): ITopicConfig => ({
    topic,
    numPartitions,
    replicationFactor,
    configEntries: [
      { name: 'retention.ms', value: retentionMs },
      { name: 'min.insync.replicas', value: minIsr },
    ],
  });
  return [
    cfg(topics.domainEvents, 6, SEVEN_DAYS_MS),
    cfg(topics.supportTickets, 3, SEVEN_DAYS_MS),
    cfg(topics.crmAccountOwners, 3, SEVEN_DAYS_MS),
    cfg(topics.deadLetter, 1, THIRTY_DAYS_MS),
  ];
}
