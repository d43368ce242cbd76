// npm run build: the workflow code bundled once, as the worker loads it (workflowBundle). Bundling at
// every start took 3 to 4 s of webpack on this 2-core machine, and a worker should start the code that
// was built and reviewed, not whatever workflows/ holds when it starts.
import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH } from './workflow-bundle';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../platform/temporal-worker';

async function main(): Promise<void> {
  const started = Date.now();
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    // Issue 13: the tracing interceptors run inside the workflow code, so they are bundled with it.
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { info() {}, warn: console.warn, error: console.error, debug() {}, trace() {}, log() {} },
  });
  await writeFile(WORKFLOW_BUNDLE_PATH, code);
  const kib = Math.round(code.length / 1024);
  console.log(`workflow bundle: ${WORKFLOW_BUNDLE_PATH} (${kib} KiB, ${Date.now() - started} ms)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
