// Issue 12 (encrypted payloads): the codec every Temporal client and worker converts through.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  DEV_PAYLOAD_CODEC_KEYS,
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  PayloadCodecEnv,
  PayloadDecryptionError,
  parsePayloadKeys,
} from '../../platform/payload-codec';
import { loadConfig } from '../../platform/config';

const key = (id: string) => ({ id, key: randomBytes(32) });
const person = {
  firstName: 'Ana',
  lastName: 'Kowalska',
  email: 'ana.kowalska@vendor.example',
  phone: '+48 601 234 567',
};
const plain = (value: unknown) => defaultPayloadConverter.toPayload(value) as Payload;
const text = (p: Payload) => Buffer.from(p.data ?? []).toString('latin1') + JSON.stringify(p.metadata);
const meta = (p: Payload, name: string) => Buffer.from(p.metadata?.[name] ?? []).toString();

describe('issue 12 payload codec (AES-256-GCM)', () => {
  it('issue 12 encrypts a payload so none of its personal data shows, and decrypts it back whole', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const original = plain(person);
    const [encoded] = await codec.encode([original]);
    expect(meta(encoded, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(meta(encoded, KEY_ID_METADATA)).toBe('k1');
    for (const value of Object.values(person)) expect(text(encoded)).not.toContain(value);
    expect(text(encoded)).not.toContain('json/plain');
    const [decoded] = await codec.decode([encoded]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(person);
    expect(meta(decoded, 'encoding')).toBe('json/plain');
  });

  it('issue 12 never encrypts the same payload to the same bytes (a fresh IV each time)', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const [a, b] = await codec.encode([plain(person), plain(person)]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('issue 12 rotation: the current (first) key encrypts, every listed key decrypts', async () => {
    const old = key('2026-01');
    const next = key('2026-07');
    const before = new EncryptionCodec([old]);
    const during = new EncryptionCodec([next, old]);
    const [fromOld] = await before.encode([plain(person)]);
    const [fromNew] = await during.encode([plain(person)]);
    expect(meta(fromNew, KEY_ID_METADATA)).toBe('2026-07');
    // A process that does not know the new key yet cannot read what the new one wrote: roll out the
    // key as second first, then make it current.
    await expect(before.decode([fromNew])).rejects.toThrow(/key "2026-07", which is not configured/);
    const [a, b] = await during.decode([fromOld, fromNew]);
    expect(defaultPayloadConverter.fromPayload(a)).toEqual(person);
    expect(defaultPayloadConverter.fromPayload(b)).toEqual(person);
  });

  it('issue 12 refuses an altered payload: ciphertext, tag, or a relabelled key id', async () => {
    const k1 = key('k1');
    const k2 = { id: 'k2', key: k1.key };
    const codec = new EncryptionCodec([k1, k2]);
    const [encoded] = await codec.encode([plain(person)]);
    const flipped = (at: number) => {
      const data = Buffer.from(encoded.data!);
      data[at] ^= 1;
      return { ...encoded, data };
    };
    const length = encoded.data!.length;
    for (const at of [0, 12, length - 20, length - 1]) {
      await expect(codec.decode([flipped(at)])).rejects.toThrow(PayloadDecryptionError);
    }
    // Same key bytes under another id: the id is authenticated, so this fails rather than misreading.
    const relabelled = { ...encoded, metadata: { ...encoded.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/failed authentication/);
    await expect(codec.decode([{ ...encoded, data: Buffer.alloc(10) }])).rejects.toThrow(/truncated/);
    await expect(new EncryptionCodec([key('k1')]).decode([encoded])).rejects.toThrow(/failed authentication/);
  });

  it('issue 12 passes payloads without encryption through (histories from before it still read)', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const old = [
      plain(person),
      plain(null),
      plain(undefined),
      defaultPayloadConverter.toPayload(new Uint8Array([1, 2]))!,
    ];
    expect(await codec.decode(old)).toEqual(old);
    expect(await codec.decode([])).toEqual([]);
  });

  it('issue 12 reads PAYLOAD_CODEC_KEYS as id:base64 pairs, current first, and names what is wrong', () => {
    const k = randomBytes(32).toString('base64');
    expect(parsePayloadKeys(`a:${k}, b.2:${k}`).map((x) => x.id)).toEqual(['a', 'b.2']);
    const bad = PayloadCodecEnv.safeParse({ NODE_ENV: 'test', PAYLOAD_CODEC_KEYS: `a:${k},a:${k},b:short,:${k},c` });
    const messages = bad.error!.issues.map((i) => i.message).join('\n');
    expect(messages).toMatch(/key "a" is listed twice/);
    expect(messages).toMatch(/key "b": 32 bytes in base64/);
    expect(messages).toMatch(/key 4: an id/);
    expect(messages).toMatch(/key 5: an id/);
    expect(messages).not.toContain(k);
    expect(PayloadCodecEnv.safeParse({ NODE_ENV: 'test', PAYLOAD_CODEC_KEYS: ' ' }).success).toBe(false);
  });

  it('issue 12 accepts the development key only when NODE_ENV is development or test', () => {
    const real = { AUTH_JWT_SECRET: 'j'.repeat(48), RELATIONSHIP_ID_KEY: 'r'.repeat(48) };
    for (const NODE_ENV of ['development', 'test']) {
      expect(loadConfig({ NODE_ENV }).PAYLOAD_CODEC_KEYS[0].id).toBe('local-dev-1');
    }
    expect(() => loadConfig({ NODE_ENV: 'production', ...real })).toThrow(/PAYLOAD_CODEC_KEYS: a development key/);
    expect(() => loadConfig(real)).toThrow(/PAYLOAD_CODEC_KEYS/);
    // The development key's bytes under another id are still the development key.
    const disguised = `mine:${DEV_PAYLOAD_CODEC_KEYS.split(':')[1]}`;
    expect(() => loadConfig({ NODE_ENV: 'production', ...real, PAYLOAD_CODEC_KEYS: disguised })).toThrow(
      /PAYLOAD_CODEC_KEYS/,
    );
    const own = `prod-1:${randomBytes(32).toString('base64')}`;
    expect(loadConfig({ NODE_ENV: 'production', ...real, PAYLOAD_CODEC_KEYS: own }).PAYLOAD_CODEC_KEYS[0].id).toBe(
      'prod-1',
    );
  });
});
