// Portal admins: partners, adding a partner user, pending invitations.
import type { ConsoleKit } from '../console';

export function portalPages(kit: ConsoleKit): void {
  void kit;
}
