// TPU-5, issue 12: the CRM's news is kept until it can apply. The CRM may name a partner as an
// organization's Account Owner before that organization is known here, or before the partner has an
// account; and a relationship waits for an account only so long (TPU-1, TPU_ACCOUNT_WAIT_SECONDS),
// then ends EXPIRED. The news itself is kept for ever: CrmAccountOwnerStatus holds the CRM's latest
// word, written in the same transaction that records the CRM event as received
// (events/inbound/crm-account-owners.ts). It applies when what it waited for appears, whatever the time
// since: a verified account calls accountAppeared at once, and a sweep in the worker catches every other
// way an account or an organization appears (an accepted invitation, an organization provisioned by
// hand or by a later import).
import { Prisma } from '@prisma/client';
import type { Database } from '../platform/database';
import type { Logger } from '../platform/logger';
import type { ThirdPartyAccessClient } from '../workflows/third-party-access/client';
import { runEvery, type Periodic } from '../platform/periodic';

/** What applying the news needs of the third-party-access client: signal-with-start, fixed workflow id. */
export type CrmNewsClient = Pick<ThirdPartyAccessClient, 'crmAccountOwner'>;

/** How often the worker looks for news that can apply now (an account or organization appeared). */
export const KEPT_NEWS_SWEEP_MS = 10 * 60 * 1000;
/** At most this many relationships are started per pass; the next pass takes the rest. */
const BATCH = 200;

export interface KeptNews {
  organizationId: string;
  organizationExternalId: string;
  partnerEmail: string;
  partnerFirmName: string;
  /** The partner's name when they have an account; the CRM sends only their firm's. */
  displayName: string | null;
}

/**
 * News that waits and can apply now: the CRM's latest word is "Account Owner", the organization is
 * known, and either no relationship was ever recorded for the pair (the organization was not known
 * when the news came), or the one started ended EXPIRED for want of an account that exists now.
 *
 * Decision: any other relationship is left to itself. A running one moves on its own (it re-checks,
 * and registration announces the account); one removed by an org admin or by support, or rejected,
 * stays as they decided, and the CRM's next change of mind (a new "Account Owner") starts it again.
 * An account counts as the workflow's own look-up counts it (activities/third-party-access.ts): an
 * ACTIVE user, which exists only once its email is verified (domain/registration.ts).
 */
export async function keptNews(
  db: Database,
  scope: { partnerEmail?: string; organizationId?: string } = {},
): Promise<KeptNews[]> {
  const byEmail = scope.partnerEmail
    ? Prisma.sql`AND s."partnerEmail" = ${scope.partnerEmail}::citext`
    : Prisma.empty;
  const byOrganization = scope.organizationId ? Prisma.sql`AND o.id = ${scope.organizationId}::uuid` : Prisma.empty;
  return db.$queryRaw<KeptNews[]>`
    SELECT o.id::text AS "organizationId", s."organizationExternalId", s."partnerEmail"::text AS "partnerEmail",
           s."partnerFirmName", u."displayName"
    FROM "CrmAccountOwnerStatus" s
    JOIN "Organization" o ON o."externalId" = s."organizationExternalId"
    LEFT JOIN "User" u ON u.email = s."partnerEmail" AND u.status = 'ACTIVE'
    LEFT JOIN "ThirdPartyRelationship" r ON r."organizationId" = o.id AND r."thirdPartyEmail" = s."partnerEmail"
    WHERE s."isAccountOwner"
      AND (r."organizationId" IS NULL OR (r.state = 'EXPIRED' AND u.id IS NOT NULL))
      ${byEmail} ${byOrganization}
    ORDER BY s."updatedAt"
    LIMIT ${BATCH}`;
}

/**
 * Applies the kept news in scope: each pair's relationship is started again by the CRM's word
 * (signal-with-start on the fixed workflow id, so applying twice changes nothing). Returns how many.
 */
export async function applyKeptCrmNews(
  db: Database,
  tpu: CrmNewsClient,
  scope: { partnerEmail?: string; organizationId?: string } = {},
): Promise<number> {
  const news = await keptNews(db, scope);
  for (const n of news) {
    await tpu.crmAccountOwner(
      {
        organizationId: n.organizationId,
        thirdParty: { name: n.displayName ?? n.partnerFirmName, firmName: n.partnerFirmName, email: n.partnerEmail },
        origin: 'CRM',
        requestedByUserId: null,
        ticketId: null,
      },
      true,
    );
  }
  return news.length;
}

/** An account counts now (its email verified): the CRM's word about it applies, however old. */
export function accountAppeared(db: Database, tpu: CrmNewsClient, email: string): Promise<number> {
  return applyKeptCrmNews(db, tpu, { partnerEmail: email });
}

/** An organization is known now (its CRM id set): the CRM's word about its Account Owners applies. */
export function organizationAppeared(db: Database, tpu: CrmNewsClient, organizationId: string): Promise<number> {
  return applyKeptCrmNews(db, tpu, { organizationId });
}

/**
 * The worker's sweep: at start and then every `everyMs`, applies whatever kept news can apply. A pass
 * that fails (database or Temporal away) is logged and the next one tries again.
 */
export function sweepKeptCrmNews(opts: {
  db: Database;
  tpu: CrmNewsClient;
  logger: Logger;
  everyMs?: number;
}): Periodic {
  const pass = async () => {
    try {
      const applied = await applyKeptCrmNews(opts.db, opts.tpu);
      if (applied > 0) opts.logger.info({ applied }, 'kept CRM news applied');
    } catch (err) {
      opts.logger.warn({ err: (err as Error).message }, 'kept CRM news: the pass failed; the next one retries');
    }
  };
  return runEvery(opts.everyMs ?? KEPT_NEWS_SWEEP_MS, pass, { atStart: true });
}
