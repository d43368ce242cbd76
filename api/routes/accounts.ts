// TPU-1: a person from another firm creates their own account. A third-party request waiting for
// this email moves on at once (the workflow also re-checks on its own, in case this signal is lost).
import { z } from 'zod';
import { Prisma } from '@prisma/client';
import type { Database } from '../../platform/database';
import type { Logger } from '../../platform/logger';
import { RegisterAccountV1 } from '../../domain/messages/commands/register-account.v1';
import { UserId } from '../../domain/messages/values/identifiers';
import type { ThirdPartyAccessClient } from '../../workflows/third-party-access/client';
import { route } from '../routes';
import { Problem } from '../problem';
import { clientOf, type AbuseLimits } from '../../domain/abuse-limits';

export function accountRoutes(db: Database, tpu: ThirdPartyAccessClient, logger: Logger, abuseLimits: AbuseLimits) {
  return [
    route({
      method: 'post',
      path: '/accounts',
      summary: 'TPU-1: create your own account (use your own business email)',
      tags: ['identity'],
      auth: false,
      body: RegisterAccountV1,
      responses: { 201: { description: 'The account', schema: z.object({ userId: UserId }).meta({ id: 'AccountCreatedV1' }) } },
      problems: ['conflict', 'unsupported-media-type', 'rate-limited'],
      authorize: { anyone: 'sign-up needs no account yet' },
      handler: async ({ body, req }) => {
        await abuseLimits.admit('registration', clientOf(req));
        let userId: string;
        try {
          userId = (await db.user.create({ data: body, select: { id: true } })).id;
        } catch (err) {
          if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
            throw new Problem('conflict', 'An account with this email already exists; sign in instead.');
          }
          throw err;
        }
        const waiting = await db.thirdPartyRelationship.findMany({
          where: { thirdPartyEmail: body.email, state: 'AWAITING_ACCOUNT' },
          select: { workflowId: true },
        });
        for (const w of waiting) {
          await tpu.announceAccount(w.workflowId, userId).catch((err) => logger.warn({ err: err.message, workflowId: w.workflowId }, 'could not announce the account; the workflow will find it'));
        }
        return { status: 201, body: { userId }, headers: { location: `/users/${userId}` } };
      },
    }),
  ];
}
