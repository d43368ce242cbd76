// Partners and third parties: my organizations and why, switching, shared tasks.
import type { ConsoleKit } from '../console';

export function myAccessPages(kit: ConsoleKit): void {
  void kit;
}
