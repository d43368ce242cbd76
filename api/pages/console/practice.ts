// Practice managers: staff, organization access, offboarding, certifications.
import type { ConsoleKit } from '../console';

export function practicePages(kit: ConsoleKit): void {
  void kit;
}
