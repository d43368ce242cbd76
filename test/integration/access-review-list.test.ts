// AM-6 over HTTP: the organization's access reviews as a list (what the org admin's console opens a
// review from), newest first with their progress, filtered by state; only its own org admins see it.
import { apiWithWorker } from '../support/api';
import { createOrganization } from '../support/world';
import { reviewableOrganization } from '../support/access-review-world';
import { waitUntil } from '../support/kafka';

const P = 'https://partner-access.example/problems/';
const running = apiWithWorker();

it('AM-6 an org admin lists the reviews, open or completed, with their progress; nobody else does', async () => {
  const w = await reviewableOrganization(running.api.db);
  const admin = await running.api.token(w.admin.id);
  const base = `/organizations/${w.org.id}/access-reviews`;
  const list = (query = '', token = admin) => running.api.call('GET', `${base}${query}`, { token });

  expect(await list()).toMatchObject({ status: 200, body: { items: [] } });
  const started = await running.api.call('POST', base, { token: admin });
  expect(started.status).toBe(201);
  const { reviewId } = started.body;

  const open = await list('?state=OPEN');
  expect(open).toMatchObject({ status: 200, body: { items: [{ reviewId, state: 'OPEN', total: 2, decided: 0 }] } });
  expect(open.body.items[0]).not.toHaveProperty('items');
  expect((await list('?state=maybe')).status).toBe(400);
  const stranger = await createOrganization(running.api.db, { ORG_ADMIN: 1 });
  const refused = await list('', await running.api.token(stranger.members.ORG_ADMIN[0].id));
  expect(refused).toMatchObject({ status: 403, body: { type: `${P}forbidden` } });

  for (const grantId of [w.grants.delegated, w.grants.share]) {
    const decided = await running.api.call('POST', `${base}/${reviewId}/decisions`, {
      token: admin,
      body: { grantId, decision: 'confirm' },
    });
    expect(decided.status).toBe(200);
  }
  await waitUntil('completed', async () => (await list('?state=OPEN')).body.items.length === 0, 15000);
  const completed = await list('?state=COMPLETED');
  expect(completed.body.items).toEqual([
    expect.objectContaining({ reviewId, state: 'COMPLETED', total: 2, decided: 2, confirmed: 2, revoked: 0 }),
  ]);
  expect((await list()).body.items.map((r: { reviewId: string }) => r.reviewId)).toEqual([reviewId]);
});
