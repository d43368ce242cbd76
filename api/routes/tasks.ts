// BP-3's shared object: a task of an organization. Its people see every task; a business partner
// sees only the tasks they were explicitly added to, and nothing else of the organization. The use
// cases are domain/tasks.ts; these are their HTTP adapters.
import { z } from 'zod';
import type { Database } from '../../platform/database';
import { OrganizationId } from '../../domain/messages/values/identifiers';
import { CreateTaskV1, GrantTaskV1 } from '../../domain/messages/commands/business-partners.v1';
import { onOrganization, route } from '../routes';
import { useCase } from '../workflow-command';
import { createTask, shareTask } from '../../domain/tasks';

const TaskV1 = z
  .object({ taskId: z.uuid(), organizationId: OrganizationId, title: z.string(), sharedWith: z.array(z.uuid()) })
  .meta({ id: 'TaskV1' });
const TaskListV1 = z.object({ items: z.array(TaskV1) }).meta({ id: 'TaskListV1' });
const TaskPath = z.strictObject({ taskId: z.uuid() });

export function taskRoutes(db: Database) {
  const tags = ['tasks'];
  const view = (t: { id: string; organizationId: string; title: string; grants: Array<{ userId: string }> }) => ({
    taskId: t.id,
    organizationId: t.organizationId,
    title: t.title,
    sharedWith: t.grants.map((g) => g.userId),
  });
  const inOrganization = (action: 'createTask' | 'listTasks') =>
    onOrganization(action, 'You have no access to this organization.');

  return [
    route({
      method: 'post',
      path: '/organizations/:organizationId/tasks',
      summary: 'Create a task in an organization',
      tags,
      auth: true,
      params: z.strictObject({ organizationId: OrganizationId }),
      body: CreateTaskV1,
      responses: { 201: { description: 'Created', schema: TaskV1 } },
      problems: ['forbidden'],
      authorize: inOrganization('createTask'),
      handler: async ({ actor, params, body }) => {
        const task = await createTask(db, {
          organizationId: params.organizationId,
          title: body.title,
          createdById: actor.userId,
        });
        return { status: 201, body: view(task) };
      },
    }),
    route({
      method: 'get',
      path: '/organizations/:organizationId/tasks',
      summary: "An organization's tasks (its people only)",
      tags,
      auth: true,
      params: z.strictObject({ organizationId: OrganizationId }),
      responses: { 200: { description: 'Tasks', schema: TaskListV1 } },
      problems: ['forbidden'],
      authorize: inOrganization('listTasks'),
      handler: async ({ params }) => {
        const tasks = await db.task.findMany({
          where: { organizationId: params.organizationId },
          include: { grants: true },
          orderBy: { createdAt: 'asc' },
        });
        return { status: 200, body: { items: tasks.map(view) } };
      },
    }),
    route({
      method: 'post',
      path: '/tasks/:taskId/grants',
      summary: 'BP-3: add a business partner (who has accepted) to a task',
      tags,
      auth: true,
      params: TaskPath,
      body: GrantTaskV1,
      responses: { 201: { description: 'Shared', schema: TaskV1 } },
      problems: ['forbidden', 'not-found', 'conflict'],
      authorize: ({ params }) => ({ action: 'shareTask', resource: { type: 'Task', id: params.taskId } }),
      handler: async ({ actor, params, body }) => {
        const task = await useCase(() =>
          shareTask(db, {
            taskId: params.taskId,
            businessPartnerId: body.businessPartnerId,
            grantedById: actor.userId,
          }),
        );
        return { status: 201, body: view(task) };
      },
    }),
    route({
      method: 'get',
      path: '/tasks/:taskId',
      summary: 'A task: for the organization’s people, and for business partners added to it',
      tags,
      auth: true,
      params: TaskPath,
      responses: { 200: { description: 'The task', schema: TaskV1 } },
      problems: ['not-found'],
      // Not found, rather than forbidden, for anyone who may not see it: a task's existence is the
      // organization's business.
      authorize: ({ params }) => ({
        action: 'viewTask',
        resource: { type: 'Task', id: params.taskId },
        hideAs404: true,
      }),
      handler: async ({ params }) => {
        const task = await db.task.findUniqueOrThrow({ where: { id: params.taskId }, include: { grants: true } });
        return { status: 200, body: view(task) };
      },
    }),
    route({
      method: 'get',
      path: '/me/tasks',
      summary: 'BP-3: the tasks shared with you, across organizations',
      tags,
      auth: true,
      responses: { 200: { description: 'Tasks shared with you', schema: TaskListV1 } },
      authorize: { anyone: 'your own shares' },
      handler: async ({ actor, allowed }) => {
        const tasks = await db.task.findMany({
          where: { grants: { some: { userId: actor.userId } } },
          include: { grants: true },
          orderBy: { createdAt: 'asc' },
        });
        // A share counts only where the decision point says so (a blocked company's people, BP-5; a
        // suspended account, PA-2): the list shows what GET /tasks/{id} would.
        const shown = [];
        for (const task of tasks) {
          if (await allowed({ action: 'viewTask', resource: { type: 'Task', id: task.id } })) shown.push(task);
        }
        return { status: 200, body: { items: shown.map(view) } };
      },
    }),
  ];
}
