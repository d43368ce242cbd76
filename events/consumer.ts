// The framework every inbound topic uses: a consumer group, at-least-once delivery made idempotent
// by a processed-events record written in the same transaction as the handler's effects, retries
// with backoff, and a dead-letter topic for what cannot be handled, while the consumer keeps going.
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Prisma } from '@prisma/client';
import type { z } from 'zod';
import type { Database } from '../platform/database';
import type { Logger } from '../platform/logger';
import { Topics } from '../domain/topics';
import { fromKafkaMessage, NotACloudEvent, type CloudEvent } from './cloudevents';

/** A message that can never succeed, whatever the retries: straight to the dead-letter topic. */
export class PoisonMessage extends Error {}

export interface InboundHandler<T> {
  /** The CloudEvents type this handler accepts. */
  type: string;
  data: z.ZodType<T>;
  /** Applies the event inside `tx`. May call idempotent external effects (e.g. start a workflow with a fixed id). */
  handle(event: CloudEvent<T>, tx: Prisma.TransactionClient): Promise<void>;
}

export interface InboundConsumerOptions {
  /** The consumer's name: its group id and its key in the processed-events record. */
  name: string;
  topic: string;
  handlers: InboundHandler<any>[];
  kafka: Kafka;
  db: Database;
  logger: Logger;
  maxAttempts?: number;
  retryBaseMs?: number;
  deadLetterTopic?: string;
  fromBeginning?: boolean;
}

export type Outcome = 'applied' | 'duplicate' | 'dead-lettered';

export class InboundConsumer {
  private consumer?: Consumer;
  private producer?: Producer;
  private readonly handlers: Map<string, InboundHandler<unknown>>;
  /** Counts per outcome, for operators and tests. */
  readonly outcomes: Record<Outcome, number> = { applied: 0, duplicate: 0, 'dead-lettered': 0 };

  private running = false;
  private restartTimer?: NodeJS.Timeout;
  private restartDelayMs = 500;
  private lastFetchAt = Date.now();
  private watchdog?: NodeJS.Timeout;

  constructor(private readonly opts: InboundConsumerOptions) {
    this.handlers = new Map(opts.handlers.map((h) => [h.type, h]));
  }

  async start(): Promise<void> {
    this.running = true;
    // A healthy kafkajs consumer starts a fetch every few seconds, messages or not. None for 45 s
    // means it is stuck (e.g. rejoining a group after a broker restart): start it over. Safe,
    // because handling is idempotent.
    this.watchdog = setInterval(() => {
      if (this.running && Date.now() - this.lastFetchAt > 45000) {
        this.opts.logger.warn({ consumer: this.opts.name }, 'consumer made no fetch for 45 s; restarting');
        this.lastFetchAt = Date.now();
        this.scheduleRestart();
      }
    }, 5000);
    this.watchdog.unref();
    this.producer = this.opts.kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
    await this.connectAndRun();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.restartTimer);
    clearInterval(this.watchdog);
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
  }

  private async connectAndRun(): Promise<void> {
    // A 10 s session (kafkajs: 30 s) lets a group recover sooner after a broker restart.
    const consumer = this.opts.kafka.consumer({ groupId: this.opts.name, allowAutoTopicCreation: false, sessionTimeout: 10000, heartbeatInterval: 1000 });
    this.consumer = consumer;
    // kafkajs restarts a consumer after retriable errors only; a broker that refuses connections
    // for a while crashes it for good. Keep going: restart with a bounded backoff.
    consumer.on(consumer.events.FETCH_START, () => {
      this.lastFetchAt = Date.now();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || !this.running) return;
      this.opts.logger.warn({ consumer: this.opts.name, err: payload.error.message, retryInMs: this.restartDelayMs }, 'consumer crashed; restarting');
      this.scheduleRestart();
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.opts.topic, fromBeginning: this.opts.fromBeginning ?? true });
      await consumer.run({
        // Messages of one partition are handled one at a time, in order; the offset is committed
        // only after the handler (or the dead letter) succeeded.
        eachMessage: async ({ message, partition }) => {
          await this.process(message, partition);
          this.restartDelayMs = 500;
        },
      });
    } catch (err) {
      if (!this.running) return;
      this.opts.logger.warn({ consumer: this.opts.name, err: (err as Error).message, retryInMs: this.restartDelayMs }, 'consumer could not start; retrying');
      this.scheduleRestart();
    }
  }

  private scheduleRestart(): void {
    clearTimeout(this.restartTimer);
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, 5000);
    this.restartTimer = setTimeout(() => {
      const old = this.consumer;
      void (async () => {
        await old?.disconnect().catch(() => undefined);
        if (this.running) await this.connectAndRun();
      })();
    }, delay);
  }

  private async process(message: KafkaMessage, partition: number): Promise<Outcome> {
    const log = this.opts.logger.child({ consumer: this.opts.name, partition, offset: message.offset });
    let event: CloudEvent;
    let handler: InboundHandler<unknown> | undefined;
    try {
      event = fromKafkaMessage(message);
      handler = this.handlers.get(event.type);
      if (!handler) throw new PoisonMessage(`unknown event type ${event.type} (this consumer accepts: ${[...this.handlers.keys()].join(', ')})`);
      const parsed = handler.data.safeParse(event.data);
      if (!parsed.success) {
        throw new PoisonMessage(`data does not fit ${event.type}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
      }
      event = { ...event, data: parsed.data };
    } catch (err) {
      if (err instanceof PoisonMessage || err instanceof NotACloudEvent) return this.deadLetter(message, partition, err.message, log);
      throw err;
    }

    const maxAttempts = this.opts.maxAttempts ?? 5;
    const base = this.opts.retryBaseMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.applyOnce(event, handler);
        this.outcomes[outcome]++;
        log.debug({ eventId: event.id, type: event.type, outcome }, 'inbound event');
        return outcome;
      } catch (err) {
        if (err instanceof PoisonMessage) return this.deadLetter(message, partition, err.message, log);
        if (attempt >= maxAttempts) {
          return this.deadLetter(message, partition, `handler failed after ${attempt} attempts: ${(err as Error).message}`, log);
        }
        log.warn({ eventId: event.id, attempt, err: (err as Error).message }, 'inbound event failed; retrying');
        await new Promise((r) => setTimeout(r, base * 2 ** (attempt - 1)));
      }
    }
  }

  /** The handler's effects and the processed-events record commit together, or not at all. */
  private async applyOnce(event: CloudEvent, handler: InboundHandler<unknown>): Promise<'applied' | 'duplicate'> {
    return this.opts.db.$transaction(async (tx) => {
      const inserted = await tx.$executeRaw`
        insert into "ProcessedEvent" (consumer, "eventId") values (${this.opts.name}, ${event.id})
        on conflict do nothing`;
      if (inserted === 0) return 'duplicate';
      await handler.handle(event, tx);
      return 'applied';
      // A handler may wait on a workflow's first state (ticket dispatch): more than Prisma's 5 s default.
    }, { timeout: 30000 });
  }

  private async deadLetter(message: KafkaMessage, partition: number, reason: string, log: Logger): Promise<'dead-lettered'> {
    log.warn({ reason }, 'message sent to the dead-letter topic');
    // The original key, value and headers are kept as they were, so the message can be replayed.
    await this.producer!.send({
      topic: this.opts.deadLetterTopic ?? Topics.deadLetter,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            dlq_reason: reason.slice(0, 2000),
            dlq_consumer: this.opts.name,
            dlq_topic: this.opts.topic,
            dlq_partition: String(partition),
            dlq_offset: message.offset,
            dlq_time: new Date().toISOString(),
          },
        },
      ],
    });
    this.outcomes['dead-lettered']++;
    return 'dead-lettered';
  }
}
