// Support agents: the review queue of third-party requests, tickets, freeing a portal email.
import type { ConsoleKit } from '../console';

export function supportPages(kit: ConsoleKit): void {
  void kit;
}
