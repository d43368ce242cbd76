// Event processing as it runs in the worker process: the outbox relay and the inbound consumers.
// (Kept in the worker, not a process of its own, so the local stack runs two processes; each part
// starts and stops on its own and can be moved out when load asks for it.)
import type { Kafka } from 'kafkajs';
import type { Database } from '../platform/database';
import type { Logger } from '../platform/logger';
import { topicsFor } from '../domain/topics';
import { runEvery } from '../platform/periodic';
import { OutboxRelay } from './relay';
import { InboundConsumer } from './consumer';
import { crmAccountOwnerHandler, type OnAccountOwnerChange } from './inbound/crm-account-owners';
import { dispatchWaitingTickets, supportTicketHandler, type TicketKinds } from './inbound/support-tickets';

export interface EventRuntimeDeps {
  databaseUrl: string;
  db: Database;
  kafka: Kafka;
  logger: Logger;
  ticketKinds: TicketKinds;
  onAccountOwnerChange?: OnAccountOwnerChange[];
  /** Issue 13: KAFKA_TOPIC_PREFIX, before every topic and consumer group name (none by default). */
  topicPrefix?: string;
  /** How often tickets left RECEIVED are dispatched again (dispatchWaitingTickets). */
  waitingTicketsEveryMs?: number;
}

export interface EventRuntime {
  relay: OutboxRelay;
  consumers: InboundConsumer[];
  stop(): Promise<void>;
}

export async function startEventRuntime(deps: EventRuntimeDeps): Promise<EventRuntime> {
  const logger = deps.logger.child({ component: 'events' });
  const prefix = deps.topicPrefix ?? '';
  const topics = topicsFor(prefix);
  const relay = new OutboxRelay({
    databaseUrl: deps.databaseUrl,
    kafka: deps.kafka,
    logger,
    topic: topics.domainEvents,
  });
  const consumers = [
    new InboundConsumer({
      name: `${prefix}partner-access.crm-account-owners`,
      topic: topics.crmAccountOwners,
      deadLetterTopic: topics.deadLetter,
      handlers: [crmAccountOwnerHandler(deps.onAccountOwnerChange)],
      kafka: deps.kafka,
      db: deps.db,
      logger,
    }),
    new InboundConsumer({
      name: `${prefix}partner-access.support-tickets`,
      topic: topics.supportTickets,
      deadLetterTopic: topics.deadLetter,
      handlers: [supportTicketHandler(deps.ticketKinds, deps.db)],
      kafka: deps.kafka,
      db: deps.db,
      logger,
    }),
  ];
  await relay.start();
  await Promise.all(consumers.map((c) => c.start()));
  const waitingTickets = runEvery(deps.waitingTicketsEveryMs ?? 60_000, async () => {
    const { dispatched, failed } = await dispatchWaitingTickets(deps.db, deps.ticketKinds);
    if (dispatched.length > 0) logger.info({ tickets: dispatched }, 'waiting tickets dispatched');
    for (const { ticketId, err } of failed)
      logger.warn({ ticketId, err }, 'a waiting ticket is still not dispatched');
  });
  return {
    relay,
    consumers,
    async stop() {
      await waitingTickets.stop();
      await Promise.all(consumers.map((c) => c.stop()));
      await relay.stop();
    },
  };
}
