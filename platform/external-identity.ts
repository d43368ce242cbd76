// An external OpenID Connect provider whose tokens the API accepts besides its own (issue 12). The
// provider is found by issuer discovery ({issuer}/.well-known/openid-configuration names its jwks_uri);
// its keys come from that JWKS through jose's remote key set, which fetches the set again when a token
// names a key it does not hold (no sooner than the cooldown after the last fetch) and once the set is
// older than its maximum age: keys rotate without a restart. Only RS256 and ES256 are accepted, with
// the issuer and audience pinned. This file verifies tokens; which user a token names is
// api/identity.ts's business (linked by `sub`, the verified email as a first-time match only).
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { NodeEnvForRules } from './env-values';
import type { Logger } from './logger';

/** The provider's asymmetric algorithms we accept; never HS256 (whose key anyone holding ours has) or none. */
export const EXTERNAL_ALGORITHMS = ['RS256', 'ES256'] as const;

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** Unset means production, as in platform/config.ts. */
const modeOf = (nodeEnv: string | undefined) => nodeEnv ?? 'production';
/** Plain http is for a provider the tests (or a developer) run on this machine, never for a real one. */
const httpAllowed = (nodeEnv: string | undefined, url: URL) =>
  (modeOf(nodeEnv) === 'test' || modeOf(nodeEnv) === 'development') && LOOPBACK.has(url.hostname);

/** Why a provider URL (the issuer, its jwks_uri) is refused, or null when it is fine. */
export function providerUrlProblem(raw: string, nodeEnv: string | undefined): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.search || url.hash) return 'must have no query or fragment (OpenID Connect Discovery)';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && httpAllowed(nodeEnv, url)) return null;
  return url.protocol === 'http:'
    ? 'must be https (plain http only on loopback, with NODE_ENV=test or development)'
    : 'must be an https URL';
}

const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const seconds = (max: number) => z.coerce.number().int().min(0).max(max);

export const ExternalIdentityEnv = z
  .object({
    // Read again so that the rules below know the mode (platform/env-values.ts).
    NODE_ENV: NodeEnvForRules,
    /** The provider's issuer, exactly as its tokens' `iss` and its discovery document say it. Unset: none. */
    OIDC_ISSUER: z.preprocess(unsetIfEmpty, z.string().optional()),
    /** The `aud` the provider's tokens must carry for this API (an API identifier or a client id). */
    OIDC_AUDIENCE: z.preprocess(unsetIfEmpty, z.string().min(1).optional()),
    /** How soon after a fetch a token with an unknown key id may make the API fetch the JWKS again. */
    OIDC_JWKS_COOLDOWN_SECONDS: seconds(3600).default(30),
    /** How old the fetched JWKS may get before it is fetched again (a removed key lasts at most this). */
    OIDC_JWKS_MAX_AGE_SECONDS: seconds(24 * 3600).default(600),
  })
  .superRefine(
    (env, ctx) => {
      if (env.OIDC_ISSUER !== undefined) {
        const problem = providerUrlProblem(env.OIDC_ISSUER, env.NODE_ENV);
        if (problem) ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: problem });
        if (env.OIDC_AUDIENCE === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['OIDC_AUDIENCE'],
            message: 'required when OIDC_ISSUER is set: the audience its tokens must name for this API',
          });
        }
      } else if (env.OIDC_AUDIENCE !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'required when OIDC_AUDIENCE is set' });
      }
      if (env.OIDC_JWKS_COOLDOWN_SECONDS > env.OIDC_JWKS_MAX_AGE_SECONDS) {
        ctx.addIssue({
          code: 'custom',
          path: ['OIDC_JWKS_COOLDOWN_SECONDS'],
          message: 'at most OIDC_JWKS_MAX_AGE_SECONDS',
        });
      }
    },
    { when: () => true },
  );

export type ExternalIdentitySettings = z.infer<typeof ExternalIdentityEnv>;

/** A provider's token, verified: who it is at the provider, and what the token says of them. */
export interface ExternalToken {
  issuer: string;
  subject: string;
  /** The email the provider vouches for: only when the token says `email_verified: true`. */
  verifiedEmail?: string;
  /** `iat`, in whole seconds (the sessions of issue 12 end tokens issued before a reset). */
  issuedAt: number;
  /** OIDC `auth_time`: when the holder last signed in at the provider (PA-5 wants it fresh). */
  authTime?: Date;
}

/** The token is not one we accept. Its message is safe to show: it never repeats the token. */
export class ExternalTokenRefused extends Error {
  constructor(
    message: string,
    readonly expired = false,
  ) {
    super(message);
  }
}

/** The provider's discovery document or keys could not be had: the token may be fine; try later. */
export class IdentityProviderUnreachable extends Error {}

export interface ExternalIdentityOptions {
  issuer: string;
  audience: string;
  cooldownSeconds: number;
  maxAgeSeconds: number;
  /** NODE_ENV, for the rule on the jwks_uri's scheme (the same as the issuer's). */
  nodeEnv?: string;
  /** How long one fetch of the discovery document or of the JWKS may take. */
  timeoutMs?: number;
  /** How far the provider's clock may be from ours (exp, nbf, iat). */
  clockToleranceSeconds?: number;
  logger?: Logger;
}

const Discovery = z.object({ issuer: z.string(), jwks_uri: z.string() });

const Claims = z.object({
  sub: z.string().min(1).max(255),
  iat: z.number().int().nonnegative(),
  // A malformed email is no email (it matches nobody); it does not make the token invalid.
  email: z.string().min(3).max(320).optional().catch(undefined),
  // Only the boolean true counts: a provider that sends "true" as a string is not read as vouching.
  email_verified: z.unknown().optional(),
  auth_time: z.number().int().positive().optional(),
});

export class ExternalIdentity {
  readonly issuer: string;
  private readonly audience: string;
  private readonly timeoutMs: number;
  private readonly clockTolerance: number;
  private keys?: Promise<JWTVerifyGetKey>;

  constructor(private readonly options: ExternalIdentityOptions) {
    this.issuer = options.issuer;
    this.audience = options.audience;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.clockTolerance = options.clockToleranceSeconds ?? 30;
  }

  /** The provider the configuration names, or none when OIDC_ISSUER is unset. */
  static fromConfig(config: ExternalIdentitySettings & { AUTH_JWT_ISSUER: string }, logger?: Logger) {
    if (!config.OIDC_ISSUER || !config.OIDC_AUDIENCE) return undefined;
    // Tokens go to one verifier or the other by their `iss`: the two must differ.
    if (config.OIDC_ISSUER === config.AUTH_JWT_ISSUER)
      throw new Error('OIDC_ISSUER must differ from AUTH_JWT_ISSUER');
    return new ExternalIdentity({
      issuer: config.OIDC_ISSUER,
      audience: config.OIDC_AUDIENCE,
      cooldownSeconds: config.OIDC_JWKS_COOLDOWN_SECONDS,
      maxAgeSeconds: config.OIDC_JWKS_MAX_AGE_SECONDS,
      nodeEnv: config.NODE_ENV,
      logger,
    });
  }

  /**
   * Does this token claim to come from the provider? Read without verifying, only to pick the
   * verifier: each verifier then checks its own issuer, algorithms and keys.
   */
  claimsToBeFrom(jwt: string): boolean {
    try {
      return decodeJwt(jwt).iss === this.issuer;
    } catch {
      return false;
    }
  }

  async verify(jwt: string): Promise<ExternalToken> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(jwt, this.keyFor, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: [...EXTERNAL_ALGORITHMS],
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: this.clockTolerance,
      }));
    } catch (err) {
      throw refusalOf(err);
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new ExternalTokenRefused('The token has no valid subject or issue time.');
    const { sub, iat, email, email_verified: emailVerified, auth_time: authTime } = claims.data;
    // A token "issued" in the future would outlive a later end of the user's sessions (issue 12).
    if (iat > Date.now() / 1000 + this.clockTolerance) {
      throw new ExternalTokenRefused('The token is issued in the future.');
    }
    return {
      issuer: this.issuer,
      subject: sub,
      issuedAt: iat,
      ...(email && emailVerified === true ? { verifiedEmail: email } : {}),
      ...(authTime ? { authTime: new Date(authTime * 1000) } : {}),
    };
  }

  /** jose asks this for the key of each token: from the provider's remote key set. */
  private readonly keyFor: JWTVerifyGetKey = async (header, token) => {
    const keySet = await this.keySet();
    try {
      return await keySet(header, token);
    } catch (err) {
      // No key with this id even after a fetch (or within the cooldown): the token's fault, not an outage.
      if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys)
        throw err;
      this.options.logger?.warn({ issuer: this.issuer, reason: reasonOf(err) }, 'identity provider keys unavailable');
      throw new IdentityProviderUnreachable("The identity provider's keys could not be fetched; try again shortly.");
    }
  };

  /** Discovery, once (again after a failure): the remote key set at the document's jwks_uri. */
  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= this.discover().catch((err: unknown) => {
      this.keys = undefined;
      this.options.logger?.warn({ issuer: this.issuer, reason: reasonOf(err) }, 'identity provider discovery failed');
      throw new IdentityProviderUnreachable('The identity provider could not be reached; try again shortly.');
    });
    return this.keys;
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    // OpenID Connect Discovery 1.0 §4: a terminating slash of the issuer is removed before the suffix.
    const where = `${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const res = await fetch(where, {
      redirect: 'error',
      signal: AbortSignal.timeout(this.timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
    const document = Discovery.parse(await res.json());
    // §4.3: the document must name exactly the issuer we asked, or it may be someone else's.
    if (document.issuer !== this.issuer) throw new Error('discovery names another issuer');
    const problem = providerUrlProblem(document.jwks_uri, this.options.nodeEnv);
    if (problem) throw new Error(`jwks_uri ${problem}`);
    return createRemoteJWKSet(new URL(document.jwks_uri), {
      cooldownDuration: this.options.cooldownSeconds * 1000,
      cacheMaxAge: this.options.maxAgeSeconds * 1000,
      timeoutDuration: this.timeoutMs,
    });
  }
}

/** What a failed verification tells the caller: a short reason, never the token or its claims. */
function refusalOf(err: unknown): Error {
  if (err instanceof IdentityProviderUnreachable) return err;
  if (err instanceof joseErrors.JWTExpired) return new ExternalTokenRefused('The token has expired.', true);
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) {
    return new ExternalTokenRefused(`The token is not signed with ${EXTERNAL_ALGORITHMS.join(' or ')}.`);
  }
  if (err instanceof joseErrors.JWKSNoMatchingKey) {
    return new ExternalTokenRefused('The token names a key the identity provider does not publish.');
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return new ExternalTokenRefused('The token is not meant for this API (audience).');
    return new ExternalTokenRefused(`The token is not valid (${err.claim} claim).`);
  }
  return new ExternalTokenRefused('The token is not valid.');
}

const reasonOf = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
