// INT-1 over HTTP, for help desks that call webhooks instead of producing to Kafka: the same intake
// as the support-tickets topic. Only support agents (the help desk's integration user) may post, and
// only support agents look a ticket up by its id.
import { z } from 'zod';
import type { Database } from '../../platform/database';
import { SupportTicketV1, TicketId } from '../../domain/messages/events/support.v1';
import { dispatchTicket, intakeTicket, TicketRefused, type TicketKinds } from '../../events/inbound/support-tickets';
import { route } from '../routes';
import { Problem } from '../problem';

const TicketOutcomeV1 = z
  .object({
    ticketId: TicketId,
    kind: z.string(),
    status: z.enum(['RECEIVED', 'DISPATCHED', 'FAILED']),
    workflowId: z.string().nullable(),
    duplicate: z.boolean().describe('true when this ticket id was already received: nothing changed'),
  })
  .meta({ id: 'TicketOutcomeV1' });

// A ticket id of "." or ".." cannot be named in a URL: clients remove dot segments before sending
// (RFC 3986, 5.2.4), so GET /support/tickets/. reaches /support/tickets/. The path says so in its
// schema (without lookahead, which regex engines outside JavaScript lack). The v1 event contract is
// left as it is: such a ticket is still received and dispatched; only this lookup cannot name it.
const TicketIdInPath = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(
    /^([A-Za-z0-9_:-][A-Za-z0-9._:-]*|\.[A-Za-z0-9_:-][A-Za-z0-9._:-]*|\.\.[A-Za-z0-9._:-]+)$/,
    'letters, digits and . _ : - only, and not . or .., which a URL cannot carry',
  )
  .describe("The help desk's own ticket id, as a URL can name it");
const TicketPath = z.strictObject({ ticketId: TicketIdInPath });
const SupportTicketRecordV1 = z
  .object({
    ticketId: TicketId,
    kind: z.string(),
    channel: z.enum(['kafka', 'http']),
    status: z.enum(['RECEIVED', 'DISPATCHED', 'FAILED']),
    workflowId: z.string().nullable(),
    failureReason: z
      .string()
      .nullable()
      .describe('FAILED only: why its workflow ended, a reason code such as MISSING_ROW (issue 12)'),
    failureDetail: z.string().nullable().describe('FAILED only: the step that failed, in plain words'),
    payload: z.record(z.string(), z.unknown()),
    receivedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'SupportTicketRecordV1',
    description: 'A ticket as the engine received it, and the workflow it started',
  });

export function supportTicketRoutes(db: Database, kinds: TicketKinds) {
  return [
    route({
      method: 'post',
      path: '/support/tickets',
      summary: 'Submit a support ticket that starts or drives a workflow (INT-1)',
      tags: ['support'],
      auth: true,
      body: SupportTicketV1,
      responses: {
        202: { description: 'Received and dispatched to its workflow', schema: TicketOutcomeV1 },
        200: { description: 'This ticket id was already received; nothing changed', schema: TicketOutcomeV1 },
      },
      problems: ['forbidden', 'conflict', 'unprocessable', 'unsupported-media-type'],
      authorize: () => ({
        action: 'submitTicket',
        resource: { type: 'SupportDesk' },
        denial: 'Only support agents submit tickets.',
      }),
      handler: async ({ body }) => {
        try {
          const received = await db.$transaction((tx) => intakeTicket(tx, kinds, body, 'http'));
          // Temporal is called after the commit; a ticket left RECEIVED by a failed dispatch is
          // dispatched when the help desk sends it again, or by the worker's sweep within minutes.
          const dispatched =
            received.status === 'RECEIVED' ? await dispatchTicket(db, kinds, received.ticketId) : received;
          return { status: received.duplicate ? 200 : 202, body: { ...dispatched, duplicate: received.duplicate } };
        } catch (err) {
          if (!(err instanceof TicketRefused)) throw err;
          if (err.reason === 'unknown-kind' || err.reason === 'unknown-subject') {
            throw new Problem('unprocessable', err.message, { reason: err.reason });
          }
          if (err.reason === 'ticket-id-reused') throw new Problem('conflict', err.message, { reason: err.reason });
          throw new Problem('validation-failed', err.message, { reason: err.reason });
        }
      },
    }),
    route({
      method: 'get',
      path: '/support/tickets/:ticketId',
      summary: "INT-1: a ticket by the help desk's id: what it asked, by which channel, the workflow it started",
      tags: ['support'],
      auth: true,
      params: TicketPath,
      responses: { 200: { description: 'The ticket', schema: SupportTicketRecordV1 } },
      problems: ['forbidden', 'not-found'],
      authorize: () => ({
        action: 'viewTicket',
        resource: { type: 'SupportDesk' },
        denial: 'Only support agents look tickets up.',
      }),
      handler: async ({ params }) => {
        const ticket = await db.supportTicket.findUnique({ where: { ticketId: params.ticketId } });
        if (!ticket) throw new Problem('not-found', `No ticket ${params.ticketId} has reached the engine.`);
        return {
          status: 200,
          body: {
            ticketId: ticket.ticketId,
            kind: ticket.kind,
            channel: ticket.channel as 'kafka' | 'http',
            status: ticket.status,
            workflowId: ticket.workflowId,
            failureReason: ticket.failureReason,
            failureDetail: ticket.failureDetail,
            payload: ticket.payload as Record<string, unknown>,
            receivedAt: ticket.receivedAt.toISOString(),
            updatedAt: ticket.updatedAt.toISOString(),
          },
        };
      },
    }),
  ];
}
