// JSON logs (pino). Emails, names and tokens are personal data or secrets: redacted wherever they
// appear in a logged object, so a careless log line cannot leak them.
import pino, { type Logger } from 'pino';
import { isSpanContextValid, trace } from '@opentelemetry/api';

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

/** Issue 13: the active span's ids (platform/tracing.ts), so a line is found from its trace and back. */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}

/** A JSON logger to stdout, or to `destination` (a test reading the lines it writes). */
export function createLogger(
  name: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: '[redacted]' }, mixin: traceFields };
  return destination ? pino(options, destination) : pino(options);
}
