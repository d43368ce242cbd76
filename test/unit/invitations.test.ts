// Pure rules of invitations and secrets: expiry bounds, reminder time, the resend rate limit, tokens
// and passwords.
import { reminderAt, resendWait, timingsFor } from '../../domain/invitations';
import { hashPassword, hashToken, newToken, tokenMatches, verifyPassword } from '../../platform/secrets';
import { phoneProblem, PhoneNumber } from '../../domain/messages/values/phone';
import { EmailAddress } from '../../domain/messages/values/invitation';

const DAY = 86400;

describe('timings', () => {
  it('BP-4 PP-3 expiry defaults to 7 days, is configurable per kind, and is refused past 30 days', () => {
    expect(timingsFor('BUSINESS_PARTNER').expirySeconds).toBe(7 * DAY);
    expect(timingsFor('PORTAL_USER', { expirySeconds: 3 * DAY }).expirySeconds).toBe(3 * DAY);
    expect(() => timingsFor('PORTAL_USER', { expirySeconds: 31 * DAY })).toThrow(/at most 30 days/);
  });

  it('BP-4 the reminder is due a day before expiry, and not at all when the window is too short', () => {
    expect(reminderAt(0, timingsFor('PORTAL_USER'))).toBe(6 * DAY * 1000);
    expect(reminderAt(0, timingsFor('PORTAL_USER', { expirySeconds: DAY }))).toBeNull();
    expect(reminderAt(0, timingsFor('PORTAL_USER', { reminderBeforeSeconds: 0 }))).toBeNull();
  });

  it('BP-4 resends: at least a minute apart and at most five a day; the answer says how long to wait', () => {
    const t = timingsFor('BUSINESS_PARTNER');
    expect(resendWait([0], 30_000, t)).toBe(30);
    expect(resendWait([0], 60_000, t)).toBeNull();
    const five = [0, 1, 2, 3, 4, 5].map((h) => h * 3600_000);
    expect(resendWait(five, 6 * 3600_000, t)).toBe(19 * 3600); // the first resend (1 h) leaves the day at 25 h
    expect(resendWait(five, 25 * 3600_000 + 1, t)).toBeNull();
  });
});

describe('secrets', () => {
  it('BP-4 PP-3 a token is 256 random bits; only its hash is stored; comparison accepts only the token itself', () => {
    const token = newToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(newToken()).not.toBe(token);
    const stored = hashToken(token);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenMatches(token, stored)).toBe(true);
    expect(tokenMatches(newToken(), stored)).toBe(false);
    expect(tokenMatches(token, null)).toBe(false);
    expect(tokenMatches(token, 'abc')).toBe(false);
  });

  it('PP-3 passwords: scrypt, salted (two hashes of one password differ), verified only by the password', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', a)).toBe(false);
    expect(await verifyPassword('anything', null)).toBe(false);
  });
});

describe('PP-1 phone numbers', () => {
  it.each([
    ['+1 415 555 0132', '+14155550132'],
    ['+14155550132', '+14155550132'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['+49 30 901820', '+4930901820'],
    ['+61 2 9374 4000', '+61293744000'],
    ['  +1 (415) 555-0132 ', '+14155550132'],
  ])('PP-1 %s is good and stored as %s', (input, e164) => {
    expect(phoneProblem(input.trim())).toBeNull();
    expect(PhoneNumber.parse(input)).toBe(e164);
  });

  it.each([
    ['4155550132', /country code/],
    ['+999 1234567', /country code/],
    ['+1 415 555', /too short/],
    ['+1 415 555 0132 0000 1111', /too long/],
    ['+1 123 456 7890', /not a valid phone number for country code \+1/],
    ['call me', /country code/],
    ['+', /not a phone number|country code/],
  ])('PP-1 %s is refused: %s', (input, says) => {
    const r = PhoneNumber.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toMatch(says);
  });
});

it('PP-2 emails are normalized: case and surrounding spaces do not make another address', () => {
  expect(EmailAddress.parse('  Sam.Lee@Partner.Example ')).toBe('sam.lee@partner.example');
  expect(EmailAddress.safeParse('not an email').success).toBe(false);
});
