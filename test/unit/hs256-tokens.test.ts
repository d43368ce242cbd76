// Issue 13: our own tokens are verified on node:crypto (api/hs256.ts), not jose's WebCrypto path. The
// same tokens must pass and fail as they did under jose's jwtVerify: every case here is asked of both.
import { SignJWT, jwtVerify, errors } from 'jose';
import { createHmac } from 'node:crypto';
import { TokenRefused, verifyHs256 } from '../../api/hs256';

const settings = { secret: 's'.repeat(40), issuer: 'https://issuer.example', audience: 'partner-access' };
const key = (secret: string) => new TextEncoder().encode(secret);
const now = Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signed = (header: object, payload: object, secret = settings.secret) => {
  const text = `${b64(header)}.${b64(payload)}`;
  return `${text}.${createHmac('sha256', secret).update(text).digest('base64url')}`;
};
const claims = { sub: 'u', iss: settings.issuer, aud: settings.audience, iat: now, exp: now + 60 };

/** What jose's jwtVerify says of a token: 'ok', 'expired' or 'invalid'. */
async function jose(token: string): Promise<string> {
  try {
    await jwtVerify(token, key(settings.secret), { ...settings, algorithms: ['HS256'] });
    return 'ok';
  } catch (err) {
    return err instanceof errors.JWTExpired ? 'expired' : 'invalid';
  }
}
function ours(token: string): string {
  try {
    verifyHs256(settings, token);
    return 'ok';
  } catch (err) {
    if (!(err instanceof TokenRefused)) throw err;
    return err.expired ? 'expired' : 'invalid';
  }
}

describe('issue 13: HS256 tokens verified on node:crypto, as jose verified them', () => {
  const good = signed({ alg: 'HS256', typ: 'JWT' }, claims);
  const [h, p, s] = good.split('.');
  const cases: Array<[string, string | (() => Promise<string>), string]> = [
    [
      'a token jose signed',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('u')
          .setIssuer(settings.issuer)
          .setAudience(settings.audience)
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(key(settings.secret)),
      'ok',
    ],
    ['our own signing of the same', good, 'ok'],
    ['an audience list that names us', signed({ alg: 'HS256' }, { ...claims, aud: ['x', settings.audience] }), 'ok'],
    ['no exp (jose does not require it)', signed({ alg: 'HS256' }, { ...claims, exp: undefined }), 'ok'],
    ['another secret', signed({ alg: 'HS256' }, claims, 'x'.repeat(40)), 'invalid'],
    ['alg none, no signature', `${b64({ alg: 'none' })}.${p}.`, 'invalid'],
    ['alg HS512 header over an HS256 signature', signed({ alg: 'HS512' }, claims), 'invalid'],
    ['alg RS256 header', signed({ alg: 'RS256' }, claims), 'invalid'],
    ['a crit header', signed({ alg: 'HS256', crit: ['exp'] }, claims), 'invalid'],
    ['a changed payload', `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`, 'invalid'],
    ['a signature cut short', `${h}.${p}.${s.slice(0, -2)}`, 'invalid'],
    ['no signature', `${h}.${p}.`, 'invalid'],
    ['two parts', `${h}.${p}`, 'invalid'],
    ['another issuer', signed({ alg: 'HS256' }, { ...claims, iss: 'https://evil.example' }), 'invalid'],
    ['no issuer', signed({ alg: 'HS256' }, { ...claims, iss: undefined }), 'invalid'],
    ['another audience', signed({ alg: 'HS256' }, { ...claims, aud: 'someone-else' }), 'invalid'],
    ['no audience', signed({ alg: 'HS256' }, { ...claims, aud: undefined }), 'invalid'],
    ['expired', signed({ alg: 'HS256' }, { ...claims, exp: now - 5 }), 'expired'],
    ['expiring this very second', signed({ alg: 'HS256' }, { ...claims, exp: now }), 'expired'],
    ['not yet valid (nbf)', signed({ alg: 'HS256' }, { ...claims, nbf: now + 60 }), 'invalid'],
    ['exp as a string', signed({ alg: 'HS256' }, { ...claims, exp: String(now + 60) }), 'invalid'],
    ['iat as a string', signed({ alg: 'HS256' }, { ...claims, iat: 'yesterday' }), 'invalid'],
    ['a payload that is a JSON array', signed({ alg: 'HS256' }, [claims]), 'invalid'],
    ['a header that is not JSON', `${Buffer.from('{alg').toString('base64url')}.${p}.${s}`, 'invalid'],
  ];
  it.each(cases)('%s', async (_name, token, expected) => {
    const text = typeof token === 'string' ? token : await token();
    expect({ ours: ours(text), jose: await jose(text) }).toEqual({ ours: expected, jose: expected });
  });

  it('the signature is compared as its exact base64url text: padding added to it is refused', () => {
    expect(ours(`${good}=`)).toBe('invalid');
  });
});
