// AsyncAPI 3.0 description of every topic this engine produces and consumes, built from the same
// zod schemas the outbox and the consumers check against.
import { z } from 'zod';
import { EventCatalog, InboundTypes } from '../domain/events';
import { Topics } from '../domain/topics';
import { CrmAccountOwnerStatusV1 } from '../domain/messages/events/crm.v1';
import { SupportTicketV1 } from '../domain/messages/events/support.v1';

/** JSON Schema of a contract; named schemas go to components.schemas and are referenced from there. */
function schemaRef(s: z.ZodType, components: Record<string, unknown>): unknown {
  const {
    definitions = {},
    $schema: _dialect,
    ...root
  } = z.toJSONSchema(s, { target: 'draft-7', unrepresentable: 'any', io: 'input' }) as Record<string, any>;
  const relocate = (v: unknown) =>
    JSON.parse(JSON.stringify(v).replaceAll('"#/definitions/', '"#/components/schemas/'));
  for (const [name, def] of Object.entries(definitions)) components[name] = relocate(def);
  return relocate(root);
}

const ceHeaders = (type: string) => ({
  type: 'object',
  description: 'CloudEvents 1.0 attributes, Kafka binding, binary content mode',
  required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'content-type'],
  properties: {
    ce_specversion: { const: '1.0' },
    ce_id: { type: 'string', description: 'Unique per event; consumers de-duplicate on it' },
    ce_source: { type: 'string' },
    ce_type: { const: type },
    ce_time: { type: 'string', format: 'date-time' },
    ce_subject: { type: 'string' },
    ce_sequence: { type: 'string', description: 'Outbox sequence; increases within an aggregate' },
    'content-type': { const: 'application/json' },
  },
});

const messageId = (type: string) => type.replace(/[^A-Za-z0-9]+/g, '_');

export function asyncApiDocument() {
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const jsonSchema = (s: z.ZodType) => schemaRef(s, schemas);
  const produced: Record<string, { $ref: string }> = {};
  for (const [type, entry] of Object.entries(EventCatalog)) {
    messages[messageId(type)] = {
      name: type,
      summary: entry.summary,
      contentType: 'application/json',
      headers: ceHeaders(type),
      payload: jsonSchema(entry.data),
      correlationId: { location: '$message.header#/ce_id' },
      bindings: { kafka: { key: { type: 'string', description: `the ${entry.aggregateType} id (aggregate)` } } },
    };
    produced[messageId(type)] = { $ref: `#/components/messages/${messageId(type)}` };
  }
  const inbound = [
    [
      InboundTypes.crmAccountOwnerStatus,
      CrmAccountOwnerStatusV1,
      "The CRM's Account Owner status of a partner user for an organization (INT-2)",
      'the organization external id',
    ],
    [
      InboundTypes.supportTicketSubmitted,
      SupportTicketV1,
      'A support ticket that starts or drives a workflow (INT-1)',
      'the ticket id',
    ],
  ] as const;
  for (const [type, schema, summary, key] of inbound) {
    messages[messageId(type)] = {
      name: type,
      summary,
      contentType: 'application/json',
      headers: ceHeaders(type),
      payload: jsonSchema(schema),
      bindings: { kafka: { key: { type: 'string', description: key } } },
    };
  }
  const ref = (type: string) => ({ [messageId(type)]: { $ref: `#/components/messages/${messageId(type)}` } });

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Partner Access Engine events',
      version: '1',
      description:
        'Domain events (CloudEvents 1.0, Kafka binding, binary mode: attributes in ce_* headers, ' +
        'data as the JSON value). Keys are aggregate ids, so one aggregate stays in order on one partition. ' +
        'Delivery is at least once: de-duplicate on ce_id.',
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The local stack' } },
    channels: {
      domainEvents: {
        address: Topics.domainEvents,
        description: 'Every state change of the engine (INT-3). 6 partitions, 7 days retention.',
        messages: produced,
      },
      crmAccountOwners: {
        address: Topics.crmAccountOwners,
        description: 'Produced by the CRM. 3 partitions, 7 days retention.',
        messages: ref(InboundTypes.crmAccountOwnerStatus),
      },
      supportTickets: {
        address: Topics.supportTickets,
        description: 'Produced by the help desk. 3 partitions, 7 days retention.',
        messages: ref(InboundTypes.supportTicketSubmitted),
      },
      deadLetter: {
        address: Topics.deadLetter,
        description:
          'Inbound messages a consumer could not handle: the original key, value and headers, plus dlq_reason, ' +
          'dlq_consumer, dlq_topic, dlq_partition, dlq_offset, dlq_time. 1 partition, 30 days retention.',
        messages: { ...ref(InboundTypes.crmAccountOwnerStatus), ...ref(InboundTypes.supportTicketSubmitted) },
      },
    },
    operations: {
      publishDomainEvents: {
        action: 'send',
        channel: { $ref: '#/channels/domainEvents' },
        summary: 'The outbox relay publishes each committed state change',
        messages: Object.keys(produced).map((id) => ({ $ref: `#/channels/domainEvents/messages/${id}` })),
      },
      receiveCrmAccountOwners: {
        action: 'receive',
        channel: { $ref: '#/channels/crmAccountOwners' },
        messages: [{ $ref: `#/channels/crmAccountOwners/messages/${messageId(InboundTypes.crmAccountOwnerStatus)}` }],
      },
      receiveSupportTickets: {
        action: 'receive',
        channel: { $ref: '#/channels/supportTickets' },
        messages: [{ $ref: `#/channels/supportTickets/messages/${messageId(InboundTypes.supportTicketSubmitted)}` }],
      },
      sendDeadLetters: {
        action: 'send',
        channel: { $ref: '#/channels/deadLetter' },
        messages: [
          { $ref: `#/channels/deadLetter/messages/${messageId(InboundTypes.crmAccountOwnerStatus)}` },
          { $ref: `#/channels/deadLetter/messages/${messageId(InboundTypes.supportTicketSubmitted)}` },
        ],
      },
    },
    components: { messages, schemas },
  };
}
