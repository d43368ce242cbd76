// Clients for the real services the integration tests talk to.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { loadConfig } from '../../platform/config';
import { readLocalEnv, repoRoot } from './local-env';

export const config = loadConfig(process.env);
// npm test exports the tests' own sink (mail-test); stack/local.env's is the demo's, for a run without it.
const mailUiPort = process.env.MAIL_UI_PORT ?? readLocalEnv().MAIL_UI_PORT;

/** The SMTP sink's REST API (maildev 3: messages at /api/email). */
export const mailSink = {
  base: `http://127.0.0.1:${mailUiPort}`,
  async messages(): Promise<
    Array<{
      id: string;
      subject: string;
      to: Array<{ address: string }>;
      text: string;
      headers: Record<string, string>;
    }>
  > {
    const res = await fetch(`${this.base}/api/email`);
    if (!res.ok) throw new Error(`mail sink answered ${res.status}`);
    return res.json() as never;
  },
  /** Waits for a message to the given address whose subject matches. */
  async waitFor(to: string, subject: RegExp, timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.messages()).find(
        (m) => m.to.some((t) => t.address.toLowerCase() === to.toLowerCase()) && subject.test(m.subject),
      );
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no email to ${to} matching ${subject} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  },
};

const run = promisify(execFile);

type StackServiceName = 'kafka' | 'postgres' | 'temporal' | 'mail' | 'mail-test';
/** Stops or starts one service of the local stack (used to prove readiness and recovery). */
export async function stackService(action: 'start' | 'stop', service: StackServiceName) {
  await run('bash', [join(repoRoot, 'stack', 'stack.sh'), action, service], { timeout: 120000 });
}

/**
 * The mail sink the tests send to: `mail-test` under npm test (scripts/test.sh points SMTP_PORT at it),
 * the demo's `mail` when a test is run by hand against the default addresses.
 */
export const testMailService: StackServiceName =
  String(config.SMTP_PORT) === readLocalEnv().TEST_SMTP_PORT ? 'mail-test' : 'mail';

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
