// Email activities. Idempotent on retry where the receiving side honours Message-ID; each
// workflow passes a Message-ID derived from its own id, so a retried send is recognisable.
import type { Mailer, OutgoingEmail } from '../platform/mail';

export function notificationActivities(mailer: Mailer) {
  return {
    async sendEmail(email: OutgoingEmail): Promise<{ messageId: string }> {
      return mailer.send(email);
    },
  };
}
