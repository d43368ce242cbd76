// Issue 13, traces: the variables platform/tracing.ts reads, apart from it, so that reading the
// configuration (every script does) does not load the OpenTelemetry SDK (about 0.2 s).
import { z } from 'zod';

export const TracingEnv = z.object({
  /** Zipkin's v2 span endpoint (http://127.0.0.1:9411/api/v2/spans locally); unset: no spans are exported. */
  OTEL_EXPORTER_ZIPKIN_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** The share of new traces recorded (0 to 1); a trace a caller started follows the caller's choice. */
  TRACES_SAMPLE_RATIO: z.coerce.number().min(0).max(1).default(1),
});
export type TracingSettings = z.infer<typeof TracingEnv>;
