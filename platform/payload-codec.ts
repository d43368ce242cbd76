// What Temporal stores of our payloads: workflow and activity inputs and results, signals, updates,
// memos, and (through the failure converter) error messages. Every client and worker converts
// through here, so the server's history holds only ciphertext: names, emails and phones are
// readable only by a process holding a key, or through the codec server (api/codec-server.ts).
//
// AES-256-GCM with named keys. The first key of PAYLOAD_CODEC_KEYS encrypts; every listed key
// decrypts, so keys rotate without downtime: add the new key second, roll out, move it first, roll
// out, and drop the old one only when no history that needs it is kept any more. A payload without
// our encoding (histories from before encryption) passes through unchanged.
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { NodeEnv } from './env-values';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** The `encoding` metadata of an encrypted payload; its data is iv ‖ ciphertext ‖ tag of the whole Payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Which key encrypted the payload: decryption picks it by this id. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/**
 * Local development's key: committed, so npm start works without setup, and refused outside
 * NODE_ENV=development or test (as platform/config.ts refuses the other development secrets).
 */
export const DEV_PAYLOAD_CODEC_KEYS = 'local-dev-1:fgJn1fWk8X9GIofXucFjMVx1OpLCOONhRbqcVV9henc=';
const DEV_KEY_IDS = ['local-dev-1'];
const DEV_KEY_REFUSED = 'a development key; set real keys (only NODE_ENV=development or test accepts it)';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** `id:base64key,id:base64key`, the current (encrypting) key first. Errors never repeat key material. */
export function parsePayloadKeys(text: string, ctx?: z.RefinementCtx): PayloadKey[] {
  const issues: string[] = [];
  const keys: PayloadKey[] = [];
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) issues.push('at least one key: id:base64key[,id:base64key…], the current one first');
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const material = colon < 0 ? '' : entry.slice(colon + 1);
    if (!KEY_ID.test(id)) {
      issues.push(`key ${i + 1}: an id of letters, digits, ".", "_" or "-" before ":" (id:base64key)`);
      return;
    }
    const key = Buffer.from(material, 'base64');
    if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/]+={0,2}$/.test(material)) {
      issues.push(`key "${id}": ${KEY_BYTES} bytes in base64 (e.g. openssl rand -base64 ${KEY_BYTES})`);
      return;
    }
    if (keys.some((k) => k.id === id)) issues.push(`key "${id}" is listed twice`);
    keys.push({ id, key });
  });
  if (issues.length > 0) {
    if (!ctx) throw new Error(issues.join('; '));
    for (const message of issues) ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
  return keys;
}

const origins = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url().transform((u) => new URL(u).origin)));

export const PayloadCodecEnv = z
  .object({
    // Read here only to decide whether the development key may be used (platform/config.ts owns it).
    NODE_ENV: NodeEnv,
    PAYLOAD_CODEC_KEYS: z
      .string()
      .default(DEV_PAYLOAD_CODEC_KEYS)
      .transform((s, ctx) => parsePayloadKeys(s, ctx)),
    /** The Temporal UI's origins: the only pages whose scripts may call the codec server. */
    CODEC_CORS_ORIGINS: origins.default(['http://127.0.0.1:8233', 'http://localhost:8233']),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'development' || env.NODE_ENV === 'test') return;
    const devKeys = parsePayloadKeys(DEV_PAYLOAD_CODEC_KEYS);
    const isDev = (k: PayloadKey) => DEV_KEY_IDS.includes(k.id) || devKeys.some((d) => d.key.equals(k.key));
    if (env.PAYLOAD_CODEC_KEYS.some(isDev)) {
      ctx.addIssue({ code: 'custom', path: ['PAYLOAD_CODEC_KEYS'], message: DEV_KEY_REFUSED });
    }
  });

export type PayloadCodecSettings = Pick<z.infer<typeof PayloadCodecEnv>, 'PAYLOAD_CODEC_KEYS'>;

export class PayloadDecryptionError extends Error {}

/** Temporal's PayloadCodec: encrypt with the first key, decrypt with whichever key a payload names. */
export class EncryptionCodec implements PayloadCodec {
  private readonly currentId: string;
  // Key objects, imported once rather than with every cipher.
  private readonly byId: ReadonlyMap<string, KeyObject>;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new Error('the payload codec needs at least one key');
    this.currentId = keys[0].id;
    this.byId = new Map(keys.map((k) => [k.id, createSecretKey(k.key)]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  encrypt(payload: Payload): Payload {
    const id = this.currentId;
    const key = this.byId.get(id)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id is authenticated too: a payload relabelled with another key id fails, not misreads.
    cipher.setAAD(Buffer.from(id));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
      data: sealed,
    };
  }

  decrypt(payload: Payload): Payload {
    if (!isEncrypted(payload)) return payload;
    const id = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
    const key = this.byId.get(id);
    if (!key) throw new PayloadDecryptionError(`a payload is encrypted with key "${id}", which is not configured`);
    const sealed = Buffer.from(payload.data ?? []);
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('an encrypted payload is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new PayloadDecryptionError(
        `an encrypted payload (key "${id}") failed authentication: altered or corrupt`,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && Buffer.from(encoding).toString() === ENCRYPTED_ENCODING;
}

/** The codec of the configured keys (the codec server decodes with the same). */
export function payloadCodec(settings: PayloadCodecSettings): EncryptionCodec {
  return new EncryptionCodec(settings.PAYLOAD_CODEC_KEYS);
}

/**
 * For Worker.create and new Client. Failures' messages and stack traces travel as an encoded payload
 * too (platform/failure-converter.ts), since a message may name a person.
 */
export function temporalDataConverter(settings: PayloadCodecSettings): DataConverter {
  return {
    payloadCodecs: [payloadCodec(settings)],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}
