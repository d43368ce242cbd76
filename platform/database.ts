import { PrismaClient, type Prisma } from '@prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';

export type Database = PrismaClient;

/** The pg pool under each database client: the hot path's reads go to it directly (readRows). */
const pools = new WeakMap<object, Pool>();

/** Prisma through the pg driver adapter: no native query engine needed. */
export function createDatabase(databaseUrl: string): Database {
  // The pool is ours and handed to the adapter, so Prisma and the hot path's reads share its connections
  // (pg's default of ten); $disconnect ends it.
  const pool = new Pool({ connectionString: databaseUrl });
  // An idle connection that breaks (PostgreSQL restarted) is dropped by the pool, and the next read
  // opens another; unheard, its 'error' would end the process, before Prisma has added its own listener.
  pool.on('error', () => undefined);
  const db = new PrismaClient({
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
    // Under a burst (or a busy 2-core machine) 2 s to get a pooled connection is too little: a
    // request would fail that only had to wait.
    transactionOptions: { maxWait: 10000, timeout: 15000 },
  });
  pools.set(db, pool);
  return db;
}

/**
 * One read on the authenticated hot path (issue 13): every request loads its actor, every decided
 * route its principal. Through Prisma, even a raw statement cost about 0.3 ms of CPU in its request
 * pipeline; here it is pg's own, as a named (prepared once per connection) statement. Inside a
 * transaction, or after $disconnect ended the pool, it goes through Prisma as before. The statement
 * selects only types both paths return alike: text, boolean, json and timestamptz.
 */
export async function readRows<T>(
  db: Database | Prisma.TransactionClient,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const pool = pools.get(db);
  if (pool && !pool.ending && !pool.ended) return (await pool.query<T & object>({ name, text, values })).rows;
  return db.$queryRawUnsafe<T[]>(text, ...values);
}
