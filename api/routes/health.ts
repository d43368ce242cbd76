import { z } from 'zod';
import { route } from '../routes';
import { Problem } from '../problem';
import type { Client } from '@temporalio/client';
import type { Database } from '../../platform/database';
import { pingKafka, withTimeout } from '../../platform/kafka';
import type { KafkaSettings } from '../../platform/kafka-connection';
import { pingTemporal } from '../../platform/temporal';

export interface DependencyCheck {
  name: 'temporal' | 'kafka' | 'database';
  check: () => Promise<void>;
}

/** What /readyz asks: Temporal, Kafka and the database, each with a short deadline. */
export function dependencyChecks(deps: { temporal: Client; db: Database; kafka: KafkaSettings }): DependencyCheck[] {
  return [
    { name: 'temporal', check: () => pingTemporal(deps.temporal) },
    { name: 'kafka', check: () => pingKafka(deps.kafka) },
    {
      name: 'database',
      check: () =>
        withTimeout(
          deps.db.$queryRaw`select 1`.then(() => undefined),
          2500,
          'database',
        ),
    },
  ];
}

const Readiness = z
  .object({ status: z.literal('ready'), checks: z.record(z.string(), z.literal('up')) })
  .meta({ id: 'Readiness' });

export function healthRoutes(checks: DependencyCheck[]) {
  return [
    route({
      method: 'get',
      path: '/healthz',
      summary: 'The process is up (liveness)',
      tags: ['operations'],
      auth: false,
      responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } },
      authorize: { anyone: 'liveness, for probes' },
      handler: async () => ({ status: 200, body: { status: 'ok' } }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      summary: 'Temporal, Kafka and the database are reachable (readiness)',
      tags: ['operations'],
      auth: false,
      responses: { 200: { description: 'Every dependency answers', schema: Readiness } },
      problems: ['not-ready'],
      authorize: { anyone: 'readiness, for probes' },
      handler: async () => {
        const results = await Promise.all(
          checks.map(async (c) => {
            try {
              await c.check();
              return [c.name, 'up'] as const;
            } catch (err) {
              return [c.name, `down: ${(err as Error).message}`] as const;
            }
          }),
        );
        const down = results.filter(([, s]) => s !== 'up').map(([n]) => n);
        if (down.length > 0) {
          throw new Problem('not-ready', `Not reachable: ${down.join(', ')}.`, {
            down,
            checks: Object.fromEntries(results),
          });
        }
        return { status: 200, body: { status: 'ready', checks: Object.fromEntries(results) } };
      },
    }),
  ];
}
