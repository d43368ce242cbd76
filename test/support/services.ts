// Clients for the real services the integration tests talk to.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { loadConfig } from '../../platform/config';
import { readLocalEnv, repoRoot } from './local-env';

export const config = loadConfig(process.env);
// npm test exports the tests' own sink (mail-test); stack/local.env's is the demo's, for a run without it.
const mailUiPort = process.env.MAIL_UI_PORT ?? readLocalEnv().MAIL_UI_PORT;

type SinkMessage = {
  id: string;
  subject: string;
  to: Array<{ address: string }>;
  text: string;
  headers: Record<string, string>;
};

const sentTo = (m: { to: Array<{ address: string }> }, to: string) =>
  m.to.some((t) => t.address.toLowerCase() === to.toLowerCase());

/** The SMTP sink's REST API (maildev 3: messages at /api/email). */
export const mailSink = {
  base: `http://127.0.0.1:${mailUiPort}`,
  async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.base}${path}`);
    if (!res.ok) throw new Error(`mail sink answered ${res.status} to ${path}`);
    return res.json() as Promise<T>;
  },
  /** Every message in the sink (megabytes once a run has sent thousands: prefer messagesTo). */
  messages(): Promise<SinkMessage[]> {
    return this.get('/api/email');
  },
  /**
   * The messages to one address, oldest first. The sink's search (case-insensitive, over addresses,
   * subjects and text) narrows them on its side; only those are fetched whole. Listing every message
   * on each poll took seconds once a run had sent a few thousand, and slowed the sink's SMTP side.
   */
  async messagesTo(to: string): Promise<SinkMessage[]> {
    const ids: string[] = [];
    for (let skip = 0; ;) {
      const page = await this.get<{ items: Array<{ id: string; to: Array<{ address: string }> }>; total: number }>(
        `/api/email/summary?search=${encodeURIComponent(to)}&sort=asc&limit=200&skip=${skip}`,
      );
      ids.push(...page.items.filter((m) => sentTo(m, to)).map((m) => m.id));
      skip += page.items.length;
      if (page.items.length === 0 || skip >= page.total) break;
    }
    return Promise.all(ids.map((id) => this.get<SinkMessage>(`/api/email/${id}`)));
  },
  /** Waits for a message to the given address whose subject matches. */
  async waitFor(to: string, subject: RegExp, timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.messagesTo(to)).find((m) => subject.test(m.subject));
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
