// Issue 13, the authenticated hot path: what one request reads. Every SQL statement the process sends
// is counted at pg's client (Prisma's and the hot path's own go through it alike).
import pg from 'pg';
import { loadConfig } from '../../platform/config';
import { createDatabase } from '../../platform/database';
import { loadActor } from '../../domain/actor';
import { startTestApi, type TestApi } from '../support/api';
import { createOrganization } from '../support/world';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

/** The statements sent while `run` runs (this test file sends nothing else meanwhile). */
async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  const counting = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    sent.push(typeof q === 'string' ? q : (q?.text ?? ''));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  };
  pg.Client.prototype.query = counting as typeof query;
  try {
    await run();
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}

describe('issue 13: the authenticated hot path', () => {
  it('GET /me is one SQL statement: the actor, its roles and the answer are read together', async () => {
    const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1 });
    const token = await api.token(members.ORG_ADMIN[0].id);
    await api.call('GET', '/me', { token }); // the pool's connections opened, the statement prepared
    let res: Awaited<ReturnType<TestApi['call']>> | undefined;
    const sent = await statementsOf(async () => (res = await api.call('GET', '/me', { token })));
    expect(res?.status).toBe(200);
    expect(res?.body.memberships).toEqual([
      { organizationId: org.id, organizationName: org.name, role: 'ORG_ADMIN' },
    ]);
    expect(sent).toHaveLength(1);
  });

  it("a decided route's check reads nothing more of its caller than the actor's statement did", async () => {
    const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1 });
    const token = await api.token(members.ORG_ADMIN[0].id);
    const path = `/organizations/${org.id}/third-party-users`;
    await api.call('GET', path, { token });
    let status = 0;
    const sent = await statementsOf(async () => (status = (await api.call('GET', path, { token })).status));
    expect(status).toBe(200);
    // The caller's roles are read once (the actor's statement); the check then reads the organization.
    expect(sent.filter((text) => text.includes('"SupportAgent"'))).toHaveLength(1);
  });

  it('a role removed between two requests counts for nothing at the next: none is kept across requests', async () => {
    const { org, members } = await createOrganization(api.db, { ORG_ADMIN: 1 });
    const admin = members.ORG_ADMIN[0];
    const token = await api.token(admin.id);
    const path = `/organizations/${org.id}/third-party-users`;
    expect((await api.call('GET', path, { token })).status).toBe(200);
    await api.db.membership.deleteMany({ where: { userId: admin.id, organizationId: org.id } });
    expect((await api.call('GET', path, { token })).status).toBe(403);
    expect((await api.call('GET', '/me', { token })).body.memberships).toEqual([]);
  });

  it('a pooled connection PostgreSQL ends while idle does not end the process; the next read opens one', async () => {
    // A client that has sent only the hot path's own reads: Prisma has not added its pool listener yet.
    const db = createDatabase(loadConfig().DATABASE_URL);
    try {
      const { members } = await createOrganization(api.db, { MEMBER: 1 });
      const userId = members.MEMBER[0].id;
      expect(await loadActor(db, userId)).toMatchObject({ userId });
      const ended = await api.db.$queryRaw<Array<{ ended: boolean }>>`
        select pg_terminate_backend(pid) as ended from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and state = 'idle'
          and query like '%"PortalAdmin"%'`;
      expect(ended.some((row) => row.ended)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the pool hears of it
      expect(await loadActor(db, userId)).toMatchObject({ userId });
    } finally {
      await db.$disconnect();
    }
  });
});
