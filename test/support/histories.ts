// Histories of completed runs (and, issue 13, of long-lived runs still running), committed under
// test/fixtures/histories and replayed by test/workflows/replay.test.ts: a change that would break
// running workflows fails CI.
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
import { waitUntil } from './kafka';

export const historiesDir = join(__dirname, '..', 'fixtures', 'histories');

/** The key the committed histories are encrypted with (any of them decrypts). */
export const fixturePayloadKeys = parsePayloadKeys(FIXTURE_PAYLOAD_CODEC_KEYS);

/** The stack's own Temporal CLI (stack/stack.sh builds and caches it): the real client of the server. */
export function temporalCliPath(): string {
  return execFileSync('bash', [join(repoRoot, 'stack', 'stack.sh'), 'temporal-cli-path'], {
    encoding: 'utf8',
  }).trim();
}

/** Writes a missing history of a completed run (an existing one is the contract: delete it to replace it). */
export async function saveHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (!wantsHistory(name)) return;
  await handle.result().catch(() => undefined);
  writeHistory(name, handle.workflowId);
}

/**
 * Issue 13: writes a missing history of a run that is still RUNNING, taken once it is settled: no
 * activity and no workflow task in flight (it waits on its timers and messages), so the history ends
 * where a worker picking the run up would start. Relationships in ACCESS_ON and pending invitations live for months,
 * so the code deployed next must pick them up mid-run: replay checks that too.
 */
export async function saveRunningHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (!wantsHistory(name)) return;
  await waitUntil(`${handle.workflowId} is settled`, async () => {
    const { raw } = await handle.describe();
    return (raw.pendingActivities ?? []).length === 0 && !raw.pendingWorkflowTask;
  });
  const status = (await handle.describe()).status.name;
  if (status !== 'RUNNING') throw new Error(`saving running history ${name}: the run is ${status}`);
  writeHistory(name, handle.workflowId);
}

function wantsHistory(name: string): boolean {
  if (!process.env.SAVE_HISTORIES || existsSync(join(historiesDir, `${name}.json`))) return false;
  // A history encrypted with another key could not be replayed anywhere else.
  const current = config.PAYLOAD_CODEC_KEYS[0];
  if (!fixturePayloadKeys.some((k) => k.id === current.id && k.key.equals(current.key))) {
    const why = `the tests encrypt with key "${current.id}", not the fixture key; unset PAYLOAD_CODEC_KEYS`;
    throw new Error(`saving history ${name}: ${why}`);
  }
  return true;
}

/**
 * The CLI's arguments for a history's canonical JSON as the server keeps it: no codec endpoint, so the
 * payloads stay encrypted (what replay reads, and what anyone who can reach the cluster sees).
 */
export function rawHistoryArgs(workflowId: string): string[] {
  return [
    'workflow',
    'show',
    '--workflow-id',
    workflowId,
    '--output',
    'json',
    '--address',
    config.TEMPORAL_ADDRESS,
    '--namespace',
    config.TEMPORAL_NAMESPACE,
  ];
}

function writeHistory(name: string, workflowId: string): void {
  mkdirSync(historiesDir, { recursive: true });
  // The canonical JSON that replay reads, raw: no codec endpoint, so the payloads stay encrypted.
  const json = execFileSync(temporalCliPath(), rawHistoryArgs(workflowId));
  writeFileSync(join(historiesDir, `${name}.json`), json);
}

export type PayloadJson = { metadata?: Record<string, string>; data?: string };

/**
 * Every payload of a history as its JSON holds it ({metadata: {encoding: base64}, data: base64}) but
 * search attributes, which the server indexes and so are never encoded (ids and states only).
 */
export function payloadsIn(node: unknown, found: PayloadJson[] = []): PayloadJson[] {
  if (Array.isArray(node)) node.forEach((n) => payloadsIn(n, found));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && 'encoding' in o.metadata) found.push(o as PayloadJson);
    else for (const [k, v] of Object.entries(o)) if (k !== 'searchAttributes') payloadsIn(v, found);
  }
  return found;
}
