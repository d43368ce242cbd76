import { z } from 'zod';
import { EmailAddress, InvitationToken, NewPassword } from '../values/invitation';

/** Sign in with the password set while accepting an invitation (or by a reset). */
export const SignInV1 = z
  .strictObject({ email: EmailAddress, password: z.string().min(1).max(200) })
  .meta({ id: 'SignInV1' });

/** PP-3: ask for a fresh link by email. The answer is the same whether or not the email is known. */
export const RequestPasswordResetV1 = z.strictObject({ email: EmailAddress }).meta({ id: 'RequestPasswordResetV1' });

export const CompletePasswordResetV1 = z
  .strictObject({ token: InvitationToken, password: NewPassword })
  .meta({ id: 'CompletePasswordResetV1' });
