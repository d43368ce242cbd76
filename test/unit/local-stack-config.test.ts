// docker-compose.yml cannot run on machines without Docker, so this keeps it honest: its services,
// ports and variable names must agree with the local stack (stack/local.env) and the processes'
// configuration schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { envVariableNames, loadConfig } from '../../platform/config';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { readLocalEnv, repoRoot } from '../support/local-env';

type Service = { ports?: string[]; environment?: Record<string, unknown>; command?: string[] };
const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const local = readLocalEnv();
const portOf = (hostPort: string) => hostPort.split(':').at(-1)!;
const published = (svc: string) => (compose.services[svc].ports ?? []).map((p) => p.split(':')[1]);

describe('docker-compose.yml agrees with the local stack', () => {
  it('has the same services plus the worker and the API', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'kafka', 'temporal', 'mail', 'worker', 'api']),
    );
  });

  it('publishes the same ports', () => {
    expect(published('postgres')).toEqual([new URL(local.DATABASE_URL).port]);
    expect(published('kafka')).toEqual([portOf(local.KAFKA_BROKERS)]);
    expect(published('temporal')).toEqual([portOf(local.TEMPORAL_ADDRESS), local.TEMPORAL_UI_PORT]);
    expect(published('mail')).toEqual([local.SMTP_PORT, local.MAIL_UI_PORT]);
    expect(published('api')).toEqual([local.API_PORT]);
  });

  it(
    'gives the worker and the API only variables the configuration schema knows, with the ' +
      'same names as the local stack',
    () => {
      const known = envVariableNames;
      for (const svc of ['worker', 'api']) {
        const env = compose.services[svc].environment!;
        for (const name of Object.keys(env)) expect(known).toContain(name);
        for (const name of [
          'DATABASE_URL',
          'KAFKA_BROKERS',
          'TEMPORAL_ADDRESS',
          'TEMPORAL_NAMESPACE',
          'SMTP_HOST',
          'SMTP_PORT',
          'API_PORT',
        ]) {
          expect(env).toHaveProperty(name);
          expect(local).toHaveProperty(name);
        }
      }
    },
  );

  it('AM-1 runs the worker and the API in production, refusing to start without real secrets', () => {
    for (const svc of ['worker', 'api']) {
      const env = compose.services[svc].environment!;
      expect(env.NODE_ENV).toBe('production');
      for (const name of ['AUTH_JWT_SECRET', 'RELATIONSHIP_ID_KEY', 'PAYLOAD_CODEC_KEYS']) {
        expect(env[name]).toMatch(new RegExp(`^\\$\\{${name}:\\?.+\\}$`)); // compose stops if it is unset or empty
      }
    }
    expect(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')).toMatch(/^ENV NODE_ENV=production$/m);
  });

  it('registers the same search attributes as the local stack and the code', () => {
    const fromCode = searchAttributeKeys.map((k) => `${k.name}=Keyword`).sort();
    expect(local.TEMPORAL_SEARCH_ATTRIBUTES.split(' ').sort()).toEqual(fromCode);
    const fromCompose = compose.services.temporal
      .command!.filter((a) => a.startsWith('--search-attribute='))
      .map((a) => a.split('=').slice(1).join('='))
      .sort();
    expect(fromCompose).toEqual(fromCode);
  });
});

describe('the configuration defaults are the local stack', () => {
  it('matches stack/local.env', () => {
    expect(local.NODE_ENV).toBe('development'); // npm start and the benches may use the development secrets
    const defaults = loadConfig({ NODE_ENV: local.NODE_ENV });
    expect(defaults.DATABASE_URL).toBe(local.DATABASE_URL);
    expect(defaults.KAFKA_BROKERS.join(',')).toBe(local.KAFKA_BROKERS);
    expect(defaults.TEMPORAL_ADDRESS).toBe(local.TEMPORAL_ADDRESS);
    expect(defaults.TEMPORAL_NAMESPACE).toBe(local.TEMPORAL_NAMESPACE);
    expect(defaults.SMTP_HOST).toBe(local.SMTP_HOST);
    expect(String(defaults.SMTP_PORT)).toBe(local.SMTP_PORT);
    expect(String(defaults.API_PORT)).toBe(local.API_PORT);
  });
});
