// AM-7: which SMTP failures the email activity gives up on at once, and which it leaves to retries.
// The errors are shaped as nodemailer reports them (code, responseCode).
import { ApplicationFailure } from '@temporalio/common';
import {
  isPermanentSmtpFailure,
  notificationActivities,
  PERMANENT_EMAIL_FAILURE,
} from '../../activities/notifications';
import type { Mailer } from '../../platform/mail';

const smtpError = (message: string, fields: { code?: string; responseCode?: number }) =>
  Object.assign(new Error(message), fields);

const permanent = [
  smtpError('Mailbox unavailable', { code: 'EENVELOPE', responseCode: 550 }),
  smtpError('Message rejected as spam', { code: 'EMESSAGE', responseCode: 554 }),
  smtpError('Invalid login', { code: 'EAUTH', responseCode: 535 }),
  smtpError('Invalid recipient "not an address"', { code: 'EENVELOPE' }),
];
const temporary = [
  smtpError('connect ECONNREFUSED 127.0.0.1:1025', { code: 'ESOCKET' }),
  smtpError('Greeting never received', { code: 'ETIMEDOUT' }),
  smtpError('Mailbox busy, try again later', { code: 'EENVELOPE', responseCode: 450 }),
  smtpError('Service not available', { responseCode: 421 }),
];

it('AM-7 a 5xx answer or a refused recipient is permanent; connection trouble and 4xx answers are not', () => {
  expect(permanent.map(isPermanentSmtpFailure)).toEqual(permanent.map(() => true));
  expect(temporary.map(isPermanentSmtpFailure)).toEqual(temporary.map(() => false));
  expect(isPermanentSmtpFailure('550')).toBe(false);
});

it('AM-7 the email activity makes a permanent failure non-retryable and leaves the rest to retries', async () => {
  const failingWith = (err: Error): Mailer => ({
    send: async () => {
      throw err;
    },
    verify: async () => undefined,
    close: () => undefined,
  });
  const email = { to: 'someone@example.com', subject: 'Hello', text: 'Hi' };
  const refused = await notificationActivities(failingWith(permanent[0]))
    .sendEmail(email)
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ApplicationFailure);
  expect(refused).toMatchObject({ nonRetryable: true, type: PERMANENT_EMAIL_FAILURE });
  expect((refused as Error).message).toMatch(/Mailbox unavailable/);
  await expect(notificationActivities(failingWith(temporary[0])).sendEmail(email)).rejects.toBe(temporary[0]);
});
