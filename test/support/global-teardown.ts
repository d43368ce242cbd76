// Removes what the global setup left for the run (the workflow bundle it wrote; not one npm test gave it).
import { rm } from 'node:fs/promises';
import { WORKFLOW_BUNDLE_OWNED_ENV } from './workflow-code';

export default async function globalTeardown(): Promise<void> {
  const bundle = process.env[WORKFLOW_BUNDLE_OWNED_ENV];
  if (bundle) await rm(bundle, { force: true });
}
