// INT-1: how a ticket ended, for the help desk. Every workflow a ticket drives records it once, on
// the ticket's own aggregate, after ticket-received and ticket-dispatched.
import { z } from 'zod';
import { TicketId } from './support.v1';

export const TicketOutcome = z.enum(['APPLIED', 'UNCHANGED', 'REFUSED', 'FAILED']).meta({
  id: 'TicketOutcome',
  description:
    'APPLIED: done as asked; UNCHANGED: already so, nothing changed; REFUSED: cannot be done, nothing changed; ' +
    'FAILED: a step hit a fault no retry heals (a missing row, refused data), the reason says which',
});
export type TicketOutcome = z.infer<typeof TicketOutcome>;

export const TicketCompletedV1 = z
  .strictObject({
    ticketId: TicketId,
    kind: z.string(),
    workflowId: z.string(),
    outcome: TicketOutcome,
    /** What support tells the customer, in plain words (ids at most: no email, no name). */
    reason: z.string(),
  })
  .meta({ id: 'TicketCompletedV1' });
