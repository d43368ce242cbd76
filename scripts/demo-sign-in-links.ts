// Prints a one-time console sign-in link per demo user, one per role of the articles (npm start runs
// it). Development only: each link is random, stored hashed, works once and for 12 hours, and the
// API serves the link page only with NODE_ENV=development, so production has neither.
import { loadConfig } from '../platform/config';
import { createDatabase } from '../platform/database';
import { hashToken, newToken } from '../platform/secrets';

const LINK_TTL_MS = 12 * 60 * 60 * 1000;

/** Who to print, and in which words: one person per role. */
const DEMO_USERS: Array<[email: string, role: string]> = [
  ['olivia.admin@acme.example', 'org admin of Acme'],
  ['grace.admin@globex.example', 'org admin of Globex'],
  ['ava.owner@northwind.example', 'account owner of Northwind (practice, partner account)'],
  ['mark.manager@northwind.example', 'practice manager; Globex guest (password partner-access-demo)'],
  ['sid.staff@northwind.example', 'Northwind staff'],
  ['sam.support@vendor.example', 'support agent'],
  ['pat.portal@vendor.example', 'partner portal owner'],
];

async function main() {
  const config = loadConfig();
  if (config.NODE_ENV !== 'development') throw new Error('demo sign-in links are for NODE_ENV=development only');
  const db = createDatabase(config.DATABASE_URL);
  try {
    const lines: string[] = [];
    for (const [email, role] of DEMO_USERS) {
      const user = await db.user.findUnique({ where: { email }, select: { id: true, displayName: true } });
      if (!user) continue;
      const token = newToken();
      const link = await db.demoSignInLink.create({
        data: { userId: user.id, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + LINK_TTL_MS) },
      });
      const who = `${user.displayName} (${role})`;
      lines.push(`  ${who.padEnd(72)} ${config.PUBLIC_BASE_URL}/sign-in/demo/${link.id}?token=${token}`);
    }
    process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '  (no demo users in this database)\n');
  } finally {
    await db.$disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`demo sign-in links: ${(err as Error).message}\n`);
  process.exit(1);
});
