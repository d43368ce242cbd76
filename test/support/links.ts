// Reading the links the engine emails, as the invitee would follow them.
import { mailSink } from './services';

export interface EmailedLink {
  /** The API path the link's page calls (what the tests call), whatever page the email links to. */
  path: string;
  kind: 'invitation' | 'password-reset';
  id: string;
  token: string;
}

// The emails link to browser pages (/invite/<id>, /reset-password/<id>); older emails linked to the API.
const LINK = new RegExp(
  String.raw`https?://[^\s/]+/(invite|invitations|reset-password|password-resets)/([0-9a-f-]{36})(?:/link)?` +
    String.raw`\?token=([A-Za-z0-9_-]{43})`,
);
const INVITATION_PAGES = ['invite', 'invitations'];

/** The first invitation or password-reset link in an email's text. */
export function linkIn(text: string): EmailedLink {
  const m = text.match(LINK);
  if (!m) throw new Error(`no link in email:\n${text}`);
  const [, page, id, token] = m;
  return INVITATION_PAGES.includes(page)
    ? { kind: 'invitation', path: `/invitations/${id}/link?token=${token}`, id, token }
    : { kind: 'password-reset', path: `/password-resets/${id}?token=${token}`, id, token };
}

/** Every email to an address whose subject matches, oldest first. */
export async function emailsTo(to: string, subject: RegExp) {
  return (await mailSink.messagesTo(to)).filter((m) => subject.test(m.subject));
}

/** Waits until there are at least `count` such emails, and returns them. */
export async function waitForEmails(to: string, subject: RegExp, count: number, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await emailsTo(to, subject);
    if (found.length >= count) return found;
    if (Date.now() > deadline)
      throw new Error(`expected ${count} emails to ${to} matching ${subject}, saw ${found.length}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
