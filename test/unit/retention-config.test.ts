// Issue 13: the retention windows are configuration, checked where they could lose an idempotency key.
import { ConfigError, loadConfig } from '../../platform/config';

it('Retention (issue 13): the windows default to 7, 35 and 1 days, every 60 minutes', () => {
  const config = loadConfig({ NODE_ENV: 'test' });
  expect({
    every: config.RETENTION_EVERY_MINUTES,
    published: config.RETENTION_PUBLISHED_EVENTS_DAYS,
    processed: config.RETENTION_PROCESSED_EVENTS_DAYS,
    spent: config.RETENTION_SPENT_SECRETS_DAYS,
  }).toEqual({ every: 60, published: 7, processed: 35, spent: 1 });
});

it('Retention (issue 13): processed events kept less than the topics keep their events is refused, by name', () => {
  expect(() => loadConfig({ NODE_ENV: 'test', RETENTION_PROCESSED_EVENTS_DAYS: '3' })).toThrow(ConfigError);
  expect(() => loadConfig({ NODE_ENV: 'test', RETENTION_PROCESSED_EVENTS_DAYS: '3' })).toThrow(
    /RETENTION_PROCESSED_EVENTS_DAYS: at least 7 days/,
  );
  const noSpentDays = { NODE_ENV: 'test', RETENTION_SPENT_SECRETS_DAYS: '0' };
  expect(() => loadConfig(noSpentDays)).toThrow(/RETENTION_SPENT_SECRETS_DAYS/);
});
