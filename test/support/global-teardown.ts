// Removes what the global setup left for the run (the workflow bundle).
import { rm } from 'node:fs/promises';
import { WORKFLOW_BUNDLE_ENV } from './workflow-code';

export default async function globalTeardown(): Promise<void> {
  const bundle = process.env[WORKFLOW_BUNDLE_ENV];
  if (bundle) await rm(bundle, { force: true });
}
