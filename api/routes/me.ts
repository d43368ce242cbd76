import type { Database } from '../../platform/database';
import { UpdateMyProfileV1 } from '../../domain/messages/commands/update-my-profile.v1';
import { MyIdentityV1 } from '../../domain/messages/queries/my-identity.v1';
import { route } from '../routes';
import { Problem } from '../problem';
import { recordEvent } from '../../events/outbox';

async function myIdentity(db: Database, userId: string): Promise<MyIdentityV1> {
  const user = await db.user.findUnique({
    where: { id: userId },
    include: {
      memberships: { include: { organization: { select: { name: true } } }, orderBy: { createdAt: 'asc' } },
      practiceRoles: { include: { partnerFirm: { select: { name: true } } }, orderBy: { createdAt: 'asc' } },
      supportAgent: true,
      portalAdmin: true,
    },
  });
  if (!user) throw new Problem('not-found', 'Your user no longer exists.');
  return {
    userId: user.id,
    email: user.email,
    displayName: user.displayName,
    firmName: user.firmName,
    memberships: user.memberships.map((m) => ({ organizationId: m.organizationId, organizationName: m.organization.name, role: m.role })),
    practiceRoles: user.practiceRoles.map((p) => ({ partnerFirmId: p.partnerFirmId, partnerFirmName: p.partnerFirm.name, role: p.role })),
    isSupportAgent: user.supportAgent !== null,
    portalRole: user.portalAdmin?.role ?? null,
  };
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
      authorize: { anyone: 'your own identity' },
      handler: async ({ actor }) => ({ status: 200, body: await myIdentity(db, actor.userId) }),
    }),
    route({
      method: 'patch',
      path: '/me',
      summary: 'Change your display name or firm name',
      tags: ['identity'],
      auth: true,
      body: UpdateMyProfileV1,
      responses: { 200: { description: 'Your updated identity', schema: MyIdentityV1 } },
      problems: ['unsupported-media-type'],
      authorize: { anyone: 'your own profile' },
      handler: async ({ actor, body }) => {
        // The change and its event commit together (outbox), or neither does.
        await db.$transaction(async (tx) => {
          await tx.user.update({ where: { id: actor.userId }, data: body });
          await recordEvent(tx, 'partneraccess.identity.user-profile-updated.v1', {
            aggregateId: actor.userId,
            data: { userId: actor.userId, changedFields: Object.keys(body) as Array<'displayName' | 'firmName'> },
          });
        });
        return { status: 200, body: await myIdentity(db, actor.userId) };
      },
    }),
  ];
}
