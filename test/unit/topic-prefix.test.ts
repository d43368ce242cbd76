// Issue 13: KAFKA_TOPIC_PREFIX puts a deployment's topics (and the worker's consumer groups) apart.
import { loadConfig } from '../../platform/config';
import { Topics, topicConfigs, topicsFor } from '../../domain/topics';

describe('KAFKA_TOPIC_PREFIX', () => {
  it('OPS none by default: the topics keep their names', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config.KAFKA_TOPIC_PREFIX).toBe('');
    expect(topicConfigs(config).map((t) => t.topic)).toEqual([
      Topics.domainEvents,
      Topics.supportTickets,
      Topics.crmAccountOwners,
      Topics.deadLetter,
    ]);
  });

  it('OPS goes before every topic the worker creates and uses', () => {
    const config = loadConfig({ NODE_ENV: 'development', KAFKA_TOPIC_PREFIX: 'staging.' });
    expect(topicsFor(config.KAFKA_TOPIC_PREFIX)).toEqual({
      domainEvents: 'staging.partner-access.domain-events.v1',
      supportTickets: 'staging.partner-access.support-tickets.v1',
      crmAccountOwners: 'staging.partner-access.crm-account-owners.v1',
      deadLetter: 'staging.partner-access.dead-letter.v1',
    });
    expect(topicConfigs(config).map((t) => t.topic)).toEqual(Object.values(topicsFor('staging.')));
  });

  it('OPS refuses what Kafka would refuse in a topic name', () => {
    expect(() => loadConfig({ NODE_ENV: 'development', KAFKA_TOPIC_PREFIX: 'my env/' })).toThrow(
      /KAFKA_TOPIC_PREFIX/,
    );
  });
});
