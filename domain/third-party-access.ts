// Identifiers for third-party relationships. The workflow id must be deterministic (so a second
// request joins the first) yet hold no personal data: the email enters only through a keyed HMAC,
// which cannot be reversed or dictionary-tested without the server's key.
import { createHmac } from 'node:crypto';

/** TPU-1: a third party's account must not use one of the organization's own email domains. */
export function isOnOrganizationDomain(email: string, domains: ReadonlyArray<{ domain: string }>): boolean {
  const domain = (email.split('@')[1] ?? '').toLowerCase();
  return domains.some((d) => d.domain.toLowerCase() === domain);
}

export function relationshipIdFor(key: string, email: string): string {
  return createHmac('sha256', key).update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
}
