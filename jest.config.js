/**
 * Unit, workflow and integration tests on one shared real stack. scripts/test.sh runs them in two phases
 * (PA_TEST_PHASE): 'parallel', every file that can share the stack with others, in several workers (most
 * files wait on Temporal, Kafka and PostgreSQL more than they compute); then 'serial', the files below,
 * one at a time. Without PA_TEST_PHASE, every file runs (what `jest --runInBand` by hand does).
 */
const RUN_ALONE = {
  // They stop a shared service: every other file's requests would fail meanwhile.
  'integration/outbox-relay.test.ts': 'stops the broker; its relays publish every unpublished row',
  'integration/stack.test.ts': 'stops the broker',
  'integration/inbound-outage.test.ts': 'stops PostgreSQL',
  'integration/tpu-revocation.test.ts': "stops the tests' mail sink",
  // They need the relay's advisory lock (one per database) to themselves, or kill processes.
  'integration/scale-out.test.ts': 'kills worker and API processes; times the relay and consumer failover',
  // (offboarding-crash's worker process, in the parallel phase, runs a relay of its own.)
  'integration/metrics.test.ts': "its relay must be the one publishing, and the outbox's age must fall to 0",
  'integration/tracing.test.ts': 'its relay must be the one publishing: its producer spans are part of the trace',
  // (abuse-limits and registration count production's per-IP limits from client addresses of their own,
  // 127.0.0.2 and 127.0.0.3, so they run in parallel: test/support/client-address.ts.)
};

const phase = process.env.PA_TEST_PHASE;
if (phase && !['parallel', 'serial'].includes(phase)) throw new Error(`PA_TEST_PHASE: ${phase}?`);
const alone = Object.keys(RUN_ALONE).map((file) => `<rootDir>/test/${file}`);

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: phase === 'serial' ? alone : ['**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(phase === 'parallel' ? alone.map((file) => `${file.replace(/\./g, '\\.')}$`) : []),
  ],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
    // jose is published as ES modules only; jest runs CommonJS, so it is compiled too.
    '^.+/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
