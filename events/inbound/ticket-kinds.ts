// The ticket kinds the engine handles. Each workflow registers its kinds here (TPU requests,
// access-model changes, duplicate-email fixes, ...); a kind not listed is refused.
import type { Client } from '@temporalio/client';
import { TicketKinds } from './support-tickets';

export interface TicketKindDeps {
  temporal: Client;
  taskQueue: string;
}

export function createTicketKinds(_deps: TicketKindDeps): TicketKinds {
  return new TicketKinds();
}
