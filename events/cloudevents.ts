// CloudEvents 1.0, Kafka protocol binding, binary content mode: attributes travel as `ce_*` headers
// and the record value is the event data as JSON. Consumers that do not know CloudEvents still read
// plain JSON; routing needs only the headers. The Kafka key is the aggregate id (`partitionkey`).
import { z } from 'zod';
import type { IHeaders, Message } from 'kafkajs';

export const SPEC_VERSION = '1.0';
export const SOURCE = '/partner-access/engine';

export interface CloudEvent<T = unknown> {
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  /** The aggregate the event belongs to; also the Kafka key. */
  partitionkey: string;
  /** The outbox sequence: increases within an aggregate, so a consumer can see order. */
  sequence?: string;
  /**
   * Issue 13: CloudEvents' distributed-tracing extension, W3C trace context (`ce_traceparent`,
   * `ce_tracestate`). Never validated into a refusal: a malformed one only starts a new trace.
   */
  traceparent?: string;
  tracestate?: string;
  data: T;
}

const Attributes = z.object({
  ce_specversion: z.literal(SPEC_VERSION),
  ce_id: z.string().min(1).max(200),
  ce_source: z.string().min(1),
  ce_type: z.string().regex(/^[a-z0-9.-]+\.v\d+$/, 'a versioned type such as partneraccess.tpu.listed.v1'),
  ce_time: z.iso.datetime({ offset: true }),
  ce_subject: z.string().optional(),
  ce_sequence: z.string().regex(/^\d+$/).optional(),
  'content-type': z.string().regex(/^application\/json/, 'application/json'),
});

export function toKafkaMessage(event: CloudEvent): Message {
  const headers: IHeaders = {
    ce_specversion: SPEC_VERSION,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_time: event.time,
    'content-type': 'application/json',
  };
  if (event.subject) headers.ce_subject = event.subject;
  if (event.sequence) headers.ce_sequence = event.sequence;
  if (event.traceparent) headers.ce_traceparent = event.traceparent;
  if (event.tracestate) headers.ce_tracestate = event.tracestate;
  return { key: event.partitionkey, value: JSON.stringify(event.data), headers };
}

export class NotACloudEvent extends Error {}

/** Reads a binary-mode record; throws NotACloudEvent with a reason a person can act on. */
export function fromKafkaMessage(message: {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}): CloudEvent {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  const attrs = Attributes.safeParse(headers);
  if (!attrs.success) {
    throw new NotACloudEvent(
      'not a CloudEvents 1.0 binary-mode record: ' +
        attrs.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '),
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    throw new NotACloudEvent('the record value is not JSON');
  }
  const a = attrs.data;
  return {
    id: a.ce_id,
    source: a.ce_source,
    type: a.ce_type,
    subject: a.ce_subject,
    time: a.ce_time,
    sequence: a.ce_sequence,
    traceparent: headers.ce_traceparent,
    tracestate: headers.ce_tracestate,
    partitionkey: message.key?.toString('utf8') ?? '',
    data,
  };
}
