// BP-3's shared object: a task of an organization, and the one way a business partner gets to see it,
// being added to it. The use cases behind api/routes/tasks.ts; who may do each is the policy decision
// point's (domain/authorization/policies/organization.cedar), asked by the route first.
import type { Prisma } from '@prisma/client';
import type { Database } from '../platform/database';
import { UseCaseRefusal } from './refusal';

export type TaskWithGrants = Prisma.TaskGetPayload<{ include: { grants: true } }>;

/** Creates a task; the organization's people see it through their membership, not through a grant. */
export async function createTask(
  db: Database,
  task: { organizationId: string; title: string; createdById: string },
): Promise<TaskWithGrants> {
  return db.task.create({ data: task, include: { grants: true } });
}

/**
 * BP-3: adds a business partner of the task's organization to the task. The grant goes to the account
 * they accepted with, and records who granted it (its source, AM-1); adding them again changes nothing.
 */
export async function shareTask(
  db: Database,
  share: { taskId: string; businessPartnerId: string; grantedById: string },
): Promise<TaskWithGrants> {
  const task = await db.task.findUnique({ where: { id: share.taskId } });
  if (!task) throw new UseCaseRefusal('not-found', 'No such task.');
  const partner = await db.businessPartner.findUnique({
    where: { id: share.businessPartnerId },
    include: { company: true },
  });
  if (!partner || partner.company.organizationId !== task.organizationId)
    throw new UseCaseRefusal('not-found', "No such business partner of this task's organization.");
  if (!partner.userId)
    throw new UseCaseRefusal(
      'conflict',
      'This business partner has not accepted their invitation yet; add them once they have.',
    );
  await db.taskGrant.upsert({
    where: { taskId_userId: { taskId: task.id, userId: partner.userId } },
    create: { taskId: task.id, userId: partner.userId, grantedById: share.grantedById },
    update: {},
  });
  // Read again for the answer: a task deleted since the grant is gone for the caller too.
  const shared = await db.task.findUnique({ where: { id: task.id }, include: { grants: true } });
  if (!shared) throw new UseCaseRefusal('not-found', 'No such task.');
  return shared;
}
