import nodemailer, { type Transporter } from 'nodemailer';
import { emailFailures, emailsSent } from './metrics';

export interface OutgoingEmail {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  /** Lets a retried send be recognised by the receiving side (RFC 5322 Message-ID). */
  messageId?: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  verify(): Promise<void>;
  close(): void;
}

/** Real SMTP (maildev locally). */
export function createMailer(opts: { host: string; port: number; from: string }): Mailer {
  const transport: Transporter = nodemailer.createTransport({
    host: opts.host,
    port: opts.port,
    secure: false,
    // The local sink speaks plain SMTP; a production relay would be configured with TLS here.
    ignoreTLS: opts.host === '127.0.0.1' || opts.host === 'localhost',
  });
  return {
    async send(email) {
      try {
        const info = await transport.sendMail({ from: opts.from, ...email });
        emailsSent.inc();
        return { messageId: info.messageId };
      } catch (err) {
        // A 5xx reply is a refusal no retry changes; anything else (4xx, connection) may pass later.
        const code = (err as { responseCode?: unknown }).responseCode;
        emailFailures.inc({ kind: typeof code === 'number' && code >= 500 ? 'permanent' : 'transient' });
        throw err;
      }
    },
    async verify() {
      await transport.verify();
    },
    close() {
      transport.close();
    },
  };
}
