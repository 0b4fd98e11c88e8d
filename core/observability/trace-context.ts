import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` a request arrives
 * with, carried through the work it causes (its log lines, the events it emits, the workflow runs
 * those start, the calls they make), so one trace id ties them together across processes.
 *
 * Without OpenTelemetry the context is kept here, in an AsyncLocalStorage (cheap on Node 24, where
 * it is an AsyncContextFrame: no promise hooks). When `plinth start` runs the OpenTelemetry SDK
 * (core/observability/otel.ts), the SDK's active span is the context instead, so what Plinth
 * propagates and what it exports agree; this module then only keeps the request id.
 */

/** One span's identity as W3C Trace Context carries it. */
export interface SpanContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero: this hop's span. */
  spanId: string;
  /** The trace flags (bit 0: sampled). */
  flags: number;
  /** The vendors' `tracestate`, passed along as received. */
  tracestate?: string;
}

/** A remote parent as stored with an event or a run: the two W3C headers. */
export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

/** What OpenTelemetry provides when its SDK runs (installed by core/observability/otel.ts). */
export interface SpanBackend {
  /** The active span, if any. */
  active(): SpanContext | undefined;
  /** Runs `fn` in a new span: a child of `parent` when given, else of the active span (else a new trace). */
  inSpan<T>(name: string, parent: SpanContext | null, attributes: Record<string, string | number>, fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` with no active span. */
  detached<T>(fn: () => T): T;
  /** Writes the active span's traceparent (and tracestate) into `headers`. */
  inject(headers: Record<string, string>): void;
  /** Flushes the spans not exported yet and stops the SDK. */
  shutdown(): Promise<void>;
}

/** What the work in progress carries: its span (unless OpenTelemetry keeps it) and the request it serves. */
interface TraceStore {
  span?: SpanContext;
  /** Read when a line is logged: the request id is set by the request-id middleware, after this store is made. */
  requestId?: () => string | undefined;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
/** A new trace is sampled: whoever receives our calls may record its part (we record nothing without OpenTelemetry). */
const SAMPLED = 1;

// Process-wide by nature, like OpenTelemetry's own global context manager: every app in the
// process (tests run several) reads the same async context, each flow its own.
const storage = new AsyncLocalStorage<TraceStore>();
let backend: SpanBackend | null = null;
/** The route template that answered each request, read by OpenTelemetry's HTTP instrumentation to name its span; kept only while it runs. */
const routes = new WeakMap<object, string>();

/**
 * The span a `traceparent` header names, or null when it is absent or malformed (the caller then
 * starts a new trace, never fails). Version 00 has exactly four fields; a later version may add
 * more after a dash, and its first four are read as 00's; ff is invalid. All-zero ids are invalid.
 */
export function parseTraceparent(header: string | undefined, tracestate?: string): SpanContext | null {
  if (!header || header.length > 512) return null;
  const m = TRACEPARENT.exec(header.trim());
  if (!m) return null;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  const state = tracestate?.trim();
  return { traceId, spanId, flags: Number.parseInt(flags, 16), ...(state ? { tracestate: state.slice(0, 512) } : {}) };
}

export function formatTraceparent(span: Pick<SpanContext, 'traceId' | 'spanId' | 'flags'>): string {
  return `00-${span.traceId}-${span.spanId}-${(span.flags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * Random bytes drawn 4 KiB at a time: one randomBytes call per id costs ~3.5 µs, a slice of the
 * pool ~0.2 µs, and every request takes one or two ids.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** A random id of `bytes` bytes in hex; the all-zero id is invalid (one chance in 2^64), so it is drawn again. */
function randomHex(bytes: number): string {
  for (;;) {
    if (used + bytes > pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    const hex = pool.toString('hex', used, (used += bytes));
    if (!/^0+$/.test(hex)) return hex;
  }
}

export const newSpanId = (): string => randomHex(8);

/** A span of its own under `parent` (same trace, new span id), or the first span of a new trace. */
export function childOf(parent: SpanContext | null | undefined): SpanContext {
  if (!parent) return { traceId: randomHex(16), spanId: newSpanId(), flags: SAMPLED };
  return { traceId: parent.traceId, spanId: newSpanId(), flags: parent.flags, ...(parent.tracestate ? { tracestate: parent.tracestate } : {}) };
}

/** The active span: OpenTelemetry's when its SDK runs, else ours. */
export function currentSpan(): SpanContext | undefined {
  return backend?.active() ?? storage.getStore()?.span;
}

/** A span as the headers to store (with an event, a run), so later work continues its trace. */
export function traceHeadersOf(span: SpanContext): TraceHeaders {
  return { traceparent: formatTraceparent(span), ...(span.tracestate ? { tracestate: span.tracestate } : {}) };
}

/** The active span as headers to store, if there is one. */
export function currentTraceHeaders(): TraceHeaders | undefined {
  const span = currentSpan();
  return span ? traceHeadersOf(span) : undefined;
}

/** A stored parent (an event's or a run's headers) back as a span; null when missing or malformed. */
export function spanOf(headers: { traceparent?: unknown; tracestate?: unknown } | null | undefined): SpanContext | null {
  if (typeof headers?.traceparent !== 'string') return null;
  return parseTraceparent(headers.traceparent, typeof headers.tracestate === 'string' ? headers.tracestate : undefined);
}

/**
 * Serves one HTTP request in its trace: a child of the `traceparent` it came with (a malformed
 * one, or none, starts a new trace). Under OpenTelemetry the HTTP instrumentation has already
 * made the request's span from the same header; it is used as is.
 */
export function serveInTrace<T>(incoming: SpanContext | null, requestId: () => string | undefined, fn: () => Promise<T>): Promise<T> {
  if (backend?.active()) return storage.run({ requestId }, fn);
  if (backend) return storage.run({ requestId }, () => backend!.inSpan('HTTP request', incoming, {}, fn));
  return storage.run({ span: childOf(incoming), requestId }, fn);
}

/**
 * Runs `fn` in a span of its own: a child of `parent` (a stored traceparent: an event's, a run's)
 * when given, else of the active span, else the first of a new trace. The request id (if any) stays.
 */
export function inSpan<T>(name: string, parent: SpanContext | null, attributes: Record<string, string | number>, fn: () => Promise<T>): Promise<T> {
  const store = storage.getStore();
  if (backend) return backend.inSpan(name, parent, attributes, fn);
  return storage.run({ requestId: store?.requestId, span: childOf(parent ?? store?.span) }, fn);
}

/**
 * Runs `fn` outside any trace. Background loops (the outbox dispatcher, the workflow runner) are
 * often kicked from inside a request; without this, all they did afterwards would be logged and
 * traced as part of that one request.
 */
export function withoutTrace<T>(fn: () => T): T {
  return storage.exit(() => (backend ? backend.detached(fn) : fn()));
}

/**
 * Adds the trace to an outgoing call's headers, unless the caller set a `traceparent` of its own:
 * a new span id (this call is a hop of its own) in the active trace. Under OpenTelemetry its
 * propagator writes them (and the HTTP instrumentation replaces them with its client span's).
 */
export function injectTrace(headers: Record<string, string>): Record<string, string> {
  if (Object.keys(headers).some((k) => k.toLowerCase() === 'traceparent')) return headers;
  if (backend) {
    backend.inject(headers);
    return headers;
  }
  const span = storage.getStore()?.span;
  if (!span) return headers;
  headers.traceparent = formatTraceparent({ ...span, spanId: newSpanId() });
  if (span.tracestate) headers.tracestate = span.tracestate;
  return headers;
}

/** What every log line carries (pino's `mixin`): the trace, the span and the request, when there are. */
export function traceFields(): Record<string, string> {
  const store = storage.getStore();
  const span = backend?.active() ?? store?.span;
  const requestId = store?.requestId?.();
  if (!span) return requestId ? { request_id: requestId } : {};
  return requestId ? { trace_id: span.traceId, span_id: span.spanId, request_id: requestId } : { trace_id: span.traceId, span_id: span.spanId };
}

/** Whether noteRoute keeps anything: only while OpenTelemetry runs. */
export const notingRoutes = (): boolean => backend !== null;

/** Notes the route template that answered `req` (a node request), when OpenTelemetry runs: its server span is named after it. */
export function noteRoute(req: object, route: unknown): void {
  if (backend && typeof route === 'string') routes.set(req, route);
}

/** The route template noted for `req`, if any. */
export const routeOf = (req: object): string | undefined => routes.get(req);

/** Installs OpenTelemetry as the span backend (core/observability/otel.ts, when its SDK starts). */
export function useSpanBackend(b: SpanBackend | null): void {
  backend = b;
}

/** Flushes and stops OpenTelemetry if it runs (`plinth start` on its way out); nothing otherwise. */
export async function shutdownTracing(): Promise<void> {
  const b = backend;
  backend = null;
  await b?.shutdown();
}
