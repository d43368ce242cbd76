// Issue 13, traces inside the workflow sandbox (a workflow interceptor module, bundled with the workflows:
// platform/temporal-worker.ts WORKFLOW_INTERCEPTOR_MODULES). It continues the trace a client started
// (the `_tracer-data` header of @temporalio/interceptors-opentelemetry, which the API's client and the
// worker's activity interceptor speak) and hands it on to every activity the run schedules.
//
// Not the package's own workflow interceptors: they wrap each call in async spans, and those extra
// awaits reorder an update's completion against the main code within one activation, which failed the
// replay of a committed history (third-party-access-parked). Here every interceptor returns the very
// promise `next` returned, so no await is added and histories recorded before tracing replay unchanged.
// Span ids come from the run id and a counter, not from the workflow's seeded random, which workflow
// code may rely on; a replay rebuilds the same ids, so a run resumed on another worker keeps its parent.
//
// Spans leave the sandbox through the `tracing` sink when they end (never while replaying). A run that
// lasts months shows its activities at once and its RunWorkflow span when it ends; a continue-as-new
// starts a new trace, so a trace stays the story of one request.
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import {
  AsyncLocalStorage,
  proxySinks,
  workflowInfo,
  type Sinks,
  type WorkflowInterceptors,
} from '@temporalio/workflow';

/** The header @temporalio/interceptors-opentelemetry carries W3C trace context in (client and activities). */
export const TRACE_HEADER = '_tracer-data';

/** OpenTelemetry's SpanKind values. */
export const WorkflowSpanKind = { internal: 0, server: 1, client: 2 } as const;

/** A finished span as it leaves the sandbox (platform/temporal-worker.ts turns it into an OpenTelemetry span). */
export interface WorkflowSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** W3C trace flags: 1 sampled. */
  flags: number;
  tracestate?: string;
  startMs: number;
  endMs: number;
  /** The error's class, when the call it stands for failed. */
  error?: string;
  attributes: Record<string, string>;
}

export interface TracingSinks extends Sinks {
  tracing: { export(spans: WorkflowSpan[]): void };
}

interface SpanRef {
  traceId: string;
  spanId: string;
  flags: number;
  tracestate?: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The caller's trace context from a header, or undefined (absent, or not W3C). */
export function parentFromHeaders(headers: Headers): SpanRef | undefined {
  const payload = headers[TRACE_HEADER];
  if (!payload) return undefined;
  try {
    const carrier = defaultPayloadConverter.fromPayload<{ traceparent?: string; tracestate?: string }>(payload);
    const m = TRACEPARENT.exec(carrier?.traceparent ?? '');
    if (!m || /^0+$/.test(m[1]) || /^0+$/.test(m[2])) return undefined;
    return { traceId: m[1], spanId: m[2], flags: parseInt(m[3], 16) & 1, tracestate: carrier.tracestate };
  } catch {
    return undefined; // a trace header must never fail a workflow
  }
}

function withParent(headers: Headers, span: SpanRef): Headers {
  const carrier: Record<string, string> = {
    traceparent: `00-${span.traceId}-${span.spanId}-0${span.flags}`,
  };
  if (span.tracestate) carrier.tracestate = span.tracestate;
  return { ...headers, [TRACE_HEADER]: defaultPayloadConverter.toPayload(carrier) };
}

/** 32 bits of FNV-1a over `text`, seeded, as 8 hex digits. */
function fnv(text: string, seed: number): string {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

const hexId = (text: string, words: number) => Array.from({ length: words }, (_, i) => fnv(text, i + 1)).join('');

/** One workflow execution's tracing (the SDK builds interceptors once per execution). */
class RunTracing {
  private counter = 0;
  private run?: SpanRef;
  /** The span that activities and children take as parent: an update's or signal's, else the run's. */
  readonly current = new AsyncLocalStorage<SpanRef>();
  private readonly sinks = proxySinks<TracingSinks>();

  private nextSpanId(): string {
    return hexId(`${workflowInfo().runId}/${++this.counter}`, 2);
  }

  parent(): SpanRef | undefined {
    return this.current.getStore() ?? this.run;
  }

  /** Starts the run's own span: a child of the caller's, or the root of a new trace. */
  startRun(caller: SpanRef | undefined): SpanRef {
    const traceId = caller?.traceId ?? hexId(`${workflowInfo().runId}/trace`, 4);
    this.run = { traceId, spanId: this.nextSpanId(), flags: caller?.flags ?? 1, tracestate: caller?.tracestate };
    return this.run;
  }

  child(parent: SpanRef): SpanRef {
    return { ...parent, spanId: this.nextSpanId() };
  }

  /**
   * Ends `span` when `promise` settles, by a reaction of its own: the promise returned to the SDK is
   * `promise` itself, so nothing awaits one tick more than without tracing.
   */
  endWhenSettled<T>(promise: Promise<T>, span: SpanRef, name: string, kind: number, parent?: SpanRef): Promise<T> {
    const startMs = Date.now();
    const done = (error?: string) => {
      if (!span.flags) return;
      const { workflowId, runId, workflowType } = workflowInfo();
      this.sinks.tracing.export([
        {
          name,
          kind,
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: parent?.spanId,
          flags: span.flags,
          tracestate: span.tracestate,
          startMs,
          endMs: Date.now(),
          error,
          attributes: { temporalWorkflowId: workflowId, run_id: runId, 'temporal.workflow.type': workflowType },
        },
      ]);
    };
    promise.then(
      () => done(),
      (err: unknown) => done(isContinueAsNew(err) ? undefined : ((err as Error)?.name ?? 'Error')),
    );
    return promise;
  }

  /** An activity's or a local activity's start, a client span of the workflow's current span. */
  startActivity<I extends { activityType: string; headers: Headers }>(
    input: I,
    next: (input: I) => Promise<unknown>,
  ): Promise<unknown> {
    const parent = this.parent();
    if (!parent) return next(input);
    const span = this.child(parent);
    const scheduled = next({ ...input, headers: withParent(input.headers, span) });
    return this.endWhenSettled(
      scheduled,
      span,
      `StartActivity:${input.activityType}`,
      WorkflowSpanKind.client,
      parent,
    );
  }
}

const isContinueAsNew = (err: unknown) => (err as Error)?.name === 'ContinueAsNew';

export const interceptors = (): WorkflowInterceptors => {
  const t = new RunTracing();
  return {
    inbound: [
      {
        execute(input, next) {
          const caller = parentFromHeaders(input.headers);
          const run = t.startRun(caller);
          const name = `RunWorkflow:${workflowInfo().workflowType}`;
          return t.endWhenSettled(next(input), run, name, WorkflowSpanKind.server, caller);
        },
        handleUpdate(input, next) {
          const parent = parentFromHeaders(input.headers) ?? t.parent();
          if (!parent) return next(input);
          const span = t.child(parent);
          const handled = t.current.run(span, () => next(input));
          return t.endWhenSettled(handled, span, `HandleUpdate:${input.name}`, WorkflowSpanKind.server, parent);
        },
        handleSignal(input, next) {
          const parent = parentFromHeaders(input.headers) ?? t.parent();
          if (!parent) return next(input);
          const span = t.child(parent);
          const handled = t.current.run(span, () => next(input));
          return t.endWhenSettled(handled, span, `HandleSignal:${input.signalName}`, WorkflowSpanKind.server, parent);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => t.startActivity(input, next),
        scheduleLocalActivity: (input, next) => t.startActivity(input, next),
        startChildWorkflowExecution(input, next) {
          const parent = t.parent();
          return next(parent ? { ...input, headers: withParent(input.headers, parent) } : input);
        },
        signalWorkflow(input, next) {
          const parent = t.parent();
          return next(parent ? { ...input, headers: withParent(input.headers, parent) } : input);
        },
        // Workflow log lines carry the ids of the span they were written in, like every other line.
        getLogAttributes(input, next) {
          const span = t.parent();
          return next(span ? { trace_id: span.traceId, span_id: span.spanId, ...input } : input);
        },
      },
    ],
  };
};
