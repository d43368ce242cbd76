// Every activity the worker registers, built from its dependencies (no globals, so tests can
// build them against the real services with their own settings).
import type { Database } from '../platform/database';
import type { Mailer } from '../platform/mail';
import { notificationActivities } from './notifications';
import { thirdPartyAccessActivities } from './third-party-access';
import { invitationActivities } from './invitations';
import { offboardingActivities } from './offboarding';
import { clientRelationshipActivities } from './client-relationships';

export interface ActivityDeps {
  db: Database;
  mailer: Mailer;
  /** Where links in emails point (the API's public address). */
  publicBaseUrl: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...notificationActivities(deps.mailer),
    ...thirdPartyAccessActivities(deps.db),
    ...invitationActivities(deps.db, deps.mailer, deps.publicBaseUrl),
    ...offboardingActivities(deps.db),
    ...clientRelationshipActivities(deps.db, deps.mailer),
  };
}

export type Activities = ReturnType<typeof createActivities>;
