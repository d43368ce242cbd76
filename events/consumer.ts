// The framework every inbound topic uses: a consumer group, at-least-once delivery made idempotent
// by a processed-events record written in the same transaction as the handler's effects. Poison goes
// to a dead-letter topic at once, while the consumer keeps going; an outage of our own dependencies is
// retried with backoff, without limit and without committing the offset (events/failures.ts).
import type { Admin, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Prisma } from '@prisma/client';
import type { z } from 'zod';
import type { Database } from '../platform/database';
import type { Logger } from '../platform/logger';
import { Topics } from '../domain/topics';
import { ZodError } from 'zod';
import { fromKafkaMessage, NotACloudEvent, type CloudEvent } from './cloudevents';
import { classifyFailure, PoisonMessage, retryDelayMs } from './failures';
import { UseCaseRefusal } from '../domain/refusal';
import { deadLetters } from '../platform/metrics';
import { contextOf, inSpan, SpanKind } from '../platform/tracing';

export { PoisonMessage };

/** Poison this consumer finds itself, with its reason as a code (the dead-letter metric's label). */
class UnreadableMessage extends PoisonMessage {
  constructor(
    readonly code: 'unknown-type' | 'invalid-data',
    message: string,
  ) {
    super(message);
  }
}

/** Issue 13: why a message was dead-lettered, as a code from a small set (the reason text may name data). */
export function deadLetterReasonCode(err: unknown): string {
  if (err instanceof UnreadableMessage) return err.code;
  if (err instanceof NotACloudEvent) return 'not-a-cloudevent';
  if (err instanceof ZodError) return 'invalid-data';
  if (err instanceof UseCaseRefusal) return `refused-${err.kind}`;
  return 'rejected';
}

export interface InboundHandler<T> {
  /** The CloudEvents type this handler accepts. */
  type: string;
  data: z.ZodType<T>;
  /**
   * Applies the event's database effects inside `tx`; it must be idempotent for one event id, and call
   * nothing outside the database. What must happen outside (starting a workflow) it returns as an
   * after-commit step: run once the transaction committed, holding no pool connection, and only then
   * is the event marked done. A crash in between redelivers the event: `handle` sees its own effects
   * and returns the step again (the fixed workflow id makes the second call change nothing).
   */
  handle(event: CloudEvent<T>, tx: Prisma.TransactionClient): Promise<void | AfterCommit>;
}

/** An idempotent external effect (a Temporal call) that follows a handler's committed effects. */
export type AfterCommit = () => Promise<void>;

export interface InboundConsumerOptions {
  /** The consumer's name: its group id and its key in the processed-events record. */
  name: string;
  topic: string;
  handlers: InboundHandler<any>[];
  kafka: Kafka;
  db: Database;
  logger: Logger;
  /** The first retry's wait after an infrastructure failure; it doubles up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  deadLetterTopic?: string;
  fromBeginning?: boolean;
  /**
   * How often the watchdog looks for a stuck consumer: every 10 s by default, since an idle consumer's
   * check costs two admin requests. A stalled consumer is started over after three checks (see watch()).
   */
  watchEveryMs?: number;
}

export type Outcome = 'applied' | 'duplicate' | 'dead-lettered';

/**
 * A member that stops heartbeating (a killed process) keeps its partitions this long before the
 * group gives them to the others (kafkajs: 30 s). Issue 13: bounds the rebalance after a worker dies.
 */
export const CONSUMER_SESSION_TIMEOUT_MS = 10000;
export const CONSUMER_HEARTBEAT_INTERVAL_MS = 1000;
/**
 * How long a fetch waits on the broker when no record comes (kafkajs: 5 s; a record ends it at once).
 * kafkajs heartbeats between fetches, so an idle member hears of a rebalance at most this long after
 * it began: 1 s keeps a dead worker's partitions idle 4 s less, for one empty fetch a second.
 */
export const CONSUMER_MAX_WAIT_MS = 1000;

/** Thrown out of eachMessage when the consumer stops mid-retry: the offset stays uncommitted. */
class ConsumerStopping extends Error {}

/** kafkajs' disconnect waits for the message in hand; a stuck one must not stop the supervisor. */
async function bounded(p: Promise<unknown> | undefined, ms = 10000): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

export class InboundConsumer {
  private consumer?: Consumer;
  private producer?: Producer;
  private admin?: Admin;
  private readonly handlers: Map<string, InboundHandler<unknown>>;
  /** Counts per outcome, for operators and tests. */
  readonly outcomes: Record<Outcome, number> = { applied: 0, duplicate: 0, 'dead-lettered': 0 };
  /** How many times the supervisor started the kafkajs consumer over. */
  restarts = 0;
  /** Attempts that failed on an outage and were retried (never dead-lettered). */
  retries = 0;

  private running = false;
  /** Each kafkajs consumer belongs to one generation; a stale one stops itself. */
  private generation = 0;
  private restartTimer?: NodeJS.Timeout;
  private restartDelayMs = 500;
  private lastFetchAt = Date.now();
  private lastProgressAt = Date.now();
  private stalledChecks = 0;
  /** Messages being handled right now: a slow handler is not a stalled consumer. */
  private inFlight = 0;
  private watchdog?: NodeJS.Timeout;

  constructor(private readonly opts: InboundConsumerOptions) {
    this.handlers = new Map(opts.handlers.map((h) => [h.type, h]));
  }

  async start(): Promise<void> {
    this.running = true;
    this.watchdog = setInterval(() => void this.watch(), this.watchEveryMs);
    this.watchdog.unref();
    this.producer = this.opts.kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
    this.admin = this.opts.kafka.admin();
    await this.connectAndRun(this.generation);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    clearTimeout(this.restartTimer);
    clearInterval(this.watchdog);
    await bounded(this.consumer?.disconnect());
    await bounded(this.admin?.disconnect());
    await bounded(this.producer?.disconnect());
  }

  /**
   * Two checks that start a kafkajs consumer over, both safe because handling is idempotent: no fetch
   * at all for 45 s (stuck rejoining a group), or messages waiting past the committed offsets while
   * nothing is in hand and nothing was handled for 15 s, three checks in a row (fetching yet delivering nothing).
   * The 15 s scale with the watch's interval (10 s by default); the 45 s do not: an idle fetch waits 5 s.
   */
  private async watch(): Promise<void> {
    if (!this.running || this.restartTimer) return;
    // A message in hand waiting out an outage heartbeats but fetches nothing: not a stuck consumer.
    if (this.inFlight === 0 && Date.now() - this.lastFetchAt > 45000) {
      this.opts.logger.warn({ consumer: this.opts.name }, 'consumer made no fetch for 45 s; restarting');
      return this.scheduleRestart();
    }
    if (this.inFlight > 0 || Date.now() - this.lastProgressAt < 1.5 * this.watchEveryMs) {
      this.stalledChecks = 0;
      return;
    }
    const waiting = await this.waitingMessages().catch(() => null);
    if (waiting === null || waiting === 0) {
      this.stalledChecks = 0;
      return;
    }
    if (++this.stalledChecks >= 3) {
      this.opts.logger.warn(
        { consumer: this.opts.name, waiting },
        'consumer has messages waiting but handles none; restarting',
      );
      this.stalledChecks = 0;
      this.scheduleRestart();
    }
  }

  private get watchEveryMs(): number {
    return this.opts.watchEveryMs ?? 10000;
  }

  /** Issue 13: the consumer group's name and lag, for the worker's metrics. */
  get group(): string {
    return this.opts.name;
  }

  lag(): Promise<number> {
    return this.waitingMessages();
  }

  /** Messages on the topic past this group's committed offsets. */
  private async waitingMessages(): Promise<number> {
    await this.admin!.connect();
    const [ends, committed] = await Promise.all([
      this.admin!.fetchTopicOffsets(this.opts.topic),
      this.admin!.fetchOffsets({ groupId: this.opts.name, topics: [this.opts.topic] }),
    ]);
    const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
    return ends.reduce((sum, p) => {
      // No commit yet (-1), or a commit older than retention: count from the start of the partition.
      const from = Math.max(done.get(p.partition) ?? -1, Number(p.low));
      return sum + Math.max(0, Number(p.high) - from);
    }, 0);
  }

  private async connectAndRun(generation: number): Promise<void> {
    // A 10 s session (kafkajs: 30 s) lets a group recover sooner after a broker restart.
    const consumer = this.opts.kafka.consumer({
      groupId: this.opts.name,
      allowAutoTopicCreation: false,
      sessionTimeout: CONSUMER_SESSION_TIMEOUT_MS,
      heartbeatInterval: CONSUMER_HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: CONSUMER_MAX_WAIT_MS,
    });
    this.consumer = consumer;
    const stale = () => generation !== this.generation || !this.running;
    consumer.on(consumer.events.FETCH_START, () => {
      if (!stale()) this.lastFetchAt = Date.now();
    });
    // kafkajs restarts a consumer after retriable errors only; a broker that refuses connections
    // for a while crashes it for good. Keep going: restart with a bounded backoff.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || stale()) return;
      this.opts.logger.warn(
        { consumer: this.opts.name, err: payload.error.message, retryInMs: this.restartDelayMs },
        'consumer crashed; restarting',
      );
      this.scheduleRestart();
    });
    try {
      await consumer.connect();
      if (stale()) return void (await bounded(consumer.disconnect()));
      await consumer.subscribe({ topic: this.opts.topic, fromBeginning: this.opts.fromBeginning ?? true });
      await consumer.run({
        // Messages of one partition are handled one at a time, in order; the offset is committed
        // only after the handler (or the dead letter) succeeded.
        eachMessage: async ({ message, partition, heartbeat }) => {
          this.inFlight++;
          try {
            await this.traced(message, partition, () => this.process(message, partition, heartbeat, stale));
          } finally {
            this.inFlight--;
            this.lastProgressAt = Date.now();
          }
          this.restartDelayMs = 500;
        },
      });
      this.lastFetchAt = Date.now();
      if (stale()) await bounded(consumer.disconnect());
    } catch (err) {
      if (stale()) return void (await bounded(consumer.disconnect()));
      this.opts.logger.warn(
        { consumer: this.opts.name, err: (err as Error).message, retryInMs: this.restartDelayMs },
        'consumer could not start; retrying',
      );
      this.scheduleRestart();
    }
  }

  /** One restart at a time: the old consumer is let go (bounded wait), then a new generation starts. */
  private scheduleRestart(): void {
    if (this.restartTimer || !this.running) return;
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, 5000);
    const old = this.consumer;
    const next = ++this.generation;
    this.restartTimer = setTimeout(() => {
      void (async () => {
        await bounded(old?.disconnect());
        this.restartTimer = undefined;
        if (this.running && next === this.generation) {
          this.restarts++;
          this.lastFetchAt = this.lastProgressAt = Date.now();
          await this.connectAndRun(next);
        }
      })();
    }, delay);
  }

  /**
   * Issue 13: a consumer span per message, a child of the producer's span when the record carries
   * `ce_traceparent` (ours from the relay, or a help desk's or CRM's own); everything the handler does
   * (its transaction, outbox rows, the workflow it starts, its log lines) runs inside it.
   */
  private traced<T>(message: KafkaMessage, partition: number, handle: () => Promise<T>): Promise<T> {
    const header = (name: string) => {
      const v = message.headers?.[name];
      return v === undefined ? undefined : String(Array.isArray(v) ? v[0] : v);
    };
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.destination.name': this.opts.topic,
      'messaging.consumer.group.name': this.opts.name,
      'messaging.destination.partition.id': String(partition),
      'messaging.kafka.offset': message.offset,
      'cloudevents.event_type': header('ce_type') ?? '',
    };
    const parent = contextOf({ traceparent: header('ce_traceparent'), tracestate: header('ce_tracestate') });
    return inSpan(
      `consume ${header('ce_type') ?? this.opts.topic}`,
      { kind: SpanKind.CONSUMER, parent, attributes },
      async (span) => {
        const outcome = await handle();
        span.setAttribute('consumer.outcome', String(outcome));
        return outcome;
      },
    );
  }

  private async process(
    message: KafkaMessage,
    partition: number,
    heartbeat: () => Promise<void>,
    stale: () => boolean,
  ): Promise<Outcome> {
    const log = this.opts.logger.child({ consumer: this.opts.name, partition, offset: message.offset });
    let event: CloudEvent;
    let handler: InboundHandler<unknown> | undefined;
    try {
      event = fromKafkaMessage(message);
      handler = this.handlers.get(event.type);
      if (!handler) {
        const accepted = [...this.handlers.keys()].join(', ');
        const reason = `unknown event type ${event.type} (this consumer accepts: ${accepted})`;
        throw new UnreadableMessage('unknown-type', reason);
      }
      const parsed = handler.data.safeParse(event.data);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
        throw new UnreadableMessage('invalid-data', `data does not fit ${event.type}: ${issues}`);
      }
      event = { ...event, data: parsed.data };
    } catch (err) {
      const failure = classifyFailure(err);
      if (failure.kind === 'poison') return this.deadLetter(message, partition, failure, err, log);
      throw err;
    }

    // Retried inside eachMessage rather than paused and sought back: the partition's order holds
    // without bookkeeping, the offset is simply not committed, and heartbeat() between (and during)
    // attempts keeps the consumer in its group however long the outage lasts.
    const base = this.opts.retryBaseMs ?? 200;
    const cap = this.opts.retryMaxMs ?? 30000;
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.withHeartbeats(heartbeat, () => this.applyOnce(event, handler));
        this.outcomes[outcome]++;
        log.debug({ eventId: event.id, type: event.type, outcome, attempts: attempt }, 'inbound event');
        return outcome;
      } catch (err) {
        const failure = classifyFailure(err);
        if (failure.kind === 'poison') return this.deadLetter(message, partition, failure, err, log);
        if (stale()) throw new ConsumerStopping('consumer stopping; the message stays uncommitted');
        const waitMs = retryDelayMs(attempt, base, cap);
        this.retries++;
        // The error's class and message name the outage; the event's data (personal data) is never logged.
        log.warn(
          {
            eventId: event.id,
            type: event.type,
            attempt,
            retryInMs: waitMs,
            dependency: failure.dependency,
            err: String((err as Error)?.message ?? err).slice(0, 300),
          },
          'inbound event failed on an outage; retrying, offset not committed',
        );
        await this.sleepWithHeartbeats(waitMs, heartbeat, stale);
      }
    }
  }

  /** Runs a (possibly slow) attempt while heartbeating every second; a rebalance seen meanwhile is thrown after it. */
  private async withHeartbeats<T>(heartbeat: () => Promise<void>, attempt: () => Promise<T>): Promise<T> {
    let lost: unknown;
    const timer = setInterval(() => void heartbeat().catch((err) => (lost ??= err)), 1000);
    try {
      return await attempt();
    } finally {
      clearInterval(timer);
      // The attempt's own result stands (it is idempotent); a lost membership only means kafkajs
      // redelivers the message to the partition's next owner.
      if (lost) {
        const err = (lost as Error).message;
        this.opts.logger.debug({ consumer: this.opts.name, err }, 'heartbeat failed during a handler');
      }
    }
  }

  /** Waits out a backoff in one-second steps, heartbeating so the group does not evict this member. */
  private async sleepWithHeartbeats(ms: number, heartbeat: () => Promise<void>, stale: () => boolean): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      if (stale()) throw new ConsumerStopping('consumer stopping; the message stays uncommitted');
      // A rebalance (the partition moved away) throws here: kafkajs leaves the offset uncommitted.
      await heartbeat();
      const left = until - Date.now();
      if (left <= 0) return;
      await new Promise((r) => setTimeout(r, Math.min(left, 1000)));
    }
  }

  /**
   * The handler's effects and the processed-events record commit together; when the handler returns
   * an after-commit step, the record is written only once that step succeeded (received, called, done).
   */
  private async applyOnce(event: CloudEvent, handler: InboundHandler<unknown>): Promise<'applied' | 'duplicate'> {
    const markDone = (tx: Prisma.TransactionClient) => tx.$executeRaw`
      insert into "ProcessedEvent" (consumer, "eventId") values (${this.opts.name}, ${event.id})
      on conflict do nothing`;
    const received = await this.opts.db.$transaction(async (tx) => {
      // Two deliveries of one event at once (a rebalance) take turns; the second then finds it done.
      await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${this.opts.name}), hashtext(${event.id}))`;
      const done = await tx.processedEvent.findUnique({
        where: { consumer_eventId: { consumer: this.opts.name, eventId: event.id } },
        select: { eventId: true },
      });
      if (done) return 'duplicate' as const;
      const afterCommit = await handler.handle(event, tx);
      if (afterCommit) return afterCommit;
      return (await markDone(tx)) === 0 ? ('duplicate' as const) : ('applied' as const);
    });
    if (typeof received !== 'function') return received;
    await received();
    await markDone(this.opts.db);
    return 'applied';
  }

  private async deadLetter(
    message: KafkaMessage,
    partition: number,
    { reason }: { reason: string },
    err: unknown,
    log: Logger,
  ): Promise<'dead-lettered'> {
    const reasonCode = deadLetterReasonCode(err);
    log.warn({ reason, reasonCode }, 'message sent to the dead-letter topic');
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
    deadLetters.inc({ consumer: this.opts.name, reason: reasonCode });
    return 'dead-lettered';
  }
}
