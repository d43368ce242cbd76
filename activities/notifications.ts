// Email activities. Idempotent on retry where the receiving side honours Message-ID; each
// workflow passes a Message-ID derived from its own id, so a retried send is recognisable.
import { permanent } from './permanent';
import type { Mailer, OutgoingEmail } from '../platform/mail';
import { composeFromText } from '../platform/email-layout';
import { PermanentFailure } from './failure-types';

/** The failure type of an email that no retry can deliver. */
export const PERMANENT_EMAIL_FAILURE = PermanentFailure.emailRefused;

/**
 * Whether SMTP refused an email for good: a 5xx reply, or a recipient (or envelope) refused without
 * a temporary 4xx code. Anything else (connection refused, timeouts, 4xx) may pass on a retry.
 */
export function isPermanentSmtpFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { responseCode, code } = err as { responseCode?: unknown; code?: unknown };
  if (typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600) return true;
  return code === 'EENVELOPE' && !(typeof responseCode === 'number' && responseCode >= 400 && responseCode < 500);
}

export function notificationActivities(mailer: Mailer) {
  return {
    async sendEmail(email: OutgoingEmail): Promise<{ messageId: string }> {
      try {
        // Workflows write plain text (their inputs are history, so they stay as they are); the email
        // gets the one layout here, and one that brings its own HTML keeps it.
        return await mailer.send(email.html ? email : { ...email, ...composeFromText(email.text, email.subject) });
      } catch (err) {
        // Retrying a refusal only delays the workflow's log line by the whole schedule-to-close limit.
        if (isPermanentSmtpFailure(err)) {
          const reason = (err as Error).message;
          throw permanent(PERMANENT_EMAIL_FAILURE, `SMTP refused the email: ${reason}`);
        }
        throw err;
      }
    },
  };
}
