// The suite runs against the real stack, which `npm test` brings up. Running jest alone without it
// would fail with connection errors far from the cause; say so up front instead.
import { FIXTURE_PAYLOAD_CODEC_KEYS } from '../fixtures/payload-codec-keys';

export default async function globalSetup(): Promise<void> {
  if (!process.env.PA_TEST_STACK) {
    throw new Error('Run the suite with `npm test`: it brings up the real stack (Temporal, Kafka, PostgreSQL, SMTP) the tests need.');
  }
  // Issue 12: every test process (and the worker and API processes they spawn) encrypts payloads with
  // the fixture key, so the histories the tests capture replay anywhere (test/support/histories.ts).
  process.env.PAYLOAD_CODEC_KEYS ??= FIXTURE_PAYLOAD_CODEC_KEYS;
}
