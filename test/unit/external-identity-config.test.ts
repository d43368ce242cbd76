// Issue 12, external identity: the OIDC_* variables are checked with the rest of the configuration,
// each wrong one named with what would be right. Unit tests of the schema fragment and of loadConfig.
import { ConfigError, loadConfig } from '../../platform/config';
import { ExternalIdentity, ExternalIdentityEnv } from '../../platform/external-identity';

/** Every `VARIABLE: message` line the fragment answers for this environment (none when accepted). */
function problems(env: NodeJS.ProcessEnv): string[] {
  const parsed = ExternalIdentityEnv.safeParse(env);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const issuer = 'https://login.example.com/realms/partners';

describe('Issue 12 external identity configuration', () => {
  it('Issue 12 none is configured by default, and an empty variable counts as unset', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ OIDC_ISSUER: '', OIDC_AUDIENCE: '' })).toEqual([]);
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.OIDC_ISSUER).toBeUndefined();
    expect(ExternalIdentity.fromConfig(config)).toBeUndefined();
    expect(config).toMatchObject({ OIDC_JWKS_COOLDOWN_SECONDS: 30, OIDC_JWKS_MAX_AGE_SECONDS: 600 });
  });

  it("Issue 12 NODE_ENV read here too never clashes with the base schema's (present but undefined, or wrong)", () => {
    expect(() => loadConfig({ NODE_ENV: undefined, AUTH_JWT_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV: Invalid option/);
    expect(loadConfig({ NODE_ENV: 'test' }).NODE_ENV).toBe('test');
  });

  it('Issue 12 an https issuer with its audience is accepted in production', () => {
    expect(problems({ NODE_ENV: 'production', OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'partner-access-api' })).toEqual(
      [],
    );
    expect(problems({ OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'partner-access-api' })).toEqual([]); // unset: production
  });

  it('Issue 12 the audience is required when the issuer is set, and the issuer when the audience is', () => {
    expect(problems({ OIDC_ISSUER: issuer })).toEqual([
      'OIDC_AUDIENCE: required when OIDC_ISSUER is set: the audience its tokens must name for this API',
    ]);
    const withoutIssuer = problems({ OIDC_AUDIENCE: 'partner-access-api' });
    expect(withoutIssuer).toEqual(['OIDC_ISSUER: required when OIDC_AUDIENCE is set']);
  });

  it.each([
    ['production', 'http://login.example.com', /must be https \(plain http only on loopback/],
    ['production', 'http://127.0.0.1:8080', /must be https/],
    [undefined, 'http://localhost:8080', /must be https/],
    ['test', 'http://login.example.com', /must be https \(plain http only on loopback/],
    ['test', 'ftp://127.0.0.1/', /must be an https URL/],
    ['test', 'login.example.com', /not a URL/],
    ['production', `${issuer}?tenant=1`, /no query or fragment/],
  ])('Issue 12 NODE_ENV=%s refuses the issuer %s', (NODE_ENV, OIDC_ISSUER, message) => {
    const found = problems({ NODE_ENV, OIDC_ISSUER, OIDC_AUDIENCE: 'partner-access-api' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^OIDC_ISSUER: /);
    expect(found[0]).toMatch(message);
  });

  it.each(['test', 'development'])('Issue 12 NODE_ENV=%s allows a plain http issuer on loopback only', (NODE_ENV) => {
    for (const OIDC_ISSUER of ['http://127.0.0.1:8080', 'http://localhost:8080/realms/x', 'http://[::1]:8080']) {
      expect(problems({ NODE_ENV, OIDC_ISSUER, OIDC_AUDIENCE: 'a' })).toEqual([]);
    }
  });

  it('Issue 12 the JWKS timings: whole seconds, the cooldown no longer than the maximum age', () => {
    const base = { OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'a' };
    expect(problems({ ...base, OIDC_JWKS_COOLDOWN_SECONDS: '700' })).toEqual([
      'OIDC_JWKS_COOLDOWN_SECONDS: at most OIDC_JWKS_MAX_AGE_SECONDS',
    ]);
    expect(problems({ ...base, OIDC_JWKS_MAX_AGE_SECONDS: 'soon' })[0]).toMatch(/^OIDC_JWKS_MAX_AGE_SECONDS: /);
    expect(problems({ ...base, OIDC_JWKS_COOLDOWN_SECONDS: '-1' })[0]).toMatch(/^OIDC_JWKS_COOLDOWN_SECONDS: /);
    expect(problems({ ...base, OIDC_JWKS_COOLDOWN_SECONDS: '5', OIDC_JWKS_MAX_AGE_SECONDS: '60' })).toEqual([]);
  });

  it('Issue 12 loadConfig names the external identity variables with the others at once', () => {
    let message = '';
    try {
      loadConfig({ NODE_ENV: 'test', API_PORT: 'none', OIDC_ISSUER: 'http://login.example.com' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/API_PORT: /);
    expect(message).toMatch(/OIDC_ISSUER: must be https/);
    expect(message).toMatch(/OIDC_AUDIENCE: required when OIDC_ISSUER is set/);
  });

  it("Issue 12 the provider's issuer must differ from the API's own (tokens are routed by iss)", () => {
    const config = loadConfig({ NODE_ENV: 'test', OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'a', AUTH_JWT_ISSUER: issuer });
    expect(() => ExternalIdentity.fromConfig(config)).toThrow(/OIDC_ISSUER must differ from AUTH_JWT_ISSUER/);
    const ok = loadConfig({ NODE_ENV: 'test', OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'a' });
    expect(ExternalIdentity.fromConfig(ok)?.issuer).toBe(issuer);
  });
});
