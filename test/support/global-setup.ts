// The suite runs against the real stack, which `npm test` brings up. Running jest alone without it
// would fail with connection errors far from the cause; say so up front instead.
export default async function globalSetup(): Promise<void> {
  if (!process.env.PA_TEST_STACK) {
    throw new Error('Run the suite with `npm test`: it brings up the real stack (Temporal, Kafka, PostgreSQL, SMTP) the tests need.');
  }
}
