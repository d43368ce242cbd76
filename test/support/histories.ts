// Histories of completed runs, committed under test/fixtures/histories and replayed by
// test/workflows/replay.test.ts: a change that would break running workflows fails CI.
// `SAVE_HISTORIES=1 npm test` writes the ones that are missing. Replace one (delete it first) only
// when a change is meant to be incompatible, together with a versioning plan for the runs in flight.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { config } from './services';

export const historiesDir = join(__dirname, '..', 'fixtures', 'histories');

// The stack's own Temporal CLI (see stack/stack.sh) writes the canonical JSON that replay reads.
const cacheDir = process.env.PA_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'partner-access');
const temporalCli = join(cacheDir, 'temporal-cli-v1.5.1', 'temporal');

/** Writes a missing history (an existing one is the contract: delete it to replace it on purpose). */
export async function saveHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (!process.env.SAVE_HISTORIES || existsSync(join(historiesDir, `${name}.json`))) return;
  await handle.result().catch(() => undefined);
  mkdirSync(historiesDir, { recursive: true });
  const json = execFileSync(temporalCli, ['workflow', 'show', '--workflow-id', handle.workflowId, '--output', 'json', '--address', config.TEMPORAL_ADDRESS, '--namespace', config.TEMPORAL_NAMESPACE]);
  writeFileSync(join(historiesDir, `${name}.json`), json);
}
