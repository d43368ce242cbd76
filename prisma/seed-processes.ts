// The demo world's processes, started once the worker runs (npm start calls this after the API is
// ready): Globex, under the invite-guest model, has invited Northwind's Mark as a guest (PA-5). The
// invitation workflow's id is fixed by kind, account and email, so a second start joins the same
// invitation instead of sending another.
import { createDatabase } from '../platform/database';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { connectTemporal } from '../platform/temporal';
import { InvitationsClient } from '../workflows/invitation/client';
import { DemoWorld } from './seed';

async function main() {
  const config = loadConfig();
  const logger = createLogger('seed', config.LOG_LEVEL);
  const db = createDatabase(config.DATABASE_URL);
  const temporal = await connectTemporal(config);
  try {
    const { guest } = DemoWorld;
    const org = await db.organization.findFirst({ where: { name: guest.org } });
    const inviter = await db.user.findUnique({ where: { email: guest.invitedBy } });
    const invitee = await db.user.findUnique({ where: { email: guest.email } });
    if (!org || !inviter || !invitee) return logger.info('not the demo world: no demo processes started');
    const [firstName, lastName] = invitee.displayName.split(' ');
    const { view } = await InvitationsClient.fromConfig(temporal, config).open({
      kind: 'ACCOUNT_GUEST',
      scopeId: org.id,
      invitee: { email: invitee.email, firstName, lastName: lastName ?? firstName },
      invitedByUserId: inviter.id,
      offer: { role: 'MEMBER' },
    });
    logger.info({ invitationId: view.invitationId, state: view.state }, 'demo guest invitation open');
  } finally {
    await temporal.connection.close();
    await db.$disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
