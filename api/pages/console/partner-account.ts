// Partner accounts (PA-1 … PA-5): the account, customers, users, switching.
import type { ConsoleKit } from '../console';

export function partnerAccountPages(kit: ConsoleKit): void {
  void kit;
}
