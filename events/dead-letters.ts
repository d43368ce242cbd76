// Issue 12: operators inspect the dead-letter topic and send chosen messages back to their topic
// (after the cause is fixed: a policy, a missing organization, a producer's bug). `npm run dlq`.
import type { Kafka, IHeaders } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface DeadLetter {
  /** Where it sits on the dead-letter topic: what `replay` takes, `partition:offset`. */
  position: string;
  reason: string;
  consumer: string;
  /** The topic it came from, where a replay sends it. */
  topic: string;
  deadLetteredAt: string;
  type: string | null;
  eventId: string | null;
  key: string | null;
  value: Buffer | null;
  /** The original headers, without the dead letter's own. */
  headers: IHeaders;
}

const text = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

/** Every message on the dead-letter topic, oldest first per partition (read without joining any group's offsets). */
export async function listDeadLetters(kafka: Kafka, topic: string, timeoutMs = 30000): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const waiting = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]),
  );
  const found: DeadLetter[] = [];
  if (waiting.size === 0) return found;
  // A throw-away group: nothing is committed for it, reading changes no one's offsets.
  const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const late = () => reject(new Error(`could not read ${topic} to its end within ${timeoutMs} ms`));
      const timer = setTimeout(late, timeoutMs);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const h = message.headers ?? {};
          const original = Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith('dlq_')));
          found.push({
            position: `${partition}:${message.offset}`,
            reason: text(h.dlq_reason) ?? '',
            consumer: text(h.dlq_consumer) ?? '',
            topic: text(h.dlq_topic) ?? '',
            deadLetteredAt: text(h.dlq_time) ?? '',
            type: text(h.ce_type),
            eventId: text(h.ce_id),
            key: text(message.key),
            value: message.value,
            headers: original,
          });
          if (Number(message.offset) + 1 >= (waiting.get(partition) ?? 0)) waiting.delete(partition);
          if (waiting.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return found;
}

/**
 * Sends the chosen dead letters back to the topic each came from, with its original key, value and
 * headers. The consumer handles it as new: a dead-lettered event never wrote its processed-events row.
 */
export async function replayDeadLetters(
  kafka: Kafka,
  letters: DeadLetter[],
  positions: string[],
): Promise<DeadLetter[]> {
  const chosen = positions.map((p) => {
    const letter = letters.find((l) => l.position === p);
    if (!letter) throw new Error(`no dead letter at ${p}`);
    if (!letter.topic) throw new Error(`the dead letter at ${p} does not say its topic`);
    return letter;
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const l of chosen) {
      await producer.send({
        topic: l.topic,
        acks: -1,
        messages: [{ key: l.key, value: l.value, headers: l.headers }],
      });
    }
  } finally {
    await producer.disconnect();
  }
  return chosen;
}
