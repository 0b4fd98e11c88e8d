import { register } from 'node:module';
import type * as Api from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import { routeOf, useSpanBackend, type SpanBackend, type SpanContext } from './trace-context.js';

/**
 * OpenTelemetry for `plinth start`, when OTEL_EXPORTER_OTLP_ENDPOINT is set: the official Node SDK
 * with the HTTP, Koa, pg and ioredis instrumentations, exporting traces over OTLP (configured by
 * the standard OTEL_* variables: protocol, headers, service name, sampler). This module is
 * imported (dynamically, by scripts/plinth.ts) only then, and before the app's modules, which
 * the instrumentations patch as they are imported; without the variable nothing of OpenTelemetry
 * is loaded at all.
 */

/** Probes and scrapes: a span for each would drown the traces people look for. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

/** Whether this process should run the SDK: the OTLP endpoint is set and the SDK is not disabled. */
export function telemetryWanted(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && env.OTEL_SDK_DISABLED !== 'true';
}

export async function startOpenTelemetry(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // ESM modules are patched at import through import-in-the-middle's loader hook (CommonJS ones,
  // like pg, through require-in-the-middle): registered before anything it must see is imported.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  // Traces only, unless the operator asks for more: metrics are served at /metrics, logs go to stdout.
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  const [api, { NodeSDK }, { HttpInstrumentation }, { KoaInstrumentation }, { PgInstrumentation }, { IORedisInstrumentation }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-koa'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
  ]);
  const named = Boolean(env.OTEL_SERVICE_NAME) || /(^|,)\s*service\.name=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const sdk = new NodeSDK({
    ...(named ? {} : { serviceName: 'plinth' }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]),
        // The server span is named after the route template that answered (noted by the trace middleware).
        applyCustomAttributesOnSpan(span, req) {
          const route = routeOf(req); // noted for incoming requests only
          if (!route) return;
          span.setAttribute('http.route', route);
          span.updateName(`${req.method} ${route}`);
        },
      }),
      new KoaInstrumentation(),
      // Queries and Redis calls inside a traced piece of work only: the pollers' would each be a trace of their own.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  useSpanBackend(openTelemetryBackend(api, sdk));
}

/** Trace context read from and kept in OpenTelemetry's context, so what Plinth propagates is what it exports. */
function openTelemetryBackend(api: typeof Api, sdk: NodeSDK): SpanBackend {
  const { context, propagation, trace, ROOT_CONTEXT, SpanStatusCode } = api;
  const tracer = trace.getTracer('plinth');
  return {
    active() {
      const span = trace.getSpan(context.active())?.spanContext();
      if (!span || !api.isSpanContextValid(span)) return undefined;
      const tracestate = span.traceState?.serialize();
      return { traceId: span.traceId, spanId: span.spanId, flags: span.traceFlags, ...(tracestate ? { tracestate } : {}) };
    },
    inSpan(name, parent, attributes, fn) {
      const ctx = parent ? trace.setSpanContext(context.active(), remote(api, parent)) : context.active();
      return tracer.startActiveSpan(name, { attributes }, ctx, async (span) => {
        try {
          return await fn();
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
          throw err;
        } finally {
          span.end();
        }
      });
    },
    detached: (fn) => context.with(ROOT_CONTEXT, fn),
    inject(headers) {
      propagation.inject(context.active(), headers);
    },
    shutdown: () => sdk.shutdown(),
  };
}

/** A stored parent (an event's, a run's) as OpenTelemetry's remote span context. */
function remote(api: typeof Api, parent: SpanContext): Api.SpanContext {
  return {
    traceId: parent.traceId,
    spanId: parent.spanId,
    traceFlags: parent.flags,
    isRemote: true,
    ...(parent.tracestate ? { traceState: api.createTraceState(parent.tracestate) } : {}),
  };
}
