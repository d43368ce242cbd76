// The suite runs against the real stack, which `npm test` brings up. Running jest alone without it
// would fail with connection errors far from the cause; say so up front instead.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_PAYLOAD_CODEC_KEYS } from '../fixtures/payload-codec-keys';
import { WORKFLOW_BUNDLE_ENV, WORKFLOW_BUNDLE_OWNED_ENV } from './workflow-code';
import { bundleEngineWorkflows } from '../../workers/bundle-workflows';

export default async function globalSetup(): Promise<void> {
  if (!process.env.PA_TEST_STACK) {
    throw new Error(
      'Run the suite with `npm test`: it brings up the real stack (Temporal, Kafka, PostgreSQL, SMTP) the tests need.',
    );
  }
  // Issue 12: every test process (and the worker and API processes they spawn) encrypts payloads with
  // the fixture key, so the histories the tests capture replay anywhere (test/support/histories.ts).
  process.env.PAYLOAD_CODEC_KEYS ??= FIXTURE_PAYLOAD_CODEC_KEYS;
  // Issue 13: the workflow code bundled once for every worker of this run (test/support/workflow-code.ts).
  // npm test bundles it once for both phases and names it here (scripts/test.sh); jest run by hand bundles.
  const given = process.env[WORKFLOW_BUNDLE_ENV];
  if (given && existsSync(given)) return;
  if (given) throw new Error(`${WORKFLOW_BUNDLE_ENV}=${given}: no such file`);
  const path = join(tmpdir(), `partner-access-workflows-${process.pid}.js`);
  await writeFile(path, await bundleEngineWorkflows());
  process.env[WORKFLOW_BUNDLE_ENV] = path;
  // The teardown removes only a bundle this run wrote.
  process.env[WORKFLOW_BUNDLE_OWNED_ENV] = path;
}
