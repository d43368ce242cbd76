import { PrismaClient } from '@prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';

export type Database = PrismaClient;

/** Prisma through the pg driver adapter: no native query engine needed. */
export function createDatabase(databaseUrl: string): Database {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl }),
    // Under a burst (or a busy 2-core machine) 2 s to get a pooled connection is too little: a
    // request would fail that only had to wait.
    transactionOptions: { maxWait: 10000, timeout: 15000 },
  });
}
