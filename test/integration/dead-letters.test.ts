// Issue 12: `npm run dlq -- list|replay`. A business rejection is dead-lettered with its reason; once
// its cause is fixed, the operator replays it to its own topic and the consumer applies it.
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { createLogger } from '../../platform/logger';
import { InboundConsumer } from '../../events/consumer';
import { listDeadLetters, replayDeadLetters } from '../../events/dead-letters';
import { UseCaseRefusal } from '../../domain/refusal';
import type { CloudEvent } from '../../events/cloudevents';
import { config, uniqueSuffix } from '../support/services';
import { createDatabase } from '../../platform/database';
import { createTestTopic, deleteTopics, produce, testKafka, waitUntil } from '../support/kafka';

const db = createDatabase(config.DATABASE_URL);
let kafka: Kafka;
const topics: string[] = [];
const consumers: InboundConsumer[] = [];

beforeAll(() => {
  kafka = testKafka();
});
afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await deleteTopics(kafka, topics);
  await db.$disconnect();
});

const title =
  'issue 12 dlq: a refused message is listed with its reason and origin; replayed after the fix, it is applied';
it(title, async () => {
  const topic = await createTestTopic(kafka, 'dlq-origin', 1);
  const dlq = await createTestTopic(kafka, 'dlq-tool', 1);
  topics.push(topic, dlq);
  let organizationKnown = false;
  const applied: CloudEvent<{ organization: string }>[] = [];
  const consumer = new InboundConsumer({
    name: `test-dlq-tool-${uniqueSuffix()}`,
    topic,
    deadLetterTopic: dlq,
    kafka: testKafka(),
    db,
    logger: createLogger('test-dlq', 'silent'),
    handlers: [
      {
        type: 'test.organization-news.v1',
        data: z.strictObject({ organization: z.string() }),
        async handle(event: CloudEvent<{ organization: string }>) {
          if (!organizationKnown) throw new UseCaseRefusal('not-found', 'No such organization.');
          applied.push(event);
        },
      },
    ],
  });
  consumers.push(consumer);
  await consumer.start();

  const id = `news-${uniqueSuffix()}`;
  const news = { type: 'test.organization-news.v1', key: 'ORG-1', id, data: { organization: 'ORG-1' } };
  await produce(kafka, topic, [news]);
  await waitUntil('dead-lettered', () => consumer.outcomes['dead-lettered'] === 1);

  const letters = await listDeadLetters(kafka, dlq);
  expect(letters).toEqual([
    expect.objectContaining({
      position: '0:0',
      reason: 'refused (not-found): No such organization.',
      consumer: consumer['opts'].name,
      topic,
      type: 'test.organization-news.v1',
      eventId: id,
      key: 'ORG-1',
    }),
  ]);
  expect(Object.keys(letters[0].headers).filter((k) => k.startsWith('dlq_'))).toEqual([]);

  organizationKnown = true; // the cause is fixed
  await expect(replayDeadLetters(kafka, letters, ['0:7'])).rejects.toThrow('no dead letter at 0:7');
  await replayDeadLetters(kafka, letters, ['0:0']);
  await waitUntil('the replayed message applied', () => consumer.outcomes.applied === 1);
  expect(applied.map((e) => [e.id, e.data])).toEqual([[id, { organization: 'ORG-1' }]]);
  expect(consumer.outcomes['dead-lettered']).toBe(1);
  expect(await listDeadLetters(kafka, dlq)).toHaveLength(1); // the dead letter stays, for the record
});
