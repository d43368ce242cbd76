import { loadConfig, ConfigError } from '../../platform/config';

describe('configuration from the environment', () => {
  it('defaults to the local stack', () => {
    const c = loadConfig({ NODE_ENV: 'development' });
    expect(c.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(c.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(c.API_PORT).toBe(3000);
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ API_PORT: 'eighty', KAFKA_BROKERS: 'nohostport' })).toThrow(ConfigError);
    try {
      loadConfig({ API_PORT: 'eighty', KAFKA_BROKERS: 'nohostport' });
    } catch (err) {
      expect((err as Error).message).toMatch(/API_PORT/);
      expect((err as Error).message).toMatch(/KAFKA_BROKERS/);
    }
  });

  it('refuses the development JWT secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(40) })).toThrow(
      /RELATIONSHIP_ID_KEY/,
    );
    const payloadKeys = 'prod-1:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc='; // issue 12: no development key either
    const secrets = {
      AUTH_JWT_SECRET: 'x'.repeat(40),
      RELATIONSHIP_ID_KEY: 'y'.repeat(40),
      PAYLOAD_CODEC_KEYS: payloadKeys,
    };
    expect(loadConfig({ NODE_ENV: 'production', ...secrets }).NODE_ENV).toBe('production');
  });

  it('splits a broker list', () => {
    expect(loadConfig({ NODE_ENV: 'development', KAFKA_BROKERS: 'a:1, b:2' }).KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });
});
