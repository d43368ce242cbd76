// The only way a domain event leaves this engine: a row in the outbox, written by the same
// transaction as the state change it describes (INT-3). The relay publishes it later.
import type { Prisma } from '@prisma/client';
import { EventCatalog, type EventData, type EventType } from '../domain/events';
import { currentTraceContext, inSpan, SpanKind } from '../platform/tracing';

export const NOTIFY_CHANNEL = 'outbox_event';

export interface NewEvent<T extends EventType> {
  aggregateId: string;
  /** CloudEvents subject: what inside the aggregate the event is about (an id, never personal data). */
  subject?: string;
  data: EventData<T>;
}

export class InvalidEventData extends Error {}

/**
 * Adds an event to the outbox inside `tx`. Throws (rolling the transaction back) if the data does not fit its
 * schema.
 */
export async function recordEvent<T extends EventType>(
  tx: Prisma.TransactionClient,
  type: T,
  event: NewEvent<T>,
): Promise<string> {
  const entry = EventCatalog[type];
  const parsed = entry.data.safeParse(event.data);
  if (!parsed.success) {
    throw new InvalidEventData(
      `${type}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  // Writers of one aggregate take turns until commit, so an aggregate's sequence numbers are
  // assigned in commit order and the relay can never publish a later event before an earlier one.
  await tx.$executeRaw`select pg_advisory_xact_lock(hashtextextended(${event.aggregateId}, 0))`;
  // Issue 13: the row carries its own span's context (a child of the request's, the activity's or the
  // consumer's), which the relay publishes as the CloudEvent's traceparent.
  const attributes = { 'cloudevents.event_type': type, 'outbox.aggregate_type': entry.aggregateType };
  const row = await inSpan(`outbox record ${type}`, { kind: SpanKind.INTERNAL, attributes }, () =>
    tx.outboxEvent.create({
      data: {
        aggregateType: entry.aggregateType,
        aggregateId: event.aggregateId,
        type,
        subject: event.subject,
        data: parsed.data as Prisma.InputJsonValue,
        ...currentTraceContext(),
      },
      select: { id: true },
    }),
  );
  // Wakes the relay. NOTIFY is transactional: delivered at commit, never for a rollback.
  await tx.$executeRaw`select pg_notify(${NOTIFY_CHANNEL}, '')`;
  return row.id;
}
