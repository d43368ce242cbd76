// Issue 12: Temporal's remote codec protocol, so the Temporal UI (and `temporal --codec-endpoint`)
// show decrypted payloads while the server's history stays ciphertext. The browser calls it straight
// from the UI's pages: POST {endpoint}/decode and /encode, body {payloads: [{metadata, data}]} with
// base64 fields, header X-Namespace, and Authorization when the UI passes its user's access token.
//
// Who may decode: in production, an operator: a bearer token the API's identity module accepts,
// naming a support agent (the SupportDesk's decodeTemporalPayloads, domain/authorization). Each
// decode writes an audit row (who, namespace, how many payloads; never their content). The dev
// server's UI signs nobody in, so in development and test anyone on this machine (loopback) may
// decode, and nobody else. In both, only the UI's origins may call it from a browser (CORS).
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Database } from '../platform/database';
import type { Logger } from '../platform/logger';
import { payloadCodec, PayloadDecryptionError, type PayloadCodecSettings } from '../platform/payload-codec';
import type { Authorizer } from '../domain/authorization/authorizer';
import { actorOf, authenticate, type TokenSettings } from './identity';
import { Problem } from './problem';
import { enforce, type Check } from './routes';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** 'operator': a support agent's bearer token (production). 'loopback': any caller on this machine. */
  access: 'operator' | 'loopback';
  /** The Temporal UI's origins (CODEC_CORS_ORIGINS). */
  corsOrigins: readonly string[];
}

export interface CodecServerDeps {
  db: Database;
  tokens: TokenSettings;
  authorizer: Authorizer;
  logger: Logger;
}

/** The audit row's action, and the actor of a loopback decode (nobody signed in). */
export const DECODE_AUDIT_ACTION = 'temporal-payloads.decoded';
export const LOOPBACK_ACTOR_ID = '00000000-0000-0000-0000-000000000000';

/** The codec server of a process's configuration: operators only in production. */
export function codecServerOptions(
  config: PayloadCodecSettings & { NODE_ENV: string; CODEC_CORS_ORIGINS: string[] },
): CodecServerOptions {
  return {
    codec: payloadCodec(config),
    access: config.NODE_ENV === 'production' ? 'operator' : 'loopback',
    corsOrigins: config.CODEC_CORS_ORIGINS,
  };
}

/**
 * The codec server's check in production, the same for both endpoints. The server speaks Temporal's
 * protocol, not the route table's, so the authorization matrix (AM-3) walks these endpoints by name.
 */
export const CODEC_CHECK: Check = {
  action: 'decodeTemporalPayloads',
  resource: { type: 'SupportDesk' },
  denial: 'Only operators (support agents) may use the codec server.',
};
export const CODEC_ENDPOINTS = ['POST /codec/decode', 'POST /codec/encode'] as const;

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const PayloadJson = z.object({ metadata: z.record(z.string(), Base64).optional(), data: Base64.optional() });
/** A history page's payloads fit well within this; a bigger list is not the UI's. */
const MAX_PAYLOADS = 1000;
// Protobuf's JSON leaves an empty list out: the CLI sends `{}` for no payloads.
const Body = z.object({ payloads: z.array(PayloadJson).max(MAX_PAYLOADS).default([]) });
const Namespace = z.string().regex(/^[A-Za-z0-9._-]{1,255}$/);

type PayloadJson = z.infer<typeof PayloadJson>;

const fromJson = (p: PayloadJson): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): PayloadJson => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** The socket's peer, never X-Forwarded-For: a header could claim to be loopback. */
export function isLoopback(req: Request): boolean {
  return LOOPBACK.test(req.socket.remoteAddress ?? '');
}

export function codecServer(deps: CodecServerDeps, options: CodecServerOptions): express.Router {
  const router = express.Router();
  const allowed = new Set(options.corsOrigins);

  // CORS first, so the UI can read refusals too. A browser page of another origin is refused
  // outright, not only kept from reading the answer: its request must not even be decoded.
  router.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    res.vary('Origin');
    if (!allowed.has(origin)) return next(new Problem('forbidden', 'This origin may not call the codec server.'));
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  });

  const operatorOnly: RequestHandler[] = [
    authenticate(deps.db, deps.tokens),
    // The policy decides, as for every route (AM-3), through the routes' own enforce().
    (req, res, next) => {
      enforce(deps.authorizer, actorOf(res), CODEC_CHECK).then(() => next(), next);
    },
  ];
  const loopbackOnly: RequestHandler = (req, _res, next) =>
    next(
      isLoopback(req)
        ? undefined
        : new Problem('forbidden', 'Without sign-in, the codec server answers this machine only.'),
    );
  const access = options.access === 'operator' ? operatorOnly : [loopbackOnly];

  // Histories carry up to 2 MB per payload (Temporal's default limit), base64 a third more.
  const json = express.json({ limit: '8mb', strict: true });

  router.post(
    '/decode',
    access,
    json,
    handler(async (req, res) => {
      const { namespace, payloads } = parse(req);
      // The audit row comes first: a decode that cannot be audited does not happen.
      await deps.db.auditEntry.create({
        data: {
          actorId: options.access === 'operator' ? actorOf(res).userId : LOOPBACK_ACTOR_ID,
          action: DECODE_AUDIT_ACTION,
          subjectId: namespace,
          detail: { namespace, payloads: payloads.length, access: options.access },
        },
      });
      deps.logger.info({ namespace, payloads: payloads.length, access: options.access }, 'temporal payloads decoded');
      const decoded = await options.codec.decode(payloads).catch((err: unknown) => {
        if (err instanceof PayloadDecryptionError) throw new Problem('unprocessable', err.message);
        throw err;
      });
      res.json({ payloads: decoded.map(toJson) });
    }),
  );

  router.post(
    '/encode',
    access,
    json,
    handler(async (req, res) => {
      const { payloads } = parse(req);
      res.json({ payloads: (await options.codec.encode(payloads)).map(toJson) });
    }),
  );

  return router;
}

function parse(req: Request): { namespace: string; payloads: Payload[] } {
  if (!req.is('application/json')) throw new Problem('unsupported-media-type');
  const namespace = Namespace.safeParse(req.headers['x-namespace']);
  if (!namespace.success) throw new Problem('validation-failed', 'Send the namespace in the X-Namespace header.');
  const body = Body.safeParse(req.body);
  if (!body.success) {
    throw new Problem(
      'validation-failed',
      `Send {"payloads": [{"metadata": {…}, "data": "…"}]} with base64 values, at most ${MAX_PAYLOADS}.`,
    );
  }
  return { namespace: namespace.data, payloads: body.data.payloads.map(fromJson) };
}

const handler =
  (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };
