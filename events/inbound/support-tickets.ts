// INT-1: support tickets start or drive workflows. Each workflow registers the ticket kinds it
// handles; the same intake serves the Kafka topic and POST /support/tickets. The help desk's ticket
// id is the idempotency key: a repeated ticket changes nothing.
import { decideForService } from '../../domain/authorization/authorizer';
import type { Prisma } from '@prisma/client';
import type { z } from 'zod';
import { isDeepStrictEqual } from 'node:util';
import { SupportTicketV1 } from '../../domain/messages/events/support.v1';
import { InboundTypes } from '../../domain/events';
import { recordEvent } from '../outbox';
import type { Database } from '../../platform/database';
import { PoisonMessage, type InboundHandler } from '../consumer';

export interface TicketKind<P = unknown> {
  kind: string;
  summary: string;
  payload: z.ZodType<P>;
  /**
   * Why the ticket can never be carried out, when what it names does not exist (no such customer
   * account, no such email): refused at intake, before anything is recorded. Null to go on. A failure
   * to read (the database down) is thrown, and retried like any outage, never refused.
   */
  refusal?(tx: Prisma.TransactionClient, payload: P): Promise<string | null>;
  /** Starts or drives the workflow. Must be idempotent for one ticket id (a fixed workflow id). */
  dispatch(ticket: { ticketId: string; payload: P }): Promise<{ workflowId: string }>;
}

export class TicketKinds {
  private readonly kinds = new Map<string, TicketKind<any>>();

  register<P>(kind: TicketKind<P>): this {
    if (this.kinds.has(kind.kind)) throw new Error(`ticket kind ${kind.kind} is registered twice`);
    this.kinds.set(kind.kind, kind);
    return this;
  }

  get(kind: string): TicketKind<unknown> | undefined {
    return this.kinds.get(kind);
  }

  list(): TicketKind<unknown>[] {
    return [...this.kinds.values()];
  }
}

/** Why a ticket was refused: the HTTP intake maps these to statuses, the Kafka intake dead-letters them. */
export class TicketRefused extends Error {
  constructor(
    readonly reason: 'unknown-kind' | 'invalid-payload' | 'ticket-id-reused' | 'unknown-subject',
    message: string,
  ) {
    super(message);
  }
}

export interface TicketOutcome {
  ticketId: string;
  kind: string;
  /** FAILED: its workflow ended on a step that can never succeed (issue 12; the row says why). */
  status: 'RECEIVED' | 'DISPATCHED' | 'FAILED';
  workflowId: string | null;
  duplicate: boolean;
}

export async function intakeTicket(
  tx: Prisma.TransactionClient,
  kinds: TicketKinds,
  ticket: SupportTicketV1,
  channel: 'kafka' | 'http',
): Promise<TicketOutcome> {
  const kind = kinds.get(ticket.kind);
  if (!kind) {
    const known = kinds.list().map((k) => k.kind);
    throw new TicketRefused(
      'unknown-kind',
      `unknown ticket kind "${ticket.kind}" (known: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  const payload = kind.payload.safeParse(ticket.payload);
  if (!payload.success) {
    const issues = payload.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
    throw new TicketRefused('invalid-payload', `the payload does not fit ${ticket.kind}: ${issues}`);
  }

  const existing = await tx.supportTicket.findUnique({ where: { ticketId: ticket.ticketId } });
  if (existing) {
    if (existing.kind !== ticket.kind || !isDeepStrictEqual(existing.payload, ticket.payload)) {
      throw new TicketRefused(
        'ticket-id-reused',
        `ticket ${ticket.ticketId} was already received with other content`,
      );
    }
    return {
      ticketId: existing.ticketId,
      kind: existing.kind,
      status: existing.status,
      workflowId: existing.workflowId,
      duplicate: true,
    };
  }

  const refusal = await kind.refusal?.(tx, payload.data);
  if (refusal) throw new TicketRefused('unknown-subject', refusal);

  await tx.supportTicket.create({
    data: { ticketId: ticket.ticketId, kind: ticket.kind, payload: ticket.payload as Prisma.InputJsonValue, channel },
  });
  await recordEvent(tx, 'partneraccess.support.ticket-received.v1', {
    aggregateId: ticket.ticketId,
    data: { ticketId: ticket.ticketId, kind: ticket.kind, channel },
  });
  // Recorded as RECEIVED; dispatchTicket starts its workflow once this transaction committed.
  return { ticketId: ticket.ticketId, kind: ticket.kind, status: 'RECEIVED', workflowId: null, duplicate: false };
}

/**
 * Starts a received ticket's workflow, outside any transaction (a slow Temporal holds no pool
 * connection), then marks it dispatched. Idempotent: the kind's fixed workflow id makes a repeated
 * dispatch (a retry, a redelivery after a crash) find the same workflow, and only the first mark counts.
 */
export async function dispatchTicket(db: Database, kinds: TicketKinds, ticketId: string): Promise<TicketOutcome> {
  const ticket = await db.supportTicket.findUniqueOrThrow({ where: { ticketId } });
  const outcome = { ticketId, kind: ticket.kind, duplicate: false };
  // Dispatched, or already ended on a permanent failure (its run is closed): nothing to start.
  if (ticket.status !== 'RECEIVED') return { ...outcome, status: ticket.status, workflowId: ticket.workflowId };
  const kind = kinds.get(ticket.kind);
  if (!kind) throw new Error(`ticket ${ticketId} has kind "${ticket.kind}", which no longer is registered`);
  const { workflowId } = await kind.dispatch({ ticketId, payload: kind.payload.parse(ticket.payload) });
  await db.$transaction(async (tx) => {
    const marked = await tx.supportTicket.updateMany({
      where: { ticketId, status: 'RECEIVED' },
      data: { status: 'DISPATCHED', workflowId },
    });
    if (marked.count === 0) return; // dispatched meanwhile by another delivery
    await recordEvent(tx, 'partneraccess.support.ticket-dispatched.v1', {
      aggregateId: ticketId,
      data: { ticketId, kind: ticket.kind, workflowId },
    });
  });
  return { ...outcome, status: 'DISPATCHED', workflowId };
}

/**
 * Tickets received and never dispatched: the HTTP intake committed one, then Temporal failed and the
 * caller got a 503, and the help desk never sent it again (a redelivered Kafka ticket dispatches itself).
 * The worker's event runtime calls this every minute. A ticket younger than `settleMs` is left to the
 * intake dispatching it right now (dispatching it twice would be harmless, only wasted). One ticket's
 * failure (Temporal still away, a kind no longer registered) is counted and the next is tried.
 */
export async function dispatchWaitingTickets(
  db: Database,
  kinds: TicketKinds,
  { settleMs = 60_000, batch = 100, now = new Date() }: { settleMs?: number; batch?: number; now?: Date } = {},
): Promise<{ dispatched: string[]; failed: Array<{ ticketId: string; err: unknown }> }> {
  const waiting = await db.supportTicket.findMany({
    where: { status: 'RECEIVED', receivedAt: { lte: new Date(now.getTime() - settleMs) } },
    orderBy: { receivedAt: 'asc' },
    take: batch,
    select: { ticketId: true },
  });
  const dispatched: string[] = [];
  const failed: Array<{ ticketId: string; err: unknown }> = [];
  for (const { ticketId } of waiting) {
    try {
      await dispatchTicket(db, kinds, ticketId);
      dispatched.push(ticketId);
    } catch (err) {
      failed.push({ ticketId, err });
    }
  }
  return { dispatched, failed };
}

export function supportTicketHandler(kinds: TicketKinds, db: Database): InboundHandler<SupportTicketV1> {
  return {
    type: InboundTypes.supportTicketSubmitted,
    data: SupportTicketV1,
    async handle(event, tx) {
      // AM-3: the consumer asks the decision point too, as the system that produced the message.
      const decision = await decideForService(tx, {
        service: 'help-desk',
        action: 'submitTicket',
        resource: { type: 'SupportDesk' },
      });
      if (!decision.allowed) throw new PoisonMessage('the policies do not let the help desk submit tickets');
      try {
        const received = await intakeTicket(tx, kinds, event.data, 'kafka');
        // Received (now, or before a crash that came before its dispatch): dispatch after the commit.
        if (received.status === 'RECEIVED') {
          return async () => void (await dispatchTicket(db, kinds, received.ticketId));
        }
      } catch (err) {
        if (err instanceof TicketRefused) throw new PoisonMessage(`${err.reason}: ${err.message}`);
        throw err;
      }
    },
  };
}
