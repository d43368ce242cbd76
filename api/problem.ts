// RFC 9457 problem details. Each kind of error has one stable `type` URI that clients can switch on;
// `title` is fixed per type, `detail` explains this occurrence.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../platform/logger';

const TYPE_BASE = 'https://partner-access.example/problems/';

export const ProblemTypes = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'You may not do this' },
  'account-suspended': { status: 403, title: 'This account is suspended' },
  'switched-in': { status: 403, title: 'Switched into a customer account: switch back first' },
  'reauthentication-required': { status: 401, title: 'Sign in again to do this' },
  'seats-full': { status: 409, title: 'Every seat of this licence is taken' },
  'partner-in-control': { status: 403, title: 'The business partner has taken full control of their organization' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'duplicate-email': { status: 409, title: 'This email already belongs to an account here' },
  'invitation-expired': { status: 409, title: 'The invitation has expired' },
  'invitation-closed': { status: 409, title: 'The invitation is no longer open' },
  'link-superseded': { status: 409, title: 'A newer link replaced this one' },
  'link-expired': { status: 409, title: 'The link has expired or was used' },
  'rate-limited': { status: 429, title: 'Too many requests; try again later' },
  'unsupported-media-type': { status: 415, title: 'Send application/json' },
  unprocessable: { status: 422, title: 'The request cannot be carried out' },
  'not-ready': { status: 503, title: 'A dependency is not reachable' },
  internal: { status: 500, title: 'Internal error' },
} as const;

export type ProblemType = keyof typeof ProblemTypes;

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export class Problem extends Error {
  constructor(
    readonly kind: ProblemType,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? ProblemTypes[kind].title);
  }

  get status(): number {
    return ProblemTypes[this.kind].status;
  }

  body(instance?: string): ProblemBody {
    const { status, title } = ProblemTypes[this.kind];
    return {
      type: problemTypeUri(this.kind),
      title,
      status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export function problemTypeUri(kind: ProblemType): string {
  return TYPE_BASE + kind;
}

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new Problem('not-found', `No route for ${req.method} ${req.path}`));
};

/** The one error handler: every error leaves as problem+json; unknown errors are logged, not shown. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let problem: Problem;
    if (err instanceof Problem) problem = err;
    else if (err?.type === 'entity.parse.failed')
      problem = new Problem('malformed-json', 'The body could not be parsed as JSON.');
    // A charset or content encoding the JSON parser does not read: the media type is what is wrong.
    else if (err?.type === 'charset.unsupported' || err?.type === 'encoding.unsupported') {
      const detail = 'This charset or content encoding of the JSON body cannot be read.';
      problem = new Problem('unsupported-media-type', detail);
    } else if (err?.type === 'entity.too.large') problem = new Problem('validation-failed', 'The body is too large.');
    else {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      problem = new Problem('internal', 'Something went wrong on our side; it has been logged.');
    }
    const retryAfter = problem.extensions.retryAfterSeconds;
    if (problem.kind === 'rate-limited' && typeof retryAfter === 'number')
      res.setHeader('Retry-After', String(retryAfter));
    res.status(problem.status).type('application/problem+json').json(problem.body(req.originalUrl));
  };
}
