// Issue 13, Prometheus metrics. One registry per process (prom-client's default): the API serves it at
// GET /metrics, the worker on its own small listener (startWorkerMetrics). Labels carry codes only:
// route templates, statuses, command routes, consumer groups, reason codes; never a raw URL, an id
// or an email address, so a scrape holds no personal data and the series stay few.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Request, Response, NextFunction } from 'express';
import client from 'prom-client';
import type { Database } from './database';
import type { Logger } from './logger';

export const registry = client.register;
client.collectDefaultMetrics({ register: registry });

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Metrics already registered (a test process loads this module once but may start several apps). */
function metric<T>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export const httpDuration = metric(
  'http_request_duration_seconds',
  () =>
    new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, Express route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS,
    }),
);

export const commandDuration = metric(
  'workflow_command_duration_seconds',
  () =>
    new client.Histogram({
      name: 'workflow_command_duration_seconds',
      help: 'Latency of the commands the API sends to workflows (and use cases), by route and outcome',
      labelNames: ['command', 'outcome'],
      buckets: SECONDS,
    }),
);

export const relayPublished = metric(
  'outbox_relay_published_events_total',
  () =>
    new client.Counter({
      name: 'outbox_relay_published_events_total',
      help: 'Outbox events the relay published to Kafka',
    }),
);

export const relayFailures = metric(
  'outbox_relay_publish_failures_total',
  () =>
    new client.Counter({ name: 'outbox_relay_publish_failures_total', help: 'Relay batches that failed (retried)' }),
);

export const deadLetters = metric(
  'inbound_dead_letters_total',
  () =>
    new client.Counter({
      name: 'inbound_dead_letters_total',
      help: 'Inbound messages sent to the dead-letter topic, by consumer group and reason code',
      labelNames: ['consumer', 'reason'],
    }),
);

export const emailsSent = metric(
  'emails_sent_total',
  () => new client.Counter({ name: 'emails_sent_total', help: 'Emails the SMTP server accepted' }),
);

export const emailFailures = metric(
  'email_send_failures_total',
  () =>
    new client.Counter({
      name: 'email_send_failures_total',
      help: 'Email sends that failed: permanent (a 5xx refusal) or transient (retried by the activity)',
      labelNames: ['kind'],
    }),
);

// The request a workflow command runs in: workflowCommand names its command by the matched route.
const requestContext = new AsyncLocalStorage<Request>();

/** The request's route template (`/organizations/:organizationId`), or 'unmatched'; also the HTTP span's name. */
export const routeOf = (req: Request): string => {
  const path = req.route?.path;
  // Unmatched requests (404s, static documents) share one label: their raw paths may hold ids.
  return typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
};

/** Express middleware: times every request by route template and status, and remembers the request. */
export function httpMetrics() {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => end({ method: req.method, route: routeOf(req), status: String(res.statusCode) }));
    requestContext.run(req, next);
  };
}

/** Times a workflow command; the outcome is 'ok' or the code the caller maps the failure to. */
export async function timeCommand<T>(run: () => Promise<T>, outcomeOf: (err: unknown) => string): Promise<T> {
  const req = requestContext.getStore();
  const command = req ? `${req.method} ${routeOf(req)}` : 'outside-request';
  const end = commandDuration.startTimer({ command });
  try {
    const result = await run();
    end({ outcome: 'ok' });
    return result;
  } catch (err) {
    end({ outcome: outcomeOf(err) });
    throw err;
  }
}

export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** What the worker's listener reads at each scrape besides the counters. */
export interface WorkerMetricsSources {
  db: Database;
  /** Consumer groups and their lag (messages past the group's committed offsets). */
  consumers?: Array<{ group: string; lag(): Promise<number> }>;
}

let current: WorkerMetricsSources | undefined;

export interface WorkerMetrics {
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's /metrics listener, on `port` (0: any free port, for tests). Gauges that need a query
 * (the outbox's oldest unpublished row, consumer lag) are read at scrape time, not polled.
 */
export async function startWorkerMetrics(
  sources: WorkerMetricsSources,
  opts: { host: string; port: number; logger?: Logger },
): Promise<WorkerMetrics> {
  // The latest sources: the gauges are registered once per process, a test may start several listeners.
  current = sources;
  metric(
    'outbox_oldest_unpublished_age_seconds',
    () =>
      new client.Gauge({
        name: 'outbox_oldest_unpublished_age_seconds',
        help: 'Age of the oldest outbox row not yet published (0 when none waits)',
        async collect() {
          if (!current) return;
          const rows = await current.db.$queryRaw<Array<{ age: number | null }>>`
            select extract(epoch from now() - min("createdAt"))::float8 as age
              from "OutboxEvent" where "publishedAt" is null`;
          this.set(Math.max(0, rows[0]?.age ?? 0));
        },
      }),
  );
  metric(
    'inbound_consumer_lag_messages',
    () =>
      new client.Gauge({
        name: 'inbound_consumer_lag_messages',
        help: "Messages on a consumer group's topic past its committed offsets",
        labelNames: ['group'],
        async collect() {
          // A broker that does not answer leaves the group's last value rather than failing the scrape.
          await Promise.all(
            (current?.consumers ?? []).map(async (c) => {
              const lag = await c.lag().catch(() => null);
              if (lag !== null) this.set({ group: c.group }, lag);
            }),
          );
        },
      }),
  );
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metricsText().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err) => {
        opts.logger?.warn({ err: (err as Error).message }, 'metrics scrape failed');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`;
  opts.logger?.info({ url }, 'worker metrics listening');
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
