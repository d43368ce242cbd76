// How every process reaches Temporal: the address, and (for a production cluster) TLS, mTLS or an
// API key. Read by the API's and the scripts' clients and by the worker's native connection alike.
//
//   TEMPORAL_TLS=on                  TLS, verified against the system's roots or TEMPORAL_TLS_SERVER_CA
//   TEMPORAL_TLS_SERVER_NAME         the name the server's certificate must carry, when not the address's host
//   TEMPORAL_TLS_CLIENT_CERT/_KEY    mTLS: both, as PEM text or the path of a PEM file
//   TEMPORAL_API_KEY                 a bearer key (Temporal Cloud); only over TLS
import { checkServerIdentity, connect } from 'node:tls';
import { z } from 'zod';
import type { TLSConfig } from '@temporalio/client';
import { keyMatchesCertificate, pemCertificates, pemPrivateKey } from './pem';

const TLS_MATERIAL = [
  'TEMPORAL_TLS_SERVER_CA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_CLIENT_CERT',
  'TEMPORAL_TLS_CLIENT_KEY',
] as const;

export const TemporalConnectionEnv = z
  .object({
    TEMPORAL_TLS: z.enum(['on', 'off']).default('off'),
    /** The CA (bundle) that signed the server's certificate; unset: the system's roots (Temporal Cloud). */
    TEMPORAL_TLS_SERVER_CA: pemCertificates.optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    TEMPORAL_TLS_CLIENT_CERT: pemCertificates.optional(),
    TEMPORAL_TLS_CLIENT_KEY: pemPrivateKey.optional(),
    TEMPORAL_API_KEY: z.string().min(1).optional(),
  })
  .superRefine(
    (env, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      // An invalid TEMPORAL_TLS is named by itself; the rest is checked against a valid one only.
      if (env.TEMPORAL_TLS === 'off') {
        for (const name of TLS_MATERIAL) {
          if (env[name] !== undefined) issue(name, 'has no effect without TLS; set TEMPORAL_TLS=on');
        }
        // A bearer key over plaintext is readable by anyone on the path, and Temporal Cloud refuses it anyway.
        if (env.TEMPORAL_API_KEY !== undefined)
          issue('TEMPORAL_API_KEY', 'is sent only over TLS; set TEMPORAL_TLS=on');
        return;
      }
      if (env.TEMPORAL_TLS !== 'on') return;
      const cert = env.TEMPORAL_TLS_CLIENT_CERT;
      const key = env.TEMPORAL_TLS_CLIENT_KEY;
      if (cert !== undefined && key === undefined) {
        issue(
          'TEMPORAL_TLS_CLIENT_KEY',
          'required with TEMPORAL_TLS_CLIENT_CERT (mTLS needs the certificate and its key)',
        );
      }
      if (key !== undefined && cert === undefined) {
        issue(
          'TEMPORAL_TLS_CLIENT_CERT',
          'required with TEMPORAL_TLS_CLIENT_KEY (mTLS needs the certificate and its key)',
        );
      }
      if (keyMatchesCertificate(cert, key) === false) {
        issue('TEMPORAL_TLS_CLIENT_KEY', 'is not the key of TEMPORAL_TLS_CLIENT_CERT');
      }
    },
    // Checked even when other variables are wrong, so that every wrong variable is named at once.
    { when: () => true },
  );

export type TemporalConnectionSettings = z.infer<typeof TemporalConnectionEnv>;

/** The options both Connection.connect and NativeConnection.connect take besides the address. */
export function temporalConnectionOptions(settings: TemporalConnectionSettings & { TEMPORAL_NAMESPACE?: string }): {
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
} {
  if (settings.TEMPORAL_TLS !== 'on') return {};
  const tls: TLSConfig = {};
  if (settings.TEMPORAL_TLS_SERVER_CA) tls.serverRootCACertificate = Buffer.from(settings.TEMPORAL_TLS_SERVER_CA);
  if (settings.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = settings.TEMPORAL_TLS_SERVER_NAME;
  if (settings.TEMPORAL_TLS_CLIENT_CERT && settings.TEMPORAL_TLS_CLIENT_KEY) {
    tls.clientCertPair = {
      crt: Buffer.from(settings.TEMPORAL_TLS_CLIENT_CERT),
      key: Buffer.from(settings.TEMPORAL_TLS_CLIENT_KEY),
    };
  }
  if (!settings.TEMPORAL_API_KEY) return { tls };
  return {
    tls,
    apiKey: settings.TEMPORAL_API_KEY,
    // Temporal Cloud's regional (API key) endpoints route each call by this header; others ignore it.
    ...(settings.TEMPORAL_NAMESPACE ? { metadata: { 'temporal-namespace': settings.TEMPORAL_NAMESPACE } } : {}),
  };
}

/**
 * Why a TLS connection to Temporal fails, in the words of a TLS handshake made with the same settings:
 * the SDKs' gRPC channels retry a refused handshake until their deadline and then report only that
 * (the client: "Failed to connect before the deadline"). Undefined when the handshake succeeds.
 */
export async function temporalTlsFailure(
  settings: TemporalConnectionSettings & { TEMPORAL_ADDRESS: string },
  timeoutMs = 3000,
): Promise<string | undefined> {
  if (settings.TEMPORAL_TLS !== 'on') return undefined;
  const [host, port] = [
    settings.TEMPORAL_ADDRESS.replace(/:\d+$/, ''),
    Number(settings.TEMPORAL_ADDRESS.split(':').pop()),
  ];
  const servername = settings.TEMPORAL_TLS_SERVER_NAME ?? host;
  return new Promise((resolve) => {
    let settled = false;
    const done = (reason: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const socket = connect({
      host,
      port,
      // Node refuses an IP address as SNI; the name is still what the certificate is checked against.
      ...(/^[\d.]+$|:/.test(servername) ? {} : { servername }),
      checkServerIdentity: (_host, cert) => checkServerIdentity(servername, cert),
      ALPNProtocols: ['h2'],
      ...(settings.TEMPORAL_TLS_SERVER_CA ? { ca: settings.TEMPORAL_TLS_SERVER_CA } : {}),
      ...(settings.TEMPORAL_TLS_CLIENT_CERT && settings.TEMPORAL_TLS_CLIENT_KEY
        ? { cert: settings.TEMPORAL_TLS_CLIENT_CERT, key: settings.TEMPORAL_TLS_CLIENT_KEY }
        : {}),
    });
    // In TLS 1.3 the server judges the client's certificate after the client has finished its side, so
    // a refusal (an alert) arrives just after 'secureConnect': wait a moment for it.
    let secured = false;
    socket.on('secureConnect', () => {
      secured = true;
      socket.resume();
      setTimeout(() => done(undefined), 500);
    });
    // Some servers (Node's among them) refuse a client certificate by hanging up, without an alert.
    socket.on('close', () => {
      if (!secured) return;
      const cert = settings.TEMPORAL_TLS_CLIENT_CERT
        ? ' it may not accept the client certificate'
        : ' it may want a client certificate';
      done(`the server ended the connection right after the TLS handshake;${cert}`);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const refusedByServer = /alert/i.test(err.message);
      done(`${refusedByServer ? 'the server refused the TLS handshake' : 'TLS handshake failed'}: ${err.message}`);
    });
    const timer = setTimeout(() => done(undefined), timeoutMs);
  });
}

/** The SDK's connection error, explained by a TLS handshake when TLS is what fails. */
export async function explainTemporalConnectError(
  settings: TemporalConnectionSettings & { TEMPORAL_ADDRESS: string },
  err: unknown,
): Promise<unknown> {
  const reason = await temporalTlsFailure(settings).catch(() => undefined);
  if (!reason) return err;
  return new Error(`cannot connect to Temporal at ${settings.TEMPORAL_ADDRESS}: ${reason}`, { cause: err });
}
