// JSON logs (pino). Emails, names and tokens are personal data or secrets: redacted wherever they
// appear in a logged object, so a careless log line cannot leak them.
import pino, { type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'email',
  '*.email',
  '*.*.email',
  'displayName',
  '*.displayName',
  'token',
  '*.token',
  'password',
  '*.password',
  'req.headers.authorization',
  'headers.authorization',
];

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}
