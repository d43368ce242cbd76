// Prisma runs fully offline with the JS schema engine and the pg driver adapter (see README).
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl } from './platform/config';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  async adapter() {
    return new PrismaPg({ connectionString: databaseUrl() });
  },
});
