import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import Koa, { type Middleware } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { asFunction, asValue } from 'awilix';
import type { PlinthContainer } from '../container.js';
import { AppError, isAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CoreConfig } from '../config/schema.js';
import { envelopes, type Envelope } from './envelopes.js';
import type { AuthChain, AuthRequest, Principal } from './auth.js';
import type { HttpContext, RequestState, ContextHelpers } from './context.js';
import { traceRequests } from '../observability/trace-requests.js';
import { methodLabel, type HttpMetrics } from '../observability/core-metrics.js';
import { statusClass } from '../observability/metrics.js';
import { CoreErrors } from '../core-errors.js';

export interface Face {
  base: string;
  envelope: Envelope;
  /** Each plugin router serving under this base, in plugin order. */
  middleware: Middleware[];
  /** Query parameter → the credential header it stands for, on this face only. */
  queryCredentials?: Record<string, string>;
}

/**
 * The headers auth sees: the request's own, plus any credential the face takes from the query
 * (a header given explicitly wins).
 */
function credentialHeaders(face: Face | null, headers: IncomingHttpHeaders, query: Record<string, unknown>): IncomingHttpHeaders {
  if (!face?.queryCredentials) return headers;
  const out = { ...headers };
  for (const [param, header] of Object.entries(face.queryCredentials)) {
    const value = query[param];
    if (typeof value === 'string' && value && out[header] === undefined) out[header] = value;
  }
  return out;
}

/**
 * What the auth strategies see of a request. A class, not an object literal with getters: V8 may
 * allocate a hot literal's objects straight in the old generation (allocation-site pretenuring),
 * and a dead one there that points at the Koa context keeps the whole request (its context,
 * request, response and their buffers) alive through every young-generation collection until the
 * next full one — measured on GET /auth/me: 4 KB promoted per request, 7.5 of its 41 µs of CPU in GC.
 * The query, the address and the cookies are read only by the strategies that look at them: most
 * requests carry a header credential, and Koa parses each of these on first read.
 */
class CredentialView implements AuthRequest {
  readonly headers: IncomingHttpHeaders;
  constructor(private readonly ctx: HttpContext) {
    const face = (ctx.state as RequestScope).face;
    this.headers = face?.queryCredentials ? credentialHeaders(face, ctx.headers, ctx.query) : ctx.headers;
  }
  get path(): string {
    return this.ctx.path;
  }
  get query(): Record<string, unknown> {
    return this.ctx.query;
  }
  get ip(): string {
    return this.ctx.ip;
  }
  cookie(name: string): string | undefined {
    return this.ctx.cookies.get(name);
  }
}

const REQUEST_ID = /^[\w.-]{1,128}$/;
/** The methods whose body is read; any other request goes on without the parser. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

const SLASH = 0x2f;
/** True when `path` is `base` or below it; every path is below '/'. Every request asks several times: no string is built. */
export const isUnder = (base: string, path: string): boolean =>
  base === '/' || path === base || (path.length > base.length && path.charCodeAt(base.length) === SLASH && path.startsWith(base));

/** Picks the face a path falls under: the longest matching base; core's plain envelope otherwise. */
export function faceFor(faces: Face[], path: string): Face | null {
  for (const face of faces) if (isUnder(face.base, path)) return face;
  return null;
}

/** Runs `stack` as one chain, then `next`: plain calls, no async wrapper per layer (every request passes here). */
function runChain<C>(ctx: C, stack: ReadonlyArray<(ctx: C, next: () => Promise<unknown>) => unknown>, next: () => Promise<unknown>): unknown {
  let i = 0;
  const step = (): Promise<unknown> => {
    const mw = stack[i++];
    return mw ? (mw(ctx, step) as Promise<unknown>) : next();
  };
  return step();
}

/** Turns anything thrown into an AppError; unknown errors become a 500 (the stack goes to the log). */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (status === 413 || e?.type === 'entity.too.large') return CoreErrors.payloadTooLarge();
  if (e?.type === 'entity.parse.failed' || (status === 400 && /JSON|parse/i.test(e?.message ?? ''))) {
    return CoreErrors.malformedJson();
  }
  if (status === 415 || e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return CoreErrors.unsupportedMediaType(e.message);
  }
  if (e?.expose && status && status >= 400 && status < 500) return CoreErrors.exposedClientError(status, e.message);
  return CoreErrors.internal();
}

const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_DESTROYED']);

/** Whether a response failed only because its client left (closed the connection or aborted the request). */
export const clientWentAway = (err: NodeJS.ErrnoException): boolean => CLIENT_GONE.has(err?.code ?? '');

const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/**
 * `server.bodyLimit` (`100kb`, `1mb`) in bytes, as the `bytes` package reads it: raw-body parses a
 * limit given as text again on every request. Anything else, and zero (which co-body would take
 * for "no limit given"), is passed on as it is.
 */
export function bodyLimitBytes(limit: string): number | string {
  const m = /^(\d+)(b|kb|mb)$/.exec(limit);
  const bytes = m ? Number(m[1]) * UNIT_BYTES[m[2]] : 0;
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : limit;
}

/** Why a request body could not be read, as the client's error. */
export function bodyError(err: unknown, contentEncoding: string): AppError {
  const e = err as { code?: string; message?: string };
  if (/prototype property/.test(e?.message ?? '')) return CoreErrors.prototypeKeys();
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) return CoreErrors.malformedBody(contentEncoding);
  const mapped = toAppError(err);
  return mapped.status >= 500 ? CoreErrors.bodyUnreadable() : mapped;
}

interface RequestScopeDeps {
  requestId: string;
  face: Face | null;
  root: PlinthContainer;
}

/**
 * ctx.state: the request id, the face the path falls under (found once) and its envelope, the
 * principal once known, and the per-request awilix scope — created on first use, since most
 * requests never need it (it costs ~20 µs).
 */
class RequestScope implements RequestState {
  principal?: Principal | null;
  route?: string;
  plugin?: string;
  readonly envelope: Envelope;
  private scope: PlinthContainer | null = null;
  constructor(private readonly deps: RequestScopeDeps) {
    this.envelope = deps.face?.envelope ?? envelopes.plain;
  }
  get requestId(): string {
    return this.deps.requestId;
  }
  get face(): Face | null {
    return this.deps.face;
  }
  get container(): PlinthContainer {
    if (!this.scope) {
      this.scope = this.deps.root.createScope();
      this.scope.register({ requestId: asValue(this.deps.requestId), principal: asFunction(() => this.principal ?? null).scoped() });
    }
    return this.scope;
  }
}

export interface HttpDeps {
  config: CoreConfig;
  logger: Logger;
  container: PlinthContainer;
  auth: AuthChain;
  /** Faces sorted longest base first. */
  faces: Face[];
  /** Core routes (/health, /openapi.json, /admin…), served with the plain envelope. */
  core: Middleware[];
  /** Request durations and requests in flight (core/observability). */
  metrics?: HttpMetrics;
}

/**
 * The route a request is counted under: the template that answered (set by PluginRouter, or by
 * @koa/router for the core's routes), never the path itself, so the label stays bounded.
 */
function routeOf(ctx: { state: RequestState; _matchedRoute?: unknown }): string {
  const route = ctx.state.route ?? ctx._matchedRoute;
  return typeof route === 'string' ? route : 'unmatched';
}

export function buildKoa(deps: HttpDeps): Koa<RequestState, ContextHelpers> {
  const app = new Koa<RequestState, ContextHelpers>({ proxy: deps.config.server.trustProxy });
  app.silent = true;
  const faces = [...deps.faces].sort((a, b) => b.base.length - a.base.length);
  const { logger, auth, metrics } = deps;

  app.context.authenticate = async function authenticate(this: HttpContext): Promise<Principal | null> {
    if (this.state.principal !== undefined) return this.state.principal;
    const principal = await auth.authenticate(new CredentialView(this));
    this.state.principal = principal;
    return principal;
  };

  app.use(traceRequests()); // first: the access log and error lines below carry the trace
  // Request id, per-request scope, envelope choice, access log and error mapping, in one place.
  app.use(async (ctx, next) => {
    const started = performance.now();
    const incoming = ctx.req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state = new RequestScope({ requestId, face: faceFor(faces, ctx.path), root: deps.container });
    // Node's own setHeader: Koa's ctx.set builds arrays to normalise any value, and this one is a plain string.
    ctx.res.setHeader('X-Request-Id', requestId);
    if (metrics) metrics.inFlight.count++;
    try {
      await next();
    } catch (err) {
      const appError = toAppError(err);
      if (appError.status >= 500) logger.error({ err, method: ctx.method, path: ctx.path }, 'request failed');
      const { status, body } = ctx.state.envelope.error(appError, requestId);
      ctx.status = status;
      ctx.body = body;
      for (const [k, v] of Object.entries(appError.headers ?? {})) ctx.set(k, v);
    } finally {
      const ms = performance.now() - started;
      if (metrics) {
        metrics.inFlight.count--;
        const route = routeOf(ctx as never);
        const plugin = ctx.state.plugin ?? (route === 'unmatched' ? 'none' : 'core');
        metrics.duration.observe({ method: methodLabel(ctx.method), route, status_class: statusClass(ctx.status), plugin }, ms / 1000);
      }
      // The path only, never the query string: it may carry a credential (a face's queryCredentials).
      if (logger.isLevelEnabled('info')) {
        // request_id and trace_id come from the logger's mixin (core/observability/trace-context.ts), as on every line of the request.
        logger.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
      }
    }
  });

  const limit = bodyLimitBytes(deps.config.server.bodyLimit);
  const parseBody = bodyParser({
    enableTypes: ['json', 'form'],
    parsedMethods: [...BODY_METHODS],
    // The usual JSON request is known by its exact header, without type-is matching it against each JSON type.
    detectJSON: (ctx) => ctx.req.headers['content-type'] === 'application/json',
    jsonLimit: limit,
    formLimit: limit,
    encoding: 'utf-8',
  }) as unknown as (ctx: unknown, next: () => void) => Promise<void>;
  // The body is read before the chain goes on, not around it: the handlers' promise does not pass
  // back through the parser's. What the parser throws is the client's fault (a 4xx); what the
  // handlers behind it throw is not.
  app.use((ctx, next) => {
    if (!BODY_METHODS.has(ctx.method)) return next();
    let read = false;
    return parseBody(ctx, () => {
      read = true;
    }).then(
      () => (read ? next() : undefined),
      (err: unknown) => {
        throw bodyError(err, ctx.get('Content-Encoding'));
      },
    );
  });

  for (const mw of deps.core) app.use(mw as Middleware<RequestState, ContextHelpers>);

  // The plugin routers of every face the path is under, longest base first: a path the /api/v2
  // routers do not answer falls through to the '/' face's, then to the 404 below. Those faces are
  // the path's own and the ones whose base contains its base, so each face's chain is built once.
  const chains = new Map<Face | null, Middleware<RequestState, ContextHelpers>[]>([[null, []]]);
  for (const face of faces) {
    chains.set(
      face,
      faces.filter((outer) => isUnder(outer.base, face.base)).flatMap((outer) => outer.middleware) as Middleware<RequestState, ContextHelpers>[],
    );
  }
  app.use((ctx, next) => runChain(ctx, chains.get((ctx.state as RequestScope).face)!, next));

  app.use(async (ctx) => {
    throw AppError.notFound(`no route for ${ctx.method} ${ctx.path}`);
  });

  // A client going away mid-response (a closed tab, a page left with its live stream open) is not an error.
  app.on('error', (err: NodeJS.ErrnoException, ctx?: Koa.Context) => {
    if (clientWentAway(err)) logger.debug({ code: err.code, path: ctx?.path }, 'client went away');
    else logger.error({ err }, 'koa error');
  });
  return app;
}
