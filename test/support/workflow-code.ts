// The engine's workflow code for the tests' workers: bundled once per jest run by the global setup
// (test/support/global-setup.ts), as the compiled worker loads dist/workflow-bundle.js. Bundling at
// each worker's start ran webpack 40-odd times a suite, 3 to 4 s each on the 2-core machine.
import type { WorkerOptions } from '@temporalio/worker';

/** Set by the global setup to the bundle it wrote. */
export const WORKFLOW_BUNDLE_ENV = 'PA_TEST_WORKFLOW_BUNDLE';

export const ENGINE_WORKFLOWS = require.resolve('../../workflows');

/** The run's bundle for the engine's workflows; any other path (a test's own fixtures) is bundled. */
export function testWorkflowCode(
  workflowsPath = ENGINE_WORKFLOWS,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const bundle = process.env[WORKFLOW_BUNDLE_ENV];
  if (workflowsPath === ENGINE_WORKFLOWS && bundle) return { workflowBundle: { codePath: bundle } };
  return { workflowsPath };
}
