// Certificates and keys for the production connections (Temporal, Kafka), given either as PEM text
// (a secret injected as an environment value) or as the path of a PEM file (a mounted secret). Both
// are read and checked when the configuration loads, so a wrong file is named at start, not at the
// first connection. A rotated file is picked up at the next start.
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { z } from 'zod';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

function readPem(value: string): { pem: string } | { error: string } {
  if (value.trimStart().startsWith('-----BEGIN ')) return { pem: value };
  try {
    return { pem: readFileSync(value, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { error: `neither PEM text nor a readable file (${value}: ${code})` };
  }
}

/**
 * A PEM value (text or a file's path) whose blocks `pick` turns into what is kept, or refuses with an
 * Error that says why: read and checked when the configuration loads.
 */
function pemValue(what: string, pick: (blocks: RegExpExecArray[]) => string) {
  return z
    .string()
    .min(1)
    .transform((value, ctx) => {
      const read = readPem(value);
      if ('error' in read) {
        ctx.addIssue({ code: 'custom', message: read.error });
        return z.NEVER;
      }
      try {
        return pick([...read.pem.matchAll(PEM_BLOCK)]);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not a PEM ${what}: ${(err as Error).message}` });
        return z.NEVER;
      }
    });
}

/** One or more X.509 certificates (a CA bundle may hold several), returned as PEM text. */
export const pemCertificates = pemValue('certificate', (blocks) => {
  const certs = blocks.filter((b) => b[1] === 'CERTIFICATE');
  if (certs.length === 0) throw new Error('no CERTIFICATE block');
  for (const c of certs) new X509Certificate(c[0]);
  return certs.map((c) => c[0]).join('\n') + '\n';
});

/** An unencrypted private key (PKCS#8, PKCS#1 or SEC1), returned as PEM text. */
export const pemPrivateKey = pemValue('private key', (blocks) => {
  const block = blocks.find((b) => /PRIVATE KEY$/.test(b[1]));
  if (!block) throw new Error('no PRIVATE KEY block');
  if (block[1] === 'ENCRYPTED PRIVATE KEY') throw new Error('it is encrypted; give it unencrypted');
  createPrivateKey(block[0]);
  return block[0] + '\n';
});

/** False when the key is not the one the (first) certificate was issued for; undefined when either is unreadable. */
export function keyMatchesCertificate(certPem: unknown, keyPem: unknown): boolean | undefined {
  if (typeof certPem !== 'string' || typeof keyPem !== 'string') return undefined;
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return undefined;
  }
}
