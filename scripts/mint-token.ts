// Prints a bearer token for a user of the local database:  npm run token -- olivia.admin@acme.example
import { loadConfig } from '../platform/config';
import { createDatabase } from '../platform/database';
import { mintToken } from '../api/identity';

async function main() {
  const email = process.argv[2];
  if (!email) throw new Error('usage: npm run token -- <email of a seeded user>');
  const config = loadConfig();
  const db = createDatabase(config.DATABASE_URL);
  try {
    const user = await db.user.findUnique({ where: { email }, select: { id: true, sessionsValidAfter: true } });
    if (!user) throw new Error('no user with that email in this database');
    const settings = {
      secret: config.AUTH_JWT_SECRET,
      issuer: config.AUTH_JWT_ISSUER,
      audience: config.AUTH_JWT_AUDIENCE,
    };
    process.stdout.write(
      (await mintToken(settings, user.id, '8h', { sessionsValidAfter: user.sessionsValidAfter })) + '\n',
    );
  } finally {
    await db.$disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`token: ${(err as Error).message}\n`);
  process.exit(1);
});
