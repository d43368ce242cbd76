// Every process reads its configuration here, from the environment, through one zod schema.
// Defaults are the local stack's addresses (stack/local.env); a unit test keeps them in step.
import { z } from 'zod';
import { KafkaReplicationFactor, NodeEnv } from './env-values';
import { TemporalConnectionEnv } from './temporal-connection';
import { KafkaConnectionEnv } from './kafka-connection';
import { PayloadCodecEnv } from './payload-codec';
import { ExternalIdentityEnv } from './external-identity';
import { TracingEnv } from './tracing-env';

const DEV_JWT_SECRET = 'local-development-secret-change-me-0123456789';
const DEV_RELATIONSHIP_ID_KEY = 'local-development-relationship-key-0123456789';
/** AM-1: the secrets whose built-in development values only development and test may run with. */
const SECRETS = ['AUTH_JWT_SECRET', 'RELATIONSHIP_ID_KEY'] as const;
const DEV_SECRETS: readonly string[] = [DEV_JWT_SECRET, DEV_RELATIONSHIP_ID_KEY];
const DEV_SECRET_REFUSED = 'a development value; set a real secret (only NODE_ENV=development or test accepts it)';
const secret = (devValue: string) => z.string().min(32, 'at least 32 characters').default(devValue);

const port = z.coerce.number().int().min(1).max(65535);

const BaseEnv = z
  .object({
    NODE_ENV: NodeEnv,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/ })
      .default('postgresql://partner_access:partner_access@127.0.0.1:5432/partner_access'),
    KAFKA_BROKERS: z
      .string()
      .default('127.0.0.1:9092')
      .transform((s) =>
        s
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'host:port')).min(1)),
    KAFKA_CLIENT_ID: z.string().min(1).default('partner-access'),
    // Issue 13: put before every topic and consumer group the engine uses, so two deployments (or test
    // runs) on one cluster neither share groups nor read each other's records. Set once per environment.
    KAFKA_TOPIC_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9._-]{0,100}$/, 'letters, digits, ".", "_" or "-" (a Kafka topic name)')
      .default(''),
    KAFKA_REPLICATION_FACTOR: KafkaReplicationFactor,
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^:\s]+:\d+$/, 'host:port')
      .default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('partner-access'),
    SMTP_HOST: z.string().min(1).default('127.0.0.1'),
    SMTP_PORT: port.default(1025),
    MAIL_FROM: z.string().min(3).default('Partner Access <no-reply@partner-access.example>'),
    API_HOST: z.string().min(1).default('127.0.0.1'),
    API_PORT: port.default(3000),
    PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3000'),
    // Express's `trust proxy`: whose X-Forwarded-For names the client the abuse limits count. Off (the
    // socket's peer) unless the API sits behind proxies: a hop count ("1") or their addresses or subnets
    // ("10.0.0.0/8,loopback"). "true" trusts any sender's header, so anyone could pick their own IP.
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((v): boolean | number | string => (v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v))
      .refine((v) => v !== 'true', 'a hop count or the proxies\' addresses; "true" lets any client choose its IP'),
    AUTH_JWT_SECRET: secret(DEV_JWT_SECRET),
    AUTH_JWT_ISSUER: z.string().min(1).default('partner-access'),
    AUTH_JWT_AUDIENCE: z.string().min(1).default('partner-access-api'),
    /** Keys the HMAC that turns a third party's email into a relationship id (no PII in workflow ids). */
    RELATIONSHIP_ID_KEY: secret(DEV_RELATIONSHIP_ID_KEY),
    /** TPU-1: how long a request waits for the third party's account (default 14 days). */
    TPU_ACCOUNT_WAIT_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .max(30 * 24 * 3600)
      .default(14 * 24 * 3600),
    // AM-2: at start the worker gives every open client relationship without a workflow its workflow.
    // Off only for a worker that shares a database it does not own (a benchmark's, a test's).
    CLIENT_RELATIONSHIP_ADOPTION: z.enum(['on', 'off']).default('on'),
    // Issue 13, retention (domain/retention.ts says why each window is safe). Days, pruned by the
    // retention workflow on a Temporal Schedule every RETENTION_EVERY_MINUTES.
    RETENTION_EVERY_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
    RETENTION_PUBLISHED_EVENTS_DAYS: z.coerce.number().int().min(1).default(7),
    // At least the inbound topics' retention (7 days): an idempotency key must outlive its redeliveries.
    RETENTION_PROCESSED_EVENTS_DAYS: z.coerce
      .number()
      .int()
      .min(7, "at least 7 days, the inbound topics' retention: a redelivered event must still be known")
      .default(35),
    RETENTION_SPENT_SECRETS_DAYS: z.coerce.number().int().min(1).default(1),
    // Issue 13, metrics: the worker's Prometheus listener (GET /metrics; 0 turns it off), and the Temporal
    // SDK runtime's own metrics on a port of their own (0, the default: not served). The API serves
    // its metrics on its own port.
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
    TEMPORAL_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  })
  .superRefine(
    (env, ctx) => {
      if (env.NODE_ENV === 'development' || env.NODE_ENV === 'test') return;
      const refused = SECRETS.filter((name) => DEV_SECRETS.includes(env[name]));
      for (const name of refused) ctx.addIssue({ code: 'custom', path: [name], message: DEV_SECRET_REFUSED });
    },
    // Checked even when other variables are wrong, so that every wrong variable is named at once.
    { when: () => true },
  );

// Each production concern (Temporal and Kafka connections, payload encryption, an external identity
// provider) declares and checks its own variables next to the code that uses them.
export const EnvSchema = BaseEnv.and(TemporalConnectionEnv)
  .and(KafkaConnectionEnv)
  .and(PayloadCodecEnv)
  .and(ExternalIdentityEnv)
  .and(TracingEnv);

export type Config = z.infer<typeof EnvSchema>;

/** Every variable the configuration reads (a deployment's environment may name no other). */
export const envVariableNames: readonly string[] = [
  BaseEnv,
  TemporalConnectionEnv,
  KafkaConnectionEnv,
  PayloadCodecEnv,
  ExternalIdentityEnv,
  TracingEnv,
].flatMap((schema) => Object.keys(schema.shape));

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Prisma's CLI config needs only the database URL, without the rest of the schema. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return BaseEnv.shape.DATABASE_URL.parse(env.DATABASE_URL);
}
