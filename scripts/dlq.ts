// The dead-letter topic for operators (issue 12):
//   npm run dlq -- list                      what is there, with why, from which consumer and topic
//   npm run dlq -- replay 0:12 0:15          sends those back to their own topics
//   npm run dlq -- replay --all
// Replay once the cause is fixed; a message that is still poison comes back to the dead-letter topic.
import { loadConfig } from '../platform/config';
import { createKafka } from '../platform/kafka';
import { topicsFor } from '../domain/topics';
import { listDeadLetters, replayDeadLetters } from '../events/dead-letters';

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'list' && command !== 'replay') {
    throw new Error('usage: npm run dlq -- list | replay <partition:offset>... | replay --all');
  }
  const config = loadConfig();
  const kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-dlq`);
  const letters = await listDeadLetters(kafka, topicsFor(config.KAFKA_TOPIC_PREFIX).deadLetter);
  if (command === 'list') {
    // The data is not printed: it may hold personal data. The position, type, id and reason say what it is.
    for (const l of letters) {
      const columns = [l.position, l.deadLetteredAt, l.topic, l.type ?? '-', l.eventId ?? '-', l.reason];
      process.stdout.write(`${columns.join('\t')}\n`);
    }
    process.stdout.write(`${letters.length} dead letter(s)\n`);
    return;
  }
  const positions = args.includes('--all') ? letters.map((l) => l.position) : args;
  if (positions.length === 0) throw new Error('replay what? give positions (partition:offset) from `list`, or --all');
  const sent = await replayDeadLetters(kafka, letters, positions);
  for (const l of sent) process.stdout.write(`replayed ${l.position} to ${l.topic}\n`);
}

main().catch((err) => {
  process.stderr.write(`dlq: ${(err as Error).message}\n`);
  process.exit(1);
});
