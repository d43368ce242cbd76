// Where the worker finds its workflow code: the bundle `npm run build` wrote beside the compiled
// worker (dist/workflow-bundle.js), or, run from source (tsx, the tests), workflows/ bundled at start.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

/** dist/workflow-bundle.js when compiled (this file is dist/workers/workflow-bundle.js). */
export const WORKFLOW_BUNDLE_PATH = join(__dirname, '..', 'workflow-bundle.js');

export function workflowCode(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (__filename.endsWith('.js') && existsSync(WORKFLOW_BUNDLE_PATH)) {
    return { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } };
  }
  return { workflowsPath: require.resolve('../workflows') };
}
