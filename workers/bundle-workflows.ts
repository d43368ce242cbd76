// npm run build: the workflow code bundled once, as the worker loads it (workflowBundle). Bundling at
// every start took 3 to 4 s of webpack on this 2-core machine, and a worker should start the code that
// was built and reviewed, not whatever workflows/ holds when it starts.
// npm test bundles with it too, from source, once for both of its phases (scripts/test.sh): run with a
// path, it writes the bundle there instead of dist/workflow-bundle.js.
import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH } from './workflow-bundle';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../platform/temporal-worker';

/** The engine's workflows (workflows/index) bundled as a worker loads them; returns the code. */
export async function bundleEngineWorkflows(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    // Issue 13: the tracing interceptors run inside the workflow code, so they are bundled with it.
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { info() {}, warn: console.warn, error: console.error, debug() {}, trace() {}, log() {} },
  });
  return code;
}

async function main(path = WORKFLOW_BUNDLE_PATH): Promise<void> {
  const started = Date.now();
  const code = await bundleEngineWorkflows();
  await writeFile(path, code);
  const kib = Math.round(code.length / 1024);
  console.log(`workflow bundle: ${path} (${kib} KiB, ${Date.now() - started} ms)`);
}

// Imported (the tests' global setup), it only lends bundleEngineWorkflows.
if (require.main === module) {
  main(process.argv[2]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
