import { z } from 'zod';

/** The kinds of invitation one workflow serves; each has its own target and expiry. */
export const InvitationKind = z
  .enum([
    'BUSINESS_PARTNER',
    'PORTAL_USER',
    'PRACTICE_STAFF',
    'ORGANIZATION_ACCESS',
    'CUSTOMER_USER',
    'ACCOUNT_GUEST',
  ])
  .meta({ id: 'InvitationKind' });
export type InvitationKind = z.infer<typeof InvitationKind>;

/** pending → accepted | rejected | expired | revoked; an expired invitation can be renewed to pending. */
export const InvitationState = z
  .enum(['PENDING', 'ACCEPTED', 'REJECTED', 'EXPIRED', 'REVOKED'])
  .meta({ id: 'InvitationState' });
export type InvitationState = z.infer<typeof InvitationState>;

/** States nothing leaves. EXPIRED is not one of them while the renewal window is open. */
export const CLOSED_STATES: readonly InvitationState[] = ['ACCEPTED', 'REJECTED', 'REVOKED'];

export const InvitationId = z.uuid().meta({ id: 'InvitationId', description: 'An invitation id (UUID)' });

/** An invitation link's secret: 256 random bits, base64url (43 characters). */
export const InvitationToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not an invitation token');

/** An email as people type it: surrounding spaces and case do not make it another address. */
export const EmailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email().max(254))
  // The document shows the pipe's input, a bare string, so "" was valid there. `format` alone is only an
  // annotation in JSON Schema 2020-12: a linear pattern (something@domain.tld, no spaces) says it to any
  // tool, looser than zod's email check but refusing what that always refuses.
  .meta({
    id: 'EmailAddress',
    format: 'email',
    maxLength: 254,
    pattern: '^[^@\\x00-\\x20]+@[^@.\\x00-\\x20]+(\\.[^@.\\x00-\\x20]+)+$',
  });

/** A password someone chooses: long rather than clever (NIST SP 800-63B). */
export const NewPassword = z.string().min(12, 'must be at least 12 characters').max(200);
