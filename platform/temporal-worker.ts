// The worker side of platform/temporal.ts: the native connection (kept out of the API's process,
// which never loads the worker's native bridge), and the worker's tracing.
import { NativeConnection, type InjectedSinks, type WorkerOptions } from '@temporalio/worker';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import { createTraceState, SpanStatusCode, type SpanKind } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { explainTemporalConnectError, temporalConnectionOptions } from './temporal-connection';
import type { TemporalSettings } from './temporal';
import type { Tracing } from './tracing';
import type { TracingSinks, WorkflowSpan } from '../workflows/tracing';

export async function connectWorkerTemporal(settings: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect({
    address: settings.TEMPORAL_ADDRESS,
    ...temporalConnectionOptions(settings),
  }).catch(async (err: unknown) => {
    throw await explainTemporalConnectError(settings, err);
  });
}

/**
 * Issue 13: the workflow side of tracing (workflows/tracing.ts). It runs inside the workflow bundle, so
 * every bundle is built with it (workers/bundle-workflows.ts, the tests' global setup), whether or not
 * the process exports spans.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/tracing')];

const hrTime = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6];

/** A span the workflow sandbox handed out, as the span processor takes it. */
function readableSpan(s: WorkflowSpan, resource: Resource): ReadableSpan {
  const ms = Math.max(0, s.endMs - s.startMs);
  const spanContext = {
    traceId: s.traceId,
    spanId: s.spanId,
    traceFlags: s.flags,
    traceState: s.tracestate ? createTraceState(s.tracestate) : undefined,
  };
  return {
    name: s.name,
    kind: s.kind as SpanKind,
    spanContext: () => spanContext,
    parentSpanId: s.parentSpanId,
    startTime: hrTime(s.startMs),
    endTime: hrTime(s.endMs),
    duration: hrTime(ms),
    status: s.error ? { code: SpanStatusCode.ERROR, message: s.error } : { code: SpanStatusCode.OK },
    attributes: s.attributes,
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationLibrary: { name: 'partner-access-workflows' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

function tracingSink(processor: SpanProcessor, resource: Resource): InjectedSinks<TracingSinks> {
  return {
    tracing: { export: { fn: (_info, spans) => spans.forEach((s) => processor.onEnd(readableSpan(s, resource))) } },
  };
}

/**
 * A worker's tracing: a span per activity run (a child of the workflow's StartActivity span, through the
 * task's headers), the workflow's spans handed out of the sandbox by the `tracing` sink, and, for a
 * worker that bundles at start, the workflow interceptors. Without `tracing` the spans go nowhere.
 */
export function tracingWorkerOptions(
  tracing: Tracing | undefined,
  code: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
      ...(code.workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
    },
    sinks: tracingSink(tracing?.spanProcessor ?? new NoopSpanProcessor(), tracing?.resource ?? Resource.empty()),
  };
}
