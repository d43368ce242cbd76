// Determinism and evolution: every committed history of a completed run (issue 13: and of a run still
// running, which a new worker resumes mid-way) must replay on today's workflow code without a
// nondeterminism error. Issue 12: histories captured since payloads are
// encrypted are decrypted with the fixture key; older, plain ones pass through the same codec.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { fixturePayloadKeys, historiesDir, payloadsIn, type PayloadJson } from '../support/histories';
import { ENCRYPTED_ENCODING, temporalDataConverter } from '../../platform/payload-codec';
import { testWorkflowCode } from '../support/workflow-code';
import { tracingWorkerOptions } from '../../platform/temporal-worker';

const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));

/** The names of the Updates a history accepted, in order. */
type Accepted = { acceptedRequest: { input: { name: string } } };
type HistoryJson = {
  events: Array<{ eventType: string; workflowExecutionUpdateAcceptedEventAttributes?: Accepted }>;
};
const encodingOf = (p: PayloadJson) => Buffer.from(p.metadata?.encoding ?? '', 'base64').toString();

const updatesIn = (history: HistoryJson | undefined) =>
  (history?.events ?? []).flatMap((e) => {
    const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
    return accepted ? [accepted.acceptedRequest.input.name] : [];
  });

/** Issue 13: histories of long-lived runs saved while RUNNING (test/integration/running-histories.test.ts). */
const RUNNING = ['third-party-access-access-on-running', 'invitation-pending-resent-running'];
const CLOSED = /^EVENT_TYPE_WORKFLOW_EXECUTION_(COMPLETED|FAILED|CANCELED|TERMINATED|TIMED_OUT|CONTINUED_AS_NEW)$/;

it(
  'TPU BP PP PS-2 PS-5 PA-4 AM-2 AM-6 issue 13 evolution: committed histories of completed ' +
    'and of running runs replay on the current code',
  async () => {
    expect(files.filter((f) => f.startsWith('third-party-access'))).not.toHaveLength(0);
    expect(files.filter((f) => f.startsWith('invitation-'))).not.toHaveLength(0);
    expect(files.filter((f) => f.startsWith('access-model-change-'))).not.toHaveLength(0);
    expect(files.filter((f) => f.startsWith('duplicate-email-fix-'))).not.toHaveLength(0);
    // Issue 12: a ticket that ended FAILED on a missing row (patch issue-12-park-on-permanent-failure).
    expect(files).toContain('duplicate-email-fix-failed.json');
    // Issue 13: runs that live for months, taken while still running; a worker deployed today resumes them.
    for (const name of RUNNING) expect(files).toContain(`${name}.json`);
    const histories = files.map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: JSON.parse(readFileSync(join(historiesDir, f), 'utf8')),
    }));
    // AM-2: a client relationship extended by hand is among them (refused extensions never reach a history).
    expect(updatesIn(histories.find((h) => h.workflowId === 'client-relationship-extended')?.history)).toEqual([
      'open',
      'approve',
      'extend',
      'terminate',
    ]);
    // The relationship was turned on and the invitation resent; neither run has closed.
    const running = (name: string) => histories.find((h) => h.workflowId === name)?.history as HistoryJson;
    expect(updatesIn(running('third-party-access-access-on-running'))).toEqual(['join', 'review', 'setAccess']);
    expect(updatesIn(running('invitation-pending-resent-running'))).toEqual(['open', 'resend']);
    for (const name of RUNNING) expect(running(name).events.some((e) => CLOSED.test(e.eventType))).toBe(false);
    const results: Array<{ workflowId: string; error?: unknown }> = [];
    const dataConverter = temporalDataConverter({ PAYLOAD_CODEC_KEYS: fixturePayloadKeys });
    // Issue 13: the bundle's tracing interceptors name their sink (not called while replaying).
    const options = { ...testWorkflowCode(), dataConverter, sinks: tracingWorkerOptions(undefined, {}).sinks };
    for await (const r of Worker.runReplayHistories(options, histories)) results.push(r);
    expect(results.map((r) => [r.workflowId, r.error ? String(r.error) : 'ok'])).toEqual(
      histories.map((h) => [h.workflowId, 'ok']),
    );
  },
);

it('issue 12 encrypted payloads: a history captured since is ciphertext only, and the fixture key decrypts it', () => {
  const encrypted = files.filter((f) => {
    const payloads = payloadsIn(JSON.parse(readFileSync(join(historiesDir, f), 'utf8')));
    return payloads.length > 0 && payloads.every((p) => encodingOf(p) === ENCRYPTED_ENCODING);
  });
  // The replay above decrypts these (a wrong key fails it); this says there is at least one to decrypt.
  expect(encrypted).toContain('invitation-encrypted.json');
});
