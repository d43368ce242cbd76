import { z } from 'zod';
import { UserId } from '../values/identifiers';
import { InvitationId, InvitationKind, InvitationState } from '../values/invitation';

/** One invitation as its manager sees it (BP-4: when the original went out, each resend). */
export const InvitationV1 = z
  .object({
    invitationId: InvitationId,
    kind: InvitationKind,
    state: InvitationState,
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    scopeId: z.uuid(),
    reason: z.string(),
    expiresAt: z.iso.datetime().nullable(),
    firstSentAt: z.iso.datetime().nullable(),
    lastSentAt: z.iso.datetime().nullable(),
    sendCount: z.number().int(),
    sends: z.array(
      z.object({
        number: z.number().int(),
        kind: z.enum(['INITIAL', 'RESEND', 'RENEWAL', 'REMINDER']),
        sentAt: z.iso.datetime(),
      }),
    ),
    acceptedUserId: UserId.nullable(),
  })
  .meta({ id: 'InvitationV1' });
export type InvitationV1 = z.infer<typeof InvitationV1>;

/** What the invitee sees when they open the link: no more than they need to decide. */
export const InvitationLinkV1 = z
  .object({
    invitationId: InvitationId,
    kind: InvitationKind,
    state: InvitationState,
    firstName: z.string(),
    invitedTo: z.string(),
    expiresAt: z.iso.datetime().nullable(),
    /** What accepting needs: a new password (no account yet) or signing in as the existing account. */
    accepting: z.enum(['choose-password', 'sign-in-first']),
  })
  .meta({ id: 'InvitationLinkV1' });
