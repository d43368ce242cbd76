// Every process reads its configuration here, from the environment, through one zod schema.
// Defaults are the local stack's addresses (stack/local.env); a unit test keeps them in step.
import { z } from 'zod';

const DEV_JWT_SECRET = 'local-development-secret-change-me-0123456789';
const DEV_RELATIONSHIP_ID_KEY = 'local-development-relationship-key-0123456789';

const port = z.coerce.number().int().min(1).max(65535);

export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/ })
      .default('postgresql://partner_access:partner_access@127.0.0.1:5432/partner_access'),
    KAFKA_BROKERS: z
      .string()
      .default('127.0.0.1:9092')
      .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'host:port')).min(1)),
    KAFKA_CLIENT_ID: z.string().min(1).default('partner-access'),
    KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).default(1),
    TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'host:port').default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('partner-access'),
    SMTP_HOST: z.string().min(1).default('127.0.0.1'),
    SMTP_PORT: port.default(1025),
    MAIL_FROM: z.string().min(3).default('Partner Access <no-reply@partner-access.example>'),
    API_HOST: z.string().min(1).default('127.0.0.1'),
    API_PORT: port.default(3000),
    PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3000'),
    AUTH_JWT_SECRET: z.string().min(32, 'at least 32 characters').default(DEV_JWT_SECRET),
    AUTH_JWT_ISSUER: z.string().min(1).default('partner-access'),
    AUTH_JWT_AUDIENCE: z.string().min(1).default('partner-access-api'),
    /** Keys the HMAC that turns a third party's email into a relationship id (no PII in workflow ids). */
    RELATIONSHIP_ID_KEY: z.string().min(32, 'at least 32 characters').default(DEV_RELATIONSHIP_ID_KEY),
    /** TPU-1: how long a request waits for the third party's account (default 14 days). */
    TPU_ACCOUNT_WAIT_SECONDS: z.coerce.number().int().positive().max(30 * 24 * 3600).default(14 * 24 * 3600),
  })
  .refine((env) => env.NODE_ENV !== 'production' || env.AUTH_JWT_SECRET !== DEV_JWT_SECRET, {
    message: 'AUTH_JWT_SECRET must be set in production',
    path: ['AUTH_JWT_SECRET'],
  })
  .refine((env) => env.NODE_ENV !== 'production' || env.RELATIONSHIP_ID_KEY !== DEV_RELATIONSHIP_ID_KEY, {
    message: 'RELATIONSHIP_ID_KEY must be set in production',
    path: ['RELATIONSHIP_ID_KEY'],
  });

export type Config = z.infer<typeof EnvSchema>;

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
  return EnvSchema.shape.DATABASE_URL.parse(env.DATABASE_URL);
}
