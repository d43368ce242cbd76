// How every process reaches Kafka: the brokers, and (for a production cluster) SSL and SASL.
//
//   KAFKA_SSL=on                      TLS, verified against the system's roots or KAFKA_SSL_CA
//   KAFKA_SSL_CLIENT_CERT/_KEY        a client certificate, for brokers that ask for one: both, PEM text or a path
//   KAFKA_SASL_MECHANISM              none | plain | scram-sha-256 | scram-sha-512
//   KAFKA_SASL_USERNAME/_PASSWORD     the SASL user
//   KAFKA_MIN_INSYNC_REPLICAS         min.insync.replicas of the topics this engine creates
import { z } from 'zod';
import { KafkaReplicationFactor, NodeEnv } from './env-values';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { keyMatchesCertificate, pemCertificates, pemPrivateKey } from './pem';

const SSL_MATERIAL = ['KAFKA_SSL_CA', 'KAFKA_SSL_CLIENT_CERT', 'KAFKA_SSL_CLIENT_KEY'] as const;
const SASL_USER = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;
const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

export const KafkaConnectionEnv = z
  .object({
    KAFKA_SSL: z.enum(['on', 'off']).default('off'),
    /** The CA (bundle) that signed the brokers' certificates; unset: the system's roots. */
    KAFKA_SSL_CA: pemCertificates.optional(),
    KAFKA_SSL_CLIENT_CERT: pemCertificates.optional(),
    KAFKA_SSL_CLIENT_KEY: pemPrivateKey.optional(),
    KAFKA_SASL_MECHANISM: z.enum(['none', ...SASL_MECHANISMS]).default('none'),
    KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    // Read again (platform/env-values.ts) so that the minimum in-sync replicas can be checked against it.
    KAFKA_REPLICATION_FACTOR: KafkaReplicationFactor,
    /**
     * Unset: min(2, KAFKA_REPLICATION_FACTOR). With 3 replicas, a write is acknowledged (acks=all) once
     * two hold it, so one broker may be down and no acknowledged event is lost with one more failure.
     */
    KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).optional(),
    // Read again for the production-only rule below.
    NODE_ENV: NodeEnv,
  })
  .superRefine(
    // eslint-disable-next-line complexity -- one flat rule per variable, read top to bottom like the docs
    (env, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      // An invalid KAFKA_SSL or KAFKA_SASL_MECHANISM is named by itself; the rest is checked against valid ones.
      if (env.KAFKA_SSL === 'off') {
        for (const name of SSL_MATERIAL) {
          if (env[name] !== undefined) issue(name, 'has no effect without SSL; set KAFKA_SSL=on');
        }
      } else if (env.KAFKA_SSL === 'on') {
        const cert = env.KAFKA_SSL_CLIENT_CERT;
        const key = env.KAFKA_SSL_CLIENT_KEY;
        if (cert !== undefined && key === undefined)
          issue('KAFKA_SSL_CLIENT_KEY', 'required with KAFKA_SSL_CLIENT_CERT');
        if (key !== undefined && cert === undefined)
          issue('KAFKA_SSL_CLIENT_CERT', 'required with KAFKA_SSL_CLIENT_KEY');
        if (keyMatchesCertificate(cert, key) === false)
          issue('KAFKA_SSL_CLIENT_KEY', 'is not the key of KAFKA_SSL_CLIENT_CERT');
      }
      if (env.KAFKA_SASL_MECHANISM === 'none') {
        for (const name of SASL_USER) {
          if (env[name] !== undefined) issue(name, 'has no effect without SASL; set KAFKA_SASL_MECHANISM');
        }
      } else if ((SASL_MECHANISMS as readonly string[]).includes(env.KAFKA_SASL_MECHANISM)) {
        for (const name of SASL_USER) {
          if (env[name] === undefined) issue(name, `required with KAFKA_SASL_MECHANISM=${env.KAFKA_SASL_MECHANISM}`);
        }
        // PLAIN sends the password itself; only a local broker may see it unencrypted.
        if (env.KAFKA_SASL_MECHANISM === 'plain' && env.KAFKA_SSL !== 'on' && env.NODE_ENV === 'production') {
          issue(
            'KAFKA_SASL_MECHANISM',
            'plain sends the password in clear text; set KAFKA_SSL=on (only development and test may go without)',
          );
        }
      }
      const minIsr = env.KAFKA_MIN_INSYNC_REPLICAS;
      const rf = env.KAFKA_REPLICATION_FACTOR;
      if (typeof minIsr === 'number' && typeof rf === 'number' && minIsr > rf) {
        issue(
          'KAFKA_MIN_INSYNC_REPLICAS',
          `at most KAFKA_REPLICATION_FACTOR (${rf}); more would refuse every acks=all write`,
        );
      }
    },
    // Checked even when other variables are wrong, so that every wrong variable is named at once.
    { when: () => true },
  );

export type KafkaConnectionSettings = z.infer<typeof KafkaConnectionEnv>;

/** What a kafkajs client needs from the configuration: the brokers and how to reach them. */
export type KafkaSettings = Pick<
  KafkaConnectionSettings,
  | 'KAFKA_SSL'
  | 'KAFKA_SSL_CA'
  | 'KAFKA_SSL_CLIENT_CERT'
  | 'KAFKA_SSL_CLIENT_KEY'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
> & { KAFKA_BROKERS: string[] };

/** The min.insync.replicas of the topics this engine creates. */
export function minInsyncReplicas(
  settings: Pick<KafkaConnectionSettings, 'KAFKA_REPLICATION_FACTOR' | 'KAFKA_MIN_INSYNC_REPLICAS'>,
): number {
  return settings.KAFKA_MIN_INSYNC_REPLICAS ?? Math.min(2, settings.KAFKA_REPLICATION_FACTOR);
}

/** The security part of a kafkajs client's configuration. */
export function kafkaConnectionOptions(
  settings: Omit<KafkaSettings, 'KAFKA_BROKERS'>,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (settings.KAFKA_SSL === 'on') {
    const { KAFKA_SSL_CA: ca, KAFKA_SSL_CLIENT_CERT: cert, KAFKA_SSL_CLIENT_KEY: key } = settings;
    options.ssl = ca || cert ? { ...(ca ? { ca: [ca] } : {}), ...(cert && key ? { cert, key } : {}) } : true;
  }
  if (settings.KAFKA_SASL_MECHANISM !== 'none') {
    options.sasl = {
      mechanism: settings.KAFKA_SASL_MECHANISM,
      username: settings.KAFKA_SASL_USERNAME!,
      password: settings.KAFKA_SASL_PASSWORD!,
    } as SASLOptions;
  }
  return options;
}
