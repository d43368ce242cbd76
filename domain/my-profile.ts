// The signed-in user's own profile (PATCH /me): the only part of an identity its owner changes; roles
// and memberships come from the grants that gave them. Called by the route; no workflow is involved.
import type { Database } from '../platform/database';
import { recordEvent } from '../events/outbox';
import { UseCaseRefusal } from './refusal';
import type { UpdateMyProfileV1 } from './messages/commands/update-my-profile.v1';

/**
 * Changes the user's display name or firm name. The change and its event commit together (outbox), or
 * neither does. A user deleted after their request was authenticated has nothing left to change: refused
 * as not found (a 404, as GET /me answers then), and no event is recorded for them.
 */
export async function updateMyProfile(db: Database, userId: string, change: UpdateMyProfileV1): Promise<void> {
  await db.$transaction(async (tx) => {
    // updateMany counts instead of throwing Prisma's P2025 for a missing row, which the API answered 500.
    const { count } = await tx.user.updateMany({ where: { id: userId }, data: change });
    if (count === 0) throw new UseCaseRefusal('not-found', 'Your user no longer exists.');
    await recordEvent(tx, 'partneraccess.identity.user-profile-updated.v1', {
      aggregateId: userId,
      data: { userId, changedFields: Object.keys(change) as Array<'displayName' | 'firmName'> },
    });
  });
}
