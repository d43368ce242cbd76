import { z } from 'zod';
import { EmailAddress, InvitationKind, InvitationToken, NewPassword } from '../values/invitation';

/**
 * The invitee accepts with the link's token. Someone without an account chooses a password here
 * (PP-3); someone with an account signs in first and sends no password.
 */
export const AcceptInvitationV1 = z
  .strictObject({ token: InvitationToken, password: NewPassword.optional() })
  .meta({ id: 'AcceptInvitationV1' });
export type AcceptInvitationV1 = z.infer<typeof AcceptInvitationV1>;

export const RejectInvitationV1 = z.strictObject({ token: InvitationToken }).meta({ id: 'RejectInvitationV1' });

/** BP-4: revoke every open invitation to this email that the caller manages (optionally of one kind). */
export const RevokeInvitationsByEmailV1 = z
  .strictObject({ email: EmailAddress, kind: InvitationKind.optional() })
  .meta({ id: 'RevokeInvitationsByEmailV1' });
