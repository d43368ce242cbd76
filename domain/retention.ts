// Issue 13, data over time: what the engine keeps only for a while. Each kind of row is deleted in
// batches once it is older than its window; the windows are configuration (platform/config.ts), and
// the retention workflow runs this on a Temporal Schedule (workflows/retention).
//
// Why each window is safe:
// - Published outbox rows: the relay is done with them. Ticket activities look up their own outcome
//   event for idempotency, but a retry of theirs comes within their 6-hour limit, long before 7 days.
// - Processed-event rows: the consumers' idempotency keys. A row must outlive every redelivery of its
//   event, so the window is at least the inbound topics' retention (7 days).
// - Spent secrets (used or expired password resets, registrations and demo links, ended or expired
//   browser sessions, the password of an invitation that is no longer pending): nothing reads them
//   again; they are kept a day for support questions, then go, since each holds a hash worth guessing.
import { Prisma } from '@prisma/client';
import type { Database } from '../platform/database';

export interface RetentionWindows {
  publishedEventsDays: number;
  processedEventsDays: number;
  spentSecretsDays: number;
}

export const RetainedKinds = [
  'publishedEvents',
  'processedEvents',
  'passwordResets',
  'accountRegistrations',
  'demoSignInLinks',
  'webSessions',
  'pendingCredentials',
] as const;
export type RetainedKind = (typeof RetainedKinds)[number];

export type Pruned = Record<RetainedKind, number>;

const DAY_MS = 24 * 3600 * 1000;

/**
 * Deletes up to `batch` rows of one kind older than its window; answers how many. Batches keep each
 * statement short (no long lock, no huge transaction): the caller repeats until fewer come back.
 */
export async function pruneBatch(
  db: Database,
  kind: RetainedKind,
  windows: RetentionWindows,
  now: Date,
  batch: number,
): Promise<number> {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const spent = before(windows.spentSecretsDays);
  switch (kind) {
    case 'publishedEvents':
      return db.$executeRaw`delete from "OutboxEvent" where sequence in (
        select sequence from "OutboxEvent" where "publishedAt" < ${before(windows.publishedEventsDays)}
        order by sequence limit ${batch})`;
    case 'processedEvents':
      return db.$executeRaw`delete from "ProcessedEvent" where ctid in (
        select ctid from "ProcessedEvent" where "processedAt" < ${before(windows.processedEventsDays)}
        limit ${batch})`;
    case 'passwordResets':
      return pruneSpent(db, 'PasswordReset', 'usedAt', spent, batch);
    case 'accountRegistrations':
      return pruneSpent(db, 'AccountRegistration', 'usedAt', spent, batch);
    case 'demoSignInLinks':
      return pruneSpent(db, 'DemoSignInLink', 'usedAt', spent, batch);
    case 'webSessions':
      return pruneSpent(db, 'WebSession', 'endedAt', spent, batch);
    case 'pendingCredentials':
      // Accepting consumes the credential in the transaction that accepts (activities/invitations.ts):
      // one left behind belongs to an invitation that ended otherwise (declined, expired, revoked).
      return db.$executeRaw`delete from "PendingCredential" where "invitationId" in (
        select c."invitationId" from "PendingCredential" c left join "Invitation" i on i.id = c."invitationId"
        where c."createdAt" < ${spent} and (i.id is null or i.state <> 'PENDING') limit ${batch})`;
  }
}

/**
 * A secret that was used (or ended) or expired before `spent`. The table and column names are this
 * module's constants, never input, so they may be spliced in as identifiers.
 */
function pruneSpent(
  db: Database,
  table: 'PasswordReset' | 'AccountRegistration' | 'DemoSignInLink' | 'WebSession',
  doneColumn: 'usedAt' | 'endedAt',
  spent: Date,
  batch: number,
): Promise<number> {
  const from = Prisma.raw(`"${table}"`);
  const done = Prisma.raw(`"${doneColumn}"`);
  return db.$executeRaw`delete from ${from} where id in (
    select id from ${from} where ${done} < ${spent} or "expiresAt" < ${spent} limit ${batch})`;
}
