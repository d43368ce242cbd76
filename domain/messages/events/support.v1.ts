import { z } from 'zod';

export const TicketId = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only')
  .meta({
    id: 'TicketId',
    description: "The help desk's own ticket id: the key that makes a repeated ticket change nothing",
  });

/**
 * A support ticket that starts or drives a workflow (INT-1): produced by the help desk on
 * partner-access.support-tickets.v1, or posted to POST /support/tickets. `payload` is checked
 * against the schema of the ticket's kind.
 */
export const SupportTicketV1 = z
  .strictObject({
    ticketId: TicketId,
    kind: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .regex(/^[a-z0-9-]+$/, 'a kind such as tpu-request'),
    payload: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'SupportTicketV1' });
export type SupportTicketV1 = z.infer<typeof SupportTicketV1>;

export const TicketReceivedV1 = z
  .strictObject({ ticketId: TicketId, kind: z.string(), channel: z.enum(['kafka', 'http']) })
  .meta({ id: 'TicketReceivedV1' });

export const TicketDispatchedV1 = z
  .strictObject({ ticketId: TicketId, kind: z.string(), workflowId: z.string() })
  .meta({ id: 'TicketDispatchedV1' });
