// Identifiers for third-party relationships. The workflow id must be deterministic (so a second
// request joins the first) yet hold no personal data: the email enters only through a keyed HMAC,
// which cannot be reversed or dictionary-tested without the server's key.
import { createHmac } from 'node:crypto';

export function relationshipIdFor(key: string, email: string): string {
  return createHmac('sha256', key).update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
}
