import { readRows, type Database } from '../../platform/database';
import { UpdateMyProfileV1 } from '../../domain/messages/commands/update-my-profile.v1';
import { MyIdentityV1 } from '../../domain/messages/queries/my-identity.v1';
import { route } from '../routes';
import { Problem } from '../problem';
import { actorReadsOf } from '../identity';
import { updateMyProfile } from '../../domain/my-profile';
import { useCase } from '../workflow-command';
import { IDENTITY_COLUMNS } from '../../domain/actor';

const MY_IDENTITY_SQL = `
  select u.id::text as "userId", u.email::text as email, u."displayName", u."firmName", ${IDENTITY_COLUMNS}
  from "User" u where u.id = $1::uuid`;

/**
 * GET /me's answer in one statement (issue 13's hot path): Prisma's nested include sent seven, one
 * after another. Memberships and practice roles in the order they were granted, as before.
 */
async function myIdentity(db: Database, userId: string): Promise<MyIdentityV1> {
  const rows = await readRows<MyIdentityV1>(db, 'my-identity', MY_IDENTITY_SQL, [userId]);
  if (!rows[0]) throw new Problem('not-found', 'Your user no longer exists.');
  return rows[0];
}

export function meRoutes(db: Database) {
  return [
    route({
      method: 'get',
      path: '/me',
      summary: 'Who you are and the roles the database gives you',
      tags: ['identity'],
      auth: true,
      responses: { 200: { description: 'Your identity', schema: MyIdentityV1 } },
      // 404: the user was deleted after the request was authenticated (myIdentity's own read).
      problems: ['not-found'],
      authorize: { anyone: 'your own identity' },
      // Read with the actor, in the request's one statement (issue 13), when the API authenticated it.
      handler: async ({ actor, res }) => ({
        status: 200,
        body: actorReadsOf(res, actor)?.identity ?? (await myIdentity(db, actor.userId)),
      }),
    }),
    route({
      method: 'patch',
      path: '/me',
      summary: 'Change your display name or firm name',
      tags: ['identity'],
      auth: true,
      body: UpdateMyProfileV1,
      responses: { 200: { description: 'Your updated identity', schema: MyIdentityV1 } },
      problems: ['unsupported-media-type', 'not-found'],
      authorize: { anyone: 'your own profile' },
      handler: async ({ actor, body }) => {
        await useCase(() => updateMyProfile(db, actor.userId, body));
        return { status: 200, body: await myIdentity(db, actor.userId) };
      },
    }),
  ];
}
