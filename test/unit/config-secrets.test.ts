// AM-1 (hole 5): the built-in development secrets would let anyone mint a token for any user id,
// so only NODE_ENV=development or test, said explicitly, accepts them.
import { ConfigError, EnvSchema, loadConfig } from '../../platform/config';

// Issue 12: production refuses the development payload key too (test/unit/payload-codec.test.ts).
const real = {
  AUTH_JWT_SECRET: 'j'.repeat(48),
  RELATIONSHIP_ID_KEY: 'r'.repeat(48),
  PAYLOAD_CODEC_KEYS: 'prod-1:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=',
};
const devDefaults = loadConfig({ NODE_ENV: 'development' });
const dev = { AUTH_JWT_SECRET: devDefaults.AUTH_JWT_SECRET, RELATIONSHIP_ID_KEY: devDefaults.RELATIONSHIP_ID_KEY };

/** The configuration error's message, or fails the test if the environment is accepted. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`accepted: ${JSON.stringify(env)}`);
}

describe('AM-1 development secrets', () => {
  it('AM-1 refuses the development JWT secret and HMAC key when NODE_ENV is unset', () => {
    const message = refusal({});
    expect(message).toMatch(/AUTH_JWT_SECRET: .*development/);
    expect(message).toMatch(/RELATIONSHIP_ID_KEY: .*development/);
  });

  it('AM-1 treats an unset NODE_ENV as production', () => {
    expect(loadConfig(real).NODE_ENV).toBe('production');
  });

  it('AM-1 refuses the development secrets in production, each named', () => {
    expect(refusal({ NODE_ENV: 'production' })).toMatch(/AUTH_JWT_SECRET[^]*RELATIONSHIP_ID_KEY/);
    expect(refusal({ NODE_ENV: 'production', AUTH_JWT_SECRET: real.AUTH_JWT_SECRET })).not.toMatch(/AUTH_JWT_SECRET/);
  });

  it('AM-1 refuses a development value set explicitly, for either secret', () => {
    const message = refusal({ AUTH_JWT_SECRET: dev.AUTH_JWT_SECRET, RELATIONSHIP_ID_KEY: dev.AUTH_JWT_SECRET });
    expect(message).toMatch(/AUTH_JWT_SECRET/);
    expect(message).toMatch(/RELATIONSHIP_ID_KEY/);
    expect(refusal({ NODE_ENV: 'production', ...real, RELATIONSHIP_ID_KEY: dev.RELATIONSHIP_ID_KEY })).toMatch(
      /RELATIONSHIP_ID_KEY/,
    );
  });

  it('AM-1 names the secrets alongside every other wrong variable', () => {
    const message = refusal({ API_PORT: 'eighty' });
    for (const name of ['API_PORT', 'AUTH_JWT_SECRET', 'RELATIONSHIP_ID_KEY']) expect(message).toContain(`${name}:`);
  });

  it('AM-1 refuses secrets shorter than 32 characters', () => {
    for (const NODE_ENV of [undefined, 'production']) {
      const message = refusal({ NODE_ENV, AUTH_JWT_SECRET: 'x'.repeat(31), RELATIONSHIP_ID_KEY: 'short' });
      expect(message).toMatch(/AUTH_JWT_SECRET: at least 32 characters/);
      expect(message).toMatch(/RELATIONSHIP_ID_KEY: at least 32 characters/);
    }
    expect(loadConfig({ ...real, AUTH_JWT_SECRET: 'x'.repeat(32) }).AUTH_JWT_SECRET).toHaveLength(32);
  });

  it.each(['development', 'test'])('AM-1 accepts the development secrets when NODE_ENV is %s', (NODE_ENV) => {
    expect(loadConfig({ NODE_ENV })).toMatchObject({ NODE_ENV, ...dev });
    expect(loadConfig({ NODE_ENV, ...dev }).NODE_ENV).toBe(NODE_ENV);
  });

  it('AM-1 accepts real secrets in production', () => {
    const { PAYLOAD_CODEC_KEYS: _keys, ...secrets } = real;
    expect(loadConfig({ NODE_ENV: 'production', ...real })).toMatchObject({ NODE_ENV: 'production', ...secrets });
  });

  it('AM-1 refuses a NODE_ENV it does not know rather than guessing', () => {
    expect(EnvSchema.safeParse({ NODE_ENV: 'staging', ...real }).success).toBe(false);
  });
});
