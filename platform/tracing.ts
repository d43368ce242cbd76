// Issue 13, traces: OpenTelemetry spans from the HTTP request through the workflow, its activities, the
// outbox row and the Kafka record to the consumer that handles it, exported to Zipkin.
//
// One trace crosses four carriers, each with the W3C `traceparent` (and `tracestate`):
//   HTTP             the request's `traceparent` header, honoured (api/app.ts, httpServerSpans)
//   Temporal         the `_tracer-data` header, by @temporalio/interceptors-opentelemetry (client, worker)
//   outbox row       its traceparent/tracestate columns, written with the row (events/outbox.ts)
//   Kafka record     the CloudEvents distributed-tracing extension: `ce_traceparent` (events/cloudevents.ts)
//
// OTEL_EXPORTER_ZIPKIN_ENDPOINT unset: nothing is recorded or sent, but a caller's trace context still
// passes through (the spans are non-recording), so log lines and downstream systems keep the caller's ids.
import { hostname } from 'node:os';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  NoopSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { NextFunction, Request, Response } from 'express';
import { routeOf } from './metrics';
import type { TracingSettings } from './tracing-env';

/** The processes' service names in the trace viewer. */
export type ServiceName = 'partner-access-api' | 'partner-access-worker' | (string & {});

export interface Tracing {
  /** Whether spans are recorded and exported. */
  readonly enabled: boolean;
  readonly resource: Resource;
  /** Where finished spans go: the Zipkin exporter's batch, or nowhere. Workflow spans reach it by a sink. */
  readonly spanProcessor: SpanProcessor;
  /** Sends what is still batched (a process's last spans at shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const TRACER = 'partner-access';
const tracer = () => trace.getTracer(TRACER);
let installed: Tracing | undefined;

/**
 * Installs the process's tracing, once (a second call returns the first): the context manager and the
 * W3C propagator always, the provider and its Zipkin exporter when an endpoint is configured.
 */
export function startTracing(serviceName: ServiceName, settings: Partial<TracingSettings>): Tracing {
  if (installed) return installed;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const resource = new Resource({
    [ATTR_SERVICE_NAME]: serviceName,
    'service.instance.id': `${hostname()}:${process.pid}`,
  });
  const endpoint = settings.OTEL_EXPORTER_ZIPKIN_ENDPOINT;
  if (!endpoint) {
    const spanProcessor = new NoopSpanProcessor();
    installed = { enabled: false, resource, spanProcessor, flush: async () => {}, shutdown: async () => {} };
    return installed;
  }
  // Batched: a span costs a push onto an array on the request's path; the export runs every second.
  const spanProcessor = new BatchSpanProcessor(new ZipkinExporter({ url: endpoint }), {
    scheduledDelayMillis: 1000,
    maxQueueSize: 8192,
  });
  const provider = new BasicTracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.TRACES_SAMPLE_RATIO ?? 1) }),
    spanProcessors: [spanProcessor],
  });
  trace.setGlobalTracerProvider(provider);
  installed = {
    enabled: true,
    resource,
    spanProcessor,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return installed;
}

/** The tracing this process installed, if any (test workers pick up their test's). */
export function currentTracing(): Tracing | undefined {
  return installed;
}

/** W3C trace context as CloudEvents' distributed-tracing extension carries it. */
export interface TraceContext {
  traceparent: string | null;
  tracestate: string | null;
}

/** The active context as `traceparent`/`tracestate`, or nulls outside any trace. */
export function currentTraceContext(ctx: Context = context.active()): TraceContext {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return { traceparent: carrier.traceparent ?? null, tracestate: carrier.tracestate ?? null };
}

/** The context a carried `traceparent` continues; the root context if it is absent or malformed. */
export function contextOf(carried: { traceparent?: string | null; tracestate?: string | null }): Context {
  if (!carried.traceparent) return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent: carried.traceparent };
  if (carried.tracestate) carrier.tracestate = carried.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; the active context when not given. */
  parent?: Context;
}

/**
 * Runs `fn` inside a new span (the active one for everything `fn` awaits, log lines included), ends it
 * when `fn` settles and marks it failed when `fn` throws.
 */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.name });
    throw err;
  } finally {
    span.end();
  }
}

/** Starts a span the caller ends (one that outlives a callback, such as a relayed record's). */
export function startSpan(name: string, options: SpanOptions): Span {
  return tracer().startSpan(name, { kind: options.kind, attributes: options.attributes }, options.parent);
}

const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Express middleware: a server span per request, a child of the caller's `traceparent` if it sent one,
 * named by method and route template (never the raw path, which may hold ids), with the status; 5xx
 * marks it failed. Everything the request does (database, workflow calls, outbox rows) runs inside it.
 * Health probes and metric scrapes get none.
 */
export function httpServerSpans() {
  return (req: Request, res: Response, next: NextFunction) => {
    // Probes and scrapes every few seconds would bury the requests people look for.
    if (UNTRACED_PATHS.has(req.path)) return next();
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer().startSpan(
      req.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } },
      parent,
    );
    const end = () => {
      const route = routeOf(req);
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
      if (res.headersSent) span.setAttribute('http.response.status_code', res.statusCode);
      if (!res.writableFinished) span.setAttribute('http.request.aborted', true);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}

export { SpanKind, SpanStatusCode, trace, context };
