// The suite runs against the real stack, which `npm test` brings up. Running jest alone without it
// would fail with connection errors far from the cause; say so up front instead.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FIXTURE_PAYLOAD_CODEC_KEYS } from '../fixtures/payload-codec-keys';
import { ENGINE_WORKFLOWS, WORKFLOW_BUNDLE_ENV } from './workflow-code';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../platform/temporal-worker';

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
  const quiet = () => undefined;
  const logger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error };
  const { code } = await bundleWorkflowCode({
    workflowsPath: ENGINE_WORKFLOWS,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger,
  });
  const path = join(tmpdir(), `partner-access-workflows-${process.pid}.js`);
  await writeFile(path, code);
  process.env[WORKFLOW_BUNDLE_ENV] = path;
}
