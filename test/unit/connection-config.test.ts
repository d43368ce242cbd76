// Issue 12, production connections: the Temporal and Kafka connection settings, checked by the zod
// configuration, each wrong variable named; and what the clients are given from them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../platform/config';
import { temporalConnectionOptions } from '../../platform/temporal-connection';
import { KafkaConnectionEnv, kafkaConnectionOptions, minInsyncReplicas } from '../../platform/kafka-connection';
import { topicConfigs } from '../../domain/topics';
import { TestPki, type Pem } from '../support/certificates';

const dev = { NODE_ENV: 'development' };
const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(40), RELATIONSHIP_ID_KEY: 'y'.repeat(40) };

/**
 * The configuration's complaints, one `VARIABLE: message` line each (none when it loads), about the
 * connections and API_PORT (other concerns' production requirements are theirs to test).
 */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    const lines = (err as Error).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
    return lines.filter((l) => /^(TEMPORAL_|KAFKA_|API_PORT)/.test(l));
  }
}

let pki: TestPki;
let ca: Pem;
let client: Pem;
let other: Pem;
beforeAll(() => {
  pki = new TestPki();
  ca = pki.ca('unit-ca');
  client = pki.leaf('unit-client', ca, 'client');
  other = pki.leaf('unit-other', ca, 'client');
});
afterAll(() => pki.remove());

describe('issue 12 production connections: Temporal', () => {
  it('connects in plaintext by default, as to the local dev server', () => {
    expect(temporalConnectionOptions(loadConfig(dev))).toEqual({});
  });

  it('takes TLS with a server CA and name, and mTLS, as PEM text or as file paths alike', () => {
    const fromText = loadConfig({
      ...dev,
      TEMPORAL_TLS: 'on',
      TEMPORAL_TLS_SERVER_CA: ca.cert,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      TEMPORAL_TLS_CLIENT_CERT: client.cert,
      TEMPORAL_TLS_CLIENT_KEY: client.key,
    });
    const fromFiles = loadConfig({
      ...dev,
      TEMPORAL_TLS: 'on',
      TEMPORAL_TLS_SERVER_CA: ca.certPath,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      TEMPORAL_TLS_CLIENT_CERT: client.certPath,
      TEMPORAL_TLS_CLIENT_KEY: client.keyPath,
    });
    const options = temporalConnectionOptions(fromFiles);
    expect(options).toEqual(temporalConnectionOptions(fromText));
    expect(options).toEqual({
      tls: {
        serverRootCACertificate: Buffer.from(ca.cert),
        serverNameOverride: 'temporal.internal',
        clientCertPair: { crt: Buffer.from(client.cert), key: Buffer.from(client.key) },
      },
    });
  });

  it('sends an API key over TLS with the namespace header Temporal Cloud routes by', () => {
    const c = loadConfig({ ...dev, TEMPORAL_TLS: 'on', TEMPORAL_API_KEY: 'key-1', TEMPORAL_NAMESPACE: 'acme.a1b2c' });
    expect(temporalConnectionOptions(c)).toEqual({
      tls: {},
      apiKey: 'key-1',
      metadata: { 'temporal-namespace': 'acme.a1b2c' },
    });
  });

  it('names every setting that would be ignored or leaked without TLS', () => {
    expect(
      problems({
        ...dev,
        TEMPORAL_TLS_SERVER_CA: ca.cert,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
        TEMPORAL_TLS_CLIENT_CERT: client.cert,
        TEMPORAL_TLS_CLIENT_KEY: client.key,
        TEMPORAL_API_KEY: 'key-1',
      }),
    ).toEqual([
      'TEMPORAL_TLS_SERVER_CA: has no effect without TLS; set TEMPORAL_TLS=on',
      'TEMPORAL_TLS_SERVER_NAME: has no effect without TLS; set TEMPORAL_TLS=on',
      'TEMPORAL_TLS_CLIENT_CERT: has no effect without TLS; set TEMPORAL_TLS=on',
      'TEMPORAL_TLS_CLIENT_KEY: has no effect without TLS; set TEMPORAL_TLS=on',
      'TEMPORAL_API_KEY: is sent only over TLS; set TEMPORAL_TLS=on',
    ]);
  });

  it('wants the client certificate and its key together, and the right key', () => {
    expect(problems({ ...dev, TEMPORAL_TLS: 'on', TEMPORAL_TLS_CLIENT_CERT: client.cert })).toEqual([
      'TEMPORAL_TLS_CLIENT_KEY: required with TEMPORAL_TLS_CLIENT_CERT (mTLS needs the certificate and its key)',
    ]);
    expect(problems({ ...dev, TEMPORAL_TLS: 'on', TEMPORAL_TLS_CLIENT_KEY: client.keyPath })).toEqual([
      'TEMPORAL_TLS_CLIENT_CERT: required with TEMPORAL_TLS_CLIENT_KEY (mTLS needs the certificate and its key)',
    ]);
    expect(
      problems({
        ...dev,
        TEMPORAL_TLS: 'on',
        TEMPORAL_TLS_CLIENT_CERT: client.cert,
        TEMPORAL_TLS_CLIENT_KEY: other.key,
      }),
    ).toEqual(['TEMPORAL_TLS_CLIENT_KEY: is not the key of TEMPORAL_TLS_CLIENT_CERT']);
  });

  it('names a missing file, a file that is no certificate, a certificate given as key, and an encrypted key', () => {
    const encrypted = join(pki.dir, 'encrypted.key');
    writeFileSync(encrypted, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n');
    const found = problems({
      ...dev,
      TEMPORAL_TLS: 'maybe',
      TEMPORAL_TLS_SERVER_CA: join(pki.dir, 'absent.crt'),
      TEMPORAL_TLS_CLIENT_CERT: client.keyPath,
      TEMPORAL_TLS_CLIENT_KEY: client.certPath,
      KAFKA_SSL: 'on',
      KAFKA_SSL_CLIENT_CERT: client.cert,
      KAFKA_SSL_CLIENT_KEY: encrypted,
    });
    expect(found).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS: Invalid option: expected one of "on"\|"off"/),
      expect.stringMatching(
        /^TEMPORAL_TLS_SERVER_CA: neither PEM text nor a readable file \(.*absent\.crt: ENOENT\)$/,
      ),
      'TEMPORAL_TLS_CLIENT_CERT: not a PEM certificate: no CERTIFICATE block',
      'TEMPORAL_TLS_CLIENT_KEY: not a PEM private key: no PRIVATE KEY block',
      'KAFKA_SSL_CLIENT_KEY: not a PEM private key: it is encrypted; give it unencrypted',
    ]);
  });
});

describe('issue 12 production connections: Kafka', () => {
  it('connects in plaintext without SASL by default, as to the local broker', () => {
    expect(kafkaConnectionOptions(loadConfig(dev))).toEqual({});
  });

  it('takes SSL (system roots, or a CA and a client certificate) and SASL SCRAM or PLAIN', () => {
    expect(kafkaConnectionOptions(loadConfig({ ...dev, KAFKA_SSL: 'on' }))).toEqual({ ssl: true });
    const c = KafkaConnectionEnv.parse({
      ...production,
      KAFKA_SSL: 'on',
      KAFKA_SSL_CA: ca.certPath,
      KAFKA_SSL_CLIENT_CERT: client.certPath,
      KAFKA_SSL_CLIENT_KEY: client.key,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'engine',
      KAFKA_SASL_PASSWORD: 'secret',
    });
    expect(kafkaConnectionOptions(c)).toEqual({
      ssl: { ca: [ca.cert], cert: client.cert, key: client.key },
      sasl: { mechanism: 'scram-sha-512', username: 'engine', password: 'secret' },
    });
    const plain = KafkaConnectionEnv.parse({
      ...production,
      KAFKA_SSL: 'on',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    expect(kafkaConnectionOptions(plain)).toEqual({
      ssl: true,
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });
  });

  it('names every bad combination', () => {
    expect(
      problems({
        ...dev,
        KAFKA_SSL_CA: ca.cert,
        KAFKA_SSL_CLIENT_CERT: client.cert,
        KAFKA_SSL_CLIENT_KEY: client.key,
        KAFKA_SASL_USERNAME: 'engine',
        KAFKA_SASL_PASSWORD: 'secret',
      }),
    ).toEqual([
      'KAFKA_SSL_CA: has no effect without SSL; set KAFKA_SSL=on',
      'KAFKA_SSL_CLIENT_CERT: has no effect without SSL; set KAFKA_SSL=on',
      'KAFKA_SSL_CLIENT_KEY: has no effect without SSL; set KAFKA_SSL=on',
      'KAFKA_SASL_USERNAME: has no effect without SASL; set KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_PASSWORD: has no effect without SASL; set KAFKA_SASL_MECHANISM',
    ]);
    expect(problems({ ...dev, KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toEqual([
      'KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM=scram-sha-256',
      'KAFKA_SASL_PASSWORD: required with KAFKA_SASL_MECHANISM=scram-sha-256',
    ]);
    expect(problems({ ...dev, KAFKA_SASL_MECHANISM: 'gssapi' })).toEqual([
      expect.stringMatching(
        /^KAFKA_SASL_MECHANISM: Invalid option: expected one of "none"\|"plain"\|"scram-sha-256"\|"scram-sha-512"/,
      ),
    ]);
    expect(problems({ ...dev, KAFKA_SSL: 'on', KAFKA_SSL_CLIENT_KEY: client.key })).toEqual([
      'KAFKA_SSL_CLIENT_CERT: required with KAFKA_SSL_CLIENT_KEY',
    ]);
    expect(problems({ ...dev, KAFKA_SSL: 'on', KAFKA_SSL_CLIENT_CERT: client.cert })).toEqual([
      'KAFKA_SSL_CLIENT_KEY: required with KAFKA_SSL_CLIENT_CERT',
    ]);
    expect(
      problems({ ...dev, KAFKA_SSL: 'on', KAFKA_SSL_CLIENT_CERT: client.cert, KAFKA_SSL_CLIENT_KEY: other.key }),
    ).toEqual(['KAFKA_SSL_CLIENT_KEY: is not the key of KAFKA_SSL_CLIENT_CERT']);
  });

  it('refuses SASL PLAIN without SSL in production only: it sends the password itself', () => {
    const plain = { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' };
    expect(problems({ ...production, ...plain })).toEqual([
      'KAFKA_SASL_MECHANISM: plain sends the password in clear text; set KAFKA_SSL=on (only ' +
        'development and test may go without)',
    ]);
    expect(problems({ ...dev, ...plain })).toEqual([]);
    expect(problems({ ...production, ...plain, KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toEqual([]);
  });

  it('names every wrong variable at once, across the base schema and both connections', () => {
    expect(problems({ ...dev, API_PORT: 'eighty', TEMPORAL_API_KEY: 'k', KAFKA_SASL_MECHANISM: 'plain' })).toEqual([
      expect.stringMatching(/^API_PORT: /),
      'TEMPORAL_API_KEY: is sent only over TLS; set TEMPORAL_TLS=on',
      'KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM=plain',
      'KAFKA_SASL_PASSWORD: required with KAFKA_SASL_MECHANISM=plain',
    ]);
  });
});

describe('issue 12 production connections: min.insync.replicas', () => {
  it('defaults to min(2, replication factor) and can be set up to the replication factor', () => {
    expect(minInsyncReplicas(loadConfig(dev))).toBe(1);
    expect(minInsyncReplicas(loadConfig({ ...dev, KAFKA_REPLICATION_FACTOR: '2' }))).toBe(2);
    expect(minInsyncReplicas(loadConfig({ ...dev, KAFKA_REPLICATION_FACTOR: '5' }))).toBe(2);
    expect(
      minInsyncReplicas(loadConfig({ ...dev, KAFKA_REPLICATION_FACTOR: '5', KAFKA_MIN_INSYNC_REPLICAS: '3' })),
    ).toBe(3);
    expect(problems({ ...dev, KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '4' })).toEqual([
      'KAFKA_MIN_INSYNC_REPLICAS: at most KAFKA_REPLICATION_FACTOR (3); more would refuse every acks=all write',
    ]);
    expect(problems({ ...dev, KAFKA_MIN_INSYNC_REPLICAS: '0' })).toEqual([
      expect.stringMatching(/^KAFKA_MIN_INSYNC_REPLICAS: /),
    ]);
  });

  it('is set on every topic the engine creates', () => {
    for (const t of topicConfigs(loadConfig({ ...dev, KAFKA_REPLICATION_FACTOR: '3' }))) {
      expect(t.replicationFactor).toBe(3);
      expect(t.configEntries).toContainEqual({ name: 'min.insync.replicas', value: '2' });
    }
  });
});
