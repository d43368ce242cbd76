// Histories of completed runs, committed under test/fixtures/histories and replayed by
// test/workflows/replay.test.ts: a change that would break running workflows fails CI.
// `SAVE_HISTORIES=1 npm test` writes the ones that are missing. Replace one (delete it first) only
// when a change is meant to be incompatible, together with a versioning plan for the runs in flight.
// Issue 12: a history is saved as the server keeps it, its payloads encrypted with the tests' fixture
// key (test/fixtures/payload-codec-keys.ts), which the replay decrypts with. Histories from before
// encryption hold plain payloads, which the codec passes through.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { parsePayloadKeys } from '../../platform/payload-codec';
import { FIXTURE_PAYLOAD_CODEC_KEYS } from '../fixtures/payload-codec-keys';
import { repoRoot } from './local-env';
import { config } from './services';

export const historiesDir = join(__dirname, '..', 'fixtures', 'histories');

/** The key the committed histories are encrypted with (any of them decrypts). */
export const fixturePayloadKeys = parsePayloadKeys(FIXTURE_PAYLOAD_CODEC_KEYS);

/** The stack's own Temporal CLI (stack/stack.sh builds and caches it): the real client of the server. */
export function temporalCliPath(): string {
  return execFileSync('bash', [join(repoRoot, 'stack', 'stack.sh'), 'temporal-cli-path'], { encoding: 'utf8' }).trim();
}

/** Writes a missing history (an existing one is the contract: delete it to replace it on purpose). */
export async function saveHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (!process.env.SAVE_HISTORIES || existsSync(join(historiesDir, `${name}.json`))) return;
  // A history encrypted with another key could not be replayed anywhere else.
  const current = config.PAYLOAD_CODEC_KEYS[0];
  if (!fixturePayloadKeys.some((k) => k.id === current.id && k.key.equals(current.key))) {
    throw new Error(`saving history ${name}: the tests encrypt with key "${current.id}", not the fixture key; unset PAYLOAD_CODEC_KEYS`);
  }
  await handle.result().catch(() => undefined);
  mkdirSync(historiesDir, { recursive: true });
  // The canonical JSON that replay reads, raw: no codec endpoint, so the payloads stay encrypted.
  const json = execFileSync(temporalCliPath(), ['workflow', 'show', '--workflow-id', handle.workflowId, '--output', 'json', '--address', config.TEMPORAL_ADDRESS, '--namespace', config.TEMPORAL_NAMESPACE]);
  writeFileSync(join(historiesDir, `${name}.json`), json);
}
