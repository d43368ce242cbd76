// The engine's workflow code for the tests' workers: bundled once per `npm test` (scripts/test.sh), or
// once per jest run by the global setup (test/support/global-setup.ts), as the compiled worker loads
// dist/workflow-bundle.js. Bundling at each worker's start ran webpack 40-odd times a suite, 3 to 4 s
// each on the 2-core machine.
import type { WorkerOptions } from '@temporalio/worker';

/** The run's bundle: given by npm test (scripts/test.sh) for both phases, or written by the global setup. */
export const WORKFLOW_BUNDLE_ENV = 'PA_TEST_WORKFLOW_BUNDLE';
/** Set by the global setup when it wrote the bundle itself, for the teardown to remove. */
export const WORKFLOW_BUNDLE_OWNED_ENV = 'PA_TEST_WORKFLOW_BUNDLE_OWNED';

export const ENGINE_WORKFLOWS = require.resolve('../../workflows');

/** The run's bundle for the engine's workflows; any other path (a test's own fixtures) is bundled. */
export function testWorkflowCode(
  workflowsPath = ENGINE_WORKFLOWS,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const bundle = process.env[WORKFLOW_BUNDLE_ENV];
  if (workflowsPath === ENGINE_WORKFLOWS && bundle) return { workflowBundle: { codePath: bundle } };
  return { workflowsPath };
}
