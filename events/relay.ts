// The outbox relay: publishes unpublished outbox rows to Kafka in sequence order, awaits the
// broker's acknowledgement, then marks them published.
//
// - Order: one relay publishes at a time. Each relay holds (or waits for) a PostgreSQL advisory
//   lock; the holder publishes, the others stand by and take over when its session ends. With a
//   single publisher, rows go out in sequence order, so an aggregate's events never overtake
//   each other (same key → same partition).
// - At least once: a crash between the broker's ack and the mark, or a send that failed half-way,
//   re-sends that batch; consumers de-duplicate on the CloudEvents id.
// - Latency: woken by the NOTIFY each outbox write sends at commit; polling is the fallback.
// - Outages: a failed send backs off exponentially (bounded), nothing is lost or skipped.
import { Client as PgClient } from 'pg';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from '../platform/logger';
import { Topics } from '../domain/topics';
import { SOURCE, toKafkaMessage } from './cloudevents';
import { NOTIFY_CHANNEL } from './outbox';
import { relayFailures, relayPublished } from '../platform/metrics';
import { contextOf, currentTraceContext, SpanKind, SpanStatusCode, startSpan, trace } from '../platform/tracing';

/** The advisory lock that makes one relay the publisher (one per database). */
export const RELAY_LOCK_KEY = 7_204_311;
/**
 * How often a standby relay tries the lock (a NOTIFY also wakes it), and how often the publisher
 * looks for rows no NOTIFY announced. Issue 13: bounds the fail-over after the publisher dies.
 */
export const RELAY_POLL_INTERVAL_MS = 1000;

export interface RelayOptions {
  databaseUrl: string;
  kafka: Kafka;
  logger: Logger;
  topic?: string;
  batchSize?: number;
  pollIntervalMs?: number;
  maxBackoffMs?: number;
}

interface Row {
  sequence: string;
  id: string;
  aggregateId: string;
  type: string;
  subject: string | null;
  data: unknown;
  createdAt: Date;
  traceparent: string | null;
  tracestate: string | null;
}

export class OutboxRelay {
  private pg?: PgClient;
  private producer?: Producer;
  private running = false;
  private wake?: () => void;
  /** A NOTIFY arrived since the last look at the table (it may arrive while publishing). */
  private notified = false;
  private loop?: Promise<void>;
  private isLeader = false;
  private readonly topic: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  /** Events published by this relay instance (for operators and the benchmark). */
  published = 0;

  constructor(private readonly opts: RelayOptions) {
    this.topic = opts.topic ?? Topics.domainEvents;
    this.batchSize = opts.batchSize ?? 500;
    this.pollIntervalMs = opts.pollIntervalMs ?? RELAY_POLL_INTERVAL_MS;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5000;
  }

  get leader(): boolean {
    return this.isLeader;
  }

  async start(): Promise<void> {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = 200;
    while (this.running) {
      try {
        await this.connect();
        if (!this.isLeader) {
          const { rows } = await this.pg!.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [
            RELAY_LOCK_KEY,
          ]);
          this.isLeader = rows[0].locked;
          if (!this.isLeader) {
            await this.sleep(this.pollIntervalMs, true);
            continue;
          }
          this.opts.logger.info('outbox relay is the publisher');
        }
        const n = await this.publishBatch();
        backoff = 200;
        if (n < this.batchSize) await this.sleep(this.pollIntervalMs, true);
      } catch (err) {
        this.opts.logger.warn(
          { err: (err as Error).message, retryInMs: backoff },
          'outbox relay: publish failed; will retry',
        );
        await this.disconnectOnDatabaseError(err);
        // Not woken by new rows: during an outage every commit would otherwise cause a retry.
        await this.sleep(backoff, false);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
    await this.disconnect();
  }

  /** Publishes one batch; returns how many rows it published. */
  private async publishBatch(): Promise<number> {
    const { rows } = await this.pg!.query<Row>(
      // Order by the bigint column itself: `order by sequence` would sort the text alias.
      `select o.sequence::text as sequence, o.id, o."aggregateId", o.type, o.subject, o.data, o."createdAt",
              o.traceparent, o.tracestate
         from "OutboxEvent" o where o."publishedAt" is null order by o.sequence limit $1`,
      [this.batchSize],
    );
    if (rows.length === 0) return 0;
    // Issue 13: a producer span per record, a child of the span that wrote its row; the record carries
    // the producer span's context, so the consumer's span is its child.
    const spans = rows.map((r) =>
      startSpan(`outbox relay publish ${r.type}`, {
        kind: SpanKind.PRODUCER,
        parent: contextOf(r),
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': this.topic,
          'messaging.message.id': r.id,
          'cloudevents.event_type': r.type,
          'outbox.sequence': r.sequence,
        },
      }),
    );
    const messages = rows.map((r, i) => {
      // A process that never set tracing up has no propagator: the row's own context then goes out as it is.
      const carried = currentTraceContext(trace.setSpan(contextOf(r), spans[i]));
      return toKafkaMessage({
        id: r.id,
        source: SOURCE,
        type: r.type,
        subject: r.subject ?? undefined,
        time: r.createdAt.toISOString(),
        partitionkey: r.aggregateId,
        sequence: r.sequence,
        traceparent: (carried.traceparent ?? r.traceparent) || undefined,
        tracestate: (carried.traceparent ? carried.tracestate : r.tracestate) || undefined,
        data: r.data,
      });
    });
    try {
      // One batch in flight, awaited, acknowledged by every in-sync replica.
      await this.producer!.send({ topic: this.topic, messages, acks: -1 });
    } catch (err) {
      for (const span of spans) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).name }).end();
      }
      await this.pg!.query(`update "OutboxEvent" set attempts = attempts + 1, "lastError" = $2 where sequence = $1`, [
        rows[0].sequence,
        String((err as Error).message).slice(0, 1000),
      ]);
      relayFailures.inc();
      throw err;
    }
    for (const span of spans) span.end(); // acknowledged
    await this.pg!.query(`update "OutboxEvent" set "publishedAt" = now() where sequence = any($1::bigint[])`, [
      rows.map((r) => r.sequence),
    ]);
    this.published += rows.length;
    relayPublished.inc(rows.length);
    return rows.length;
  }

  private async connect(): Promise<void> {
    if (!this.producer) {
      // Not kafkajs' idempotent producer, which is known to drop or reorder under retries. One
      // request in flight keeps a partition in order; a batch re-sent after a failure may appear
      // twice, in order, and consumers drop the copy by ce_id.
      this.producer = this.opts.kafka.producer({
        idempotent: false,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      await this.producer.connect();
    }
    if (!this.pg) {
      const pg = new PgClient({ connectionString: this.opts.databaseUrl, application_name: 'outbox-relay' });
      pg.on('notification', () => {
        this.notified = true;
        this.wake?.();
      });
      pg.on('error', (err) => this.opts.logger.warn({ err: err.message }, 'outbox relay: database connection error'));
      await pg.connect();
      await pg.query(`listen ${NOTIFY_CHANNEL}`);
      this.pg = pg;
      this.isLeader = false;
    }
  }

  private async disconnectOnDatabaseError(err: unknown): Promise<void> {
    // A broken database session loses the advisory lock: start over with a new one.
    const isKafka = (err as { name?: string })?.name?.startsWith('Kafka');
    if (!isKafka && this.pg) {
      await this.pg.end().catch(() => undefined);
      this.pg = undefined;
      this.isLeader = false;
    }
  }

  private async disconnect(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
    await this.pg?.end().catch(() => undefined);
    this.pg = undefined;
    this.isLeader = false;
  }

  private sleep(ms: number, wakeOnNotify: boolean): Promise<void> {
    if (!this.running || (wakeOnNotify && this.notified)) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.notified = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      // stop() always wakes; a NOTIFY wakes only a wakeable sleep.
      this.wake = () => {
        if (!this.running || wakeOnNotify) done();
      };
    });
  }
}
