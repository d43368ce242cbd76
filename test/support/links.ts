// Reading the links the engine emails, as the invitee would follow them.
import { mailSink } from './services';

export interface EmailedLink {
  path: string;
  id: string;
  token: string;
}

/** The first invitation or password-reset link in an email's text. */
export function linkIn(text: string): EmailedLink {
  const m = text.match(/https?:\/\/[^\s/]+(\/(invitations|password-resets)\/([0-9a-f-]{36})(?:\/link)?\?token=([A-Za-z0-9_-]{43}))/);
  if (!m) throw new Error(`no link in email:\n${text}`);
  return { path: m[1], id: m[3], token: m[4] };
}

/** Every email to an address whose subject matches, oldest first. */
export async function emailsTo(to: string, subject: RegExp) {
  const all = await mailSink.messages();
  return all.filter((m) => m.to.some((t) => t.address.toLowerCase() === to.toLowerCase()) && subject.test(m.subject));
}

/** Waits until there are at least `count` such emails, and returns them. */
export async function waitForEmails(to: string, subject: RegExp, count: number, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await emailsTo(to, subject);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`expected ${count} emails to ${to} matching ${subject}, saw ${found.length}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
