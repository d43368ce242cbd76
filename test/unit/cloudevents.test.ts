import { fromKafkaMessage, NotACloudEvent, toKafkaMessage } from '../../events/cloudevents';

const event = {
  id: '5d4f2f0e-0a7e-4c1e-9d36-2f1f3f6c9a10',
  source: '/partner-access/engine',
  type: 'partneraccess.tpu.access-enabled.v1',
  subject: 'user-1',
  time: '2026-11-22T10:00:00.000Z',
  partitionkey: 'relationship-1',
  sequence: '42',
  data: { relationshipId: 'relationship-1' },
};

const asRecord = (m: ReturnType<typeof toKafkaMessage>) => ({
  key: Buffer.from(String(m.key)),
  value: Buffer.from(String(m.value)),
  headers: Object.fromEntries(Object.entries(m.headers!).map(([k, v]) => [k, Buffer.from(String(v))])),
});

describe('INT-3 CloudEvents binary mode on Kafka', () => {
  it('puts attributes in ce_ headers, the aggregate in the key and the data in the value, and reads them back', () => {
    const m = toKafkaMessage(event);
    expect(m.key).toBe('relationship-1');
    expect(JSON.parse(String(m.value))).toEqual(event.data);
    expect(m.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: event.type,
      ce_id: event.id,
      'content-type': 'application/json',
    });
    expect(fromKafkaMessage(asRecord(m))).toEqual(event);
  });

  it('refuses a record without the required attributes, naming them', () => {
    const m = asRecord(toKafkaMessage(event));
    delete (m.headers as Record<string, unknown>).ce_id;
    expect(() => fromKafkaMessage(m)).toThrow(NotACloudEvent);
    expect(() => fromKafkaMessage(m)).toThrow(/ce_id/);
  });

  it('refuses an unversioned type and a value that is not JSON', () => {
    const unversioned = asRecord(toKafkaMessage({ ...event, type: 'partneraccess.tpu.access-enabled' }));
    expect(() => fromKafkaMessage(unversioned)).toThrow(/versioned type/);
    const notJson = { ...asRecord(toKafkaMessage(event)), value: Buffer.from('{oops') };
    expect(() => fromKafkaMessage(notJson)).toThrow(/not JSON/);
  });
});
