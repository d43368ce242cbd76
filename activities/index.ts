// Every activity the worker registers, built from its dependencies (no globals, so tests can
// build them against the real services with their own settings).
import type { Database } from '../platform/database';
import type { Mailer } from '../platform/mail';
import type { InvitationsClient } from '../workflows/invitation/client';
import type { ThirdPartyAccessClient } from '../workflows/third-party-access/client';
import { revokeOffersOnLeaving } from '../domain/practice-staff';
import { notificationActivities } from './notifications';
import { thirdPartyAccessActivities } from './third-party-access';
import { invitationActivities } from './invitations';
import { offboardingActivities } from './offboarding';
import { clientRelationshipActivities } from './client-relationships';
import { accessReviewActivities } from './access-reviews';
import { accountStatusActivities } from './account-status';
import { accessModelChangeActivities } from './access-model-change';
import { supportTicketActivities } from './support-tickets';
import { failingPermanentlyOnBadData } from './permanent';
import { retentionActivities } from './retention';

export interface ActivityDeps {
  db: Database;
  mailer: Mailer;
  /** Where links in emails point (the API's public address). */
  publicBaseUrl: string;
  /** Other workflows an activity drives: revoking offers, removing third parties (AM-1 cascades). */
  engine?: { invitations: InvitationsClient; thirdPartyAccess: ThirdPartyAccessClient };
}

export function createActivities(deps: ActivityDeps) {
  // Issue 12: a missing row or refused data fails the step for good instead of retrying for ever.
  return failingPermanentlyOnBadData({
    ...notificationActivities(deps.mailer),
    ...thirdPartyAccessActivities(deps.db),
    ...invitationActivities(deps.db, deps.mailer, deps.publicBaseUrl),
    ...offboardingActivities(deps.db, deps.engine && revokeOffersOnLeaving(deps.db, deps.engine.invitations)),
    ...clientRelationshipActivities(deps.db, deps.mailer),
    ...accessReviewActivities(deps.db, deps.mailer, deps.engine?.thirdPartyAccess),
    ...accountStatusActivities(deps.db),
    ...accessModelChangeActivities(deps.db, deps.engine?.invitations),
    ...supportTicketActivities(deps.db, deps.engine?.invitations),
    ...retentionActivities(deps.db),
  });
}

export type Activities = ReturnType<typeof createActivities>;
