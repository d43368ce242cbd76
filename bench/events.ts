// npm run bench:events — one run on the local stack. Prints:
//  1. raw kafkajs producer throughput (batched) on the broker: the baseline;
//  2. outbox relay throughput on the same broker, with the same message shape and batch size;
//  3. their ratio;
//  4. p50/p99 latency from the commit of a state change to a consumer reading its event, at
//     about 100 changes per second.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { loadConfig } from '../platform/config';
import { createDatabase } from '../platform/database';
import { createKafka, ensureTopics } from '../platform/kafka';
import { createLogger } from '../platform/logger';
import { OutboxRelay } from '../events/relay';
import { recordEvent } from '../events/outbox';
import { SOURCE, toKafkaMessage } from '../events/cloudevents';

const N = Number(process.env.BENCH_EVENTS ?? 20000);
const BATCH = 500;
const RATE = 100;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);

const config = loadConfig();
const logger = createLogger('bench', 'error');
const db = createDatabase(config.DATABASE_URL);
const kafka = createKafka(config, 'bench', logger);

const data = (userId: string) => ({ userId, changedFields: ['displayName'] as Array<'displayName'> });

async function freshTopic(kafka: Kafka, name: string): Promise<string> {
  const topic = `bench.${name}.${Date.now()}`;
  await ensureTopics(kafka, [{ topic, numPartitions: 6, replicationFactor: 1 }]);
  return topic;
}

async function rawProducerThroughput(): Promise<number> {
  const topic = await freshTopic(kafka, 'raw');
  const producer = kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const keys = Array.from({ length: 200 }, () => randomUUID());
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < N; sent += BATCH) {
    const messages = Array.from({ length: Math.min(BATCH, N - sent) }, (_, i) => {
      const key = keys[(sent + i) % keys.length];
      return toKafkaMessage({
        id: randomUUID(),
        source: SOURCE,
        type: 'partneraccess.identity.user-profile-updated.v1',
        time: new Date().toISOString(),
        partitionkey: key,
        sequence: String(sent + i),
        data: data(key),
      });
    });
    await producer.send({ topic, messages, acks: -1 });
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await producer.disconnect();
  return N / seconds;
}

async function relayThroughput(): Promise<number> {
  const topic = await freshTopic(kafka, 'relay');
  const keys = Array.from({ length: 200 }, () => randomUUID());
  // Prepare N committed state changes' events while no relay runs (not timed).
  for (let written = 0; written < N; written += BATCH) {
    await db.$transaction(
      async (tx) => {
        for (let i = 0; i < Math.min(BATCH, N - written); i++) {
          const key = keys[(written + i) % keys.length];
          await recordEvent(tx, 'partneraccess.identity.user-profile-updated.v1', {
            aggregateId: key,
            data: data(key),
          });
        }
      },
      { timeout: 60000 },
    );
  }
  const relay = new OutboxRelay({ databaseUrl: config.DATABASE_URL, kafka, logger, topic, batchSize: BATCH });
  const start = process.hrtime.bigint();
  await relay.start();
  while (relay.published < N) await new Promise((r) => setTimeout(r, 5));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await relay.stop();
  return N / seconds;
}

async function commitToConsumerLatency(): Promise<{ p50: number; p99: number; max: number; count: number }> {
  const topic = await freshTopic(kafka, 'latency');
  const users = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      db.user.create({ data: { email: `bench-${Date.now()}-${i}@bench.example`, displayName: 'Bench' } }),
    ),
  );
  const committedAt = new Map<string, bigint>();
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId: `bench-${Date.now()}`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const now = process.hrtime.bigint();
      const t0 = committedAt.get(String(message.headers?.ce_id));
      if (t0 !== undefined) latencies.push(Number(now - t0) / 1e6);
    },
  });
  const relay = new OutboxRelay({ databaseUrl: config.DATABASE_URL, kafka, logger, topic });
  await relay.start();
  await new Promise((r) => setTimeout(r, 3000)); // let the group settle and the relay take the lock

  const total = RATE * LATENCY_SECONDS;
  const start = Date.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const user = users[i % users.length];
    // A real state change: the row and its event in one transaction.
    const id = await db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { displayName: `Bench ${i}` } });
      return recordEvent(tx, 'partneraccess.identity.user-profile-updated.v1', {
        aggregateId: user.id,
        data: data(user.id),
      });
    });
    committedAt.set(id, process.hrtime.bigint());
  }
  const deadline = Date.now() + 30000;
  while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await relay.stop();
  await consumer.disconnect();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { p50: pct(50), p99: pct(99), max: latencies[latencies.length - 1], count: latencies.length };
}

async function main() {
  console.log(`bench:events — ${N} events, batches of ${BATCH}, 6 partitions, acks=all, one request in flight`);
  const raw = await rawProducerThroughput();
  console.log(`  raw kafkajs producer (batched)     ${raw.toFixed(0).padStart(8)} events/s`);
  const relay = await relayThroughput();
  console.log(`  outbox relay (read, send, mark)    ${relay.toFixed(0).padStart(8)} events/s`);
  console.log(`  ratio relay / raw                  ${(relay / raw).toFixed(2).padStart(8)}   (target >= 0.5)`);
  const lat = await commitToConsumerLatency();
  console.log(`  commit -> consumer at ${RATE}/s for ${LATENCY_SECONDS}s (${lat.count} events)`);
  console.log(
    `    p50 ${lat.p50.toFixed(1)} ms   p99 ${lat.p99.toFixed(1)} ms   max ${lat.max.toFixed(1)} ms   ` +
      '(target p99 < 250 ms)',
  );
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await db.$disconnect();
  });
