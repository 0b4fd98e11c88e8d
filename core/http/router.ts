import { Router, type MatchResult } from '@koa/router';
import { LRUCache } from 'lru-cache';
import type { Middleware } from 'koa';
import { AppError, type CoreErrorCode } from '../errors.js';
import type { Options } from 'ajv';
import { boundIntegers, type JsonSchema, schemaProblems, sharedAjv, toFieldErrors, unstorableField, type Validator } from '../validation.js';
import type { HttpContext } from './context.js';
import { addressKey, type RateLimits, type LimitSpec } from '../rate-limit.js';
import type { ErrorCodes, OpenApiRegistry, RouteSchemas } from './openapi.js';
import { SuccessReply, setReplyBody } from './reply.js';
import type { Envelope } from './envelopes.js';
import { operationIdOf } from './openapi.js';

/**
 * A guard checks the request and throws (401/403) or returns. `errors` says what it throws, for
 * /openapi.json and the error check; a guard without it is taken to throw `unauthorized` and `forbidden`.
 */
export type Guard = ((ctx: HttpContext) => Promise<void> | void) & { errors?: ErrorCodes };

/** What a guard that does not say throws. */
const GUARD_ERRORS: ErrorCodes = { 401: ['unauthorized'], 403: ['forbidden'] };

/**
 * The error codes a route answers beyond those its declaration implies, by status: codes of its
 * plugin's catalogue (`C`, e.g. `BillingErrorCode` with `PluginRouter<BillingErrorCode>`) or the
 * core's, so a misspelt code does not compile.
 */
export type RouteErrors<C extends string = never> = { readonly [status: number]: ReadonlyArray<C | CoreErrorCode> };

export interface RouteRateLimit extends LimitSpec {
  /** Whose budget: the client IP (default) or the authenticated principal. */
  by?: 'ip' | 'principal';
}

export interface RouteOptions<C extends string = never> {
  /** One line for /openapi.json and /docs: what the operation does. */
  summary?: string;
  /** More, when a line is not enough. */
  description?: string;
  /** Stable name for generated clients; `<plugin>_<method>_<path>` when not given. */
  operationId?: string;
  schema?: RouteSchemas;
  guards?: Guard[];
  rateLimit?: RouteRateLimit;
  /** Leaves `ctx.request.rawBody` for signature checks (webhooks). */
  rawBody?: boolean;
  /**
   * The error codes the route throws that its declaration does not imply (those are derived:
   * validation from its schemas, 401/403 from its guards, 429 from its rate limit, the body
   * parser's): listed in /openapi.json, and with `server.checkReplies` any other code it throws fails.
   */
  errors?: RouteErrors<C>;
}

export interface RouteInput<B = any, Q = any, P = any> {
  body: B;
  query: Q;
  params: P;
}

/** Returns the reply body (or sets ctx.body itself and returns undefined). */
export type Handler<B = any, Q = any, P = any> = (ctx: HttpContext, input: RouteInput<B, Q, P>) => unknown | Promise<unknown>;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

const BODY: Options = {};
const QUERY: Options = { coerceTypes: 'array' };
/** Replies are checked as sent: no defaults filled in, nothing coerced. */
const REPLY: Options = { useDefaults: false };

/**
 * Checks a route schema at boot (an invalid one stops the boot, naming the route) but generates
 * its validator on first use: most routes of a big install are rarely called, and code generation
 * for all of them was most of the boot time.
 */
function lazyValidator(options: Options, declared: JsonSchema | undefined, where: string): (() => Validator<unknown>) | null {
  if (!declared) return null;
  const schema = boundIntegers(declared);
  const problems = schemaProblems(schema);
  if (problems) throw new Error(`invalid ${where} schema: ${problems}`);
  let compiled: Validator<unknown> | null = null;
  return () => {
    if (!compiled) {
      try {
        compiled = sharedAjv(options).compile(schema);
      } catch (err) {
        throw new Error(`invalid ${where} schema: ${(err as Error).message}`);
      }
    }
    return compiled;
  };
}

/** Paths longer than this are matched each time, never kept (see MatchCachingRouter). */
const MATCH_KEPT_PATH_LENGTH = 256;

type Chain = (ctx: any, next: () => Promise<unknown>) => Promise<unknown>;

/** What one method and path dispatch to: the match, and the route's layers as one chain. */
interface Dispatch {
  match: MatchResult;
  chain: Chain | null;
  matchedRoute?: string | RegExp;
  matchedRouteName?: string;
}

/** The parts of @koa/router's dispatch used here (private in its types). */
interface RouterInternals {
  _buildMiddlewareChain(layers: MatchResult['pathAndMethod'], requestPath: string): Array<(ctx: any, next: () => Promise<unknown>) => unknown>;
}

/** koa-compose's semantics (a sync throw is a rejection; next() twice is an error) over a fixed list. */
function compose(stack: ReadonlyArray<(ctx: any, next: () => Promise<unknown>) => unknown>): Chain {
  return (ctx, next) => {
    let last = -1;
    const run = (i: number): Promise<unknown> => {
      if (i <= last) return Promise.reject(new Error('next() called multiple times'));
      last = i;
      const mw = stack[i];
      if (!mw) return next();
      try {
        return Promise.resolve(mw(ctx, () => run(i + 1)));
      } catch (err) {
        return Promise.reject(err);
      }
    };
    return run(0);
  };
}

/**
 * @koa/router matches a request by testing every route of the router in turn (a regular
 * expression and a debug call each): ~40 for auth's, on every request that passes it; then it reads
 * ctx.host (for routers bound to a host) and composes the matched layers into a new chain. All of
 * it depends only on the method and the path, so it is kept (bounded: paths carry ids) and done
 * once per distinct request line. Routes added later drop what was kept. A router bound to a host,
 * or with NotFound handlers, dispatches as @koa/router does.
 */
class MatchCachingRouter extends Router {
  private readonly dispatches = new LRUCache<string, Dispatch>({ max: 2_000 });
  private routesSeen = 0;
  private ownDispatch = true;

  private dispatchFor(path: string, method: string): Dispatch {
    if (this.stack.length !== this.routesSeen) {
      this.dispatches.clear();
      this.routesSeen = this.stack.length;
    }
    // A long path is matched each time: kept, 2,000 of them could hold megabytes an attacker chose.
    if (path.length > MATCH_KEPT_PATH_LENGTH) return this.dispatchOf(path, method);
    const key = `${method} ${path}`;
    let found = this.dispatches.get(key);
    if (!found) this.dispatches.set(key, (found = this.dispatchOf(path, method)));
    return found;
  }

  private dispatchOf(path: string, method: string): Dispatch {
    const match = super.match(path, method);
    if (!match.route) return { match, chain: null };
    const layer = match.pathAndMethod.findLast((l) => l.methods.length > 0);
    return {
      match,
      chain: compose((this as unknown as RouterInternals)._buildMiddlewareChain(match.pathAndMethod, path)),
      matchedRoute: layer?.path,
      matchedRouteName: layer?.name,
    };
  }

  override match(path: string, method: string): MatchResult {
    const { match } = this.dispatchFor(path, method);
    // The router appends further routers' matches to the `path` array it is given: a copy each time.
    return { path: [...match.path], pathAndMethod: match.pathAndMethod, route: match.route };
  }

  override on(...args: Parameters<Router['on']>): this {
    this.ownDispatch = false;
    super.on(...args);
    return this;
  }

  override middleware(): ReturnType<Router['middleware']> {
    const generic = super.middleware();
    const dispatch = ((ctx: any, next: () => Promise<unknown>) => {
      if (!this.ownDispatch || this.host || this.opts.routerPath) return generic(ctx, next);
      const requestPath: string = ctx.newRouterPath || ctx.path || ctx.routerPath || '';
      const found = this.dispatchFor(requestPath, ctx.method);
      if (ctx.matched) ctx.matched.push(...found.match.path);
      else ctx.matched = [...found.match.path];
      ctx.router = this;
      ctx.routeMatched = found.match.route;
      if (!found.chain) return next();
      if (found.matchedRoute !== undefined) {
        ctx._matchedRoute = found.matchedRoute;
        if (found.matchedRouteName) ctx._matchedRouteName = found.matchedRouteName;
      }
      return found.chain(ctx, next);
    }) as ReturnType<Router['middleware']>;
    (dispatch as { router?: Router }).router = this;
    return dispatch;
  }
}

/** What PluginRouter is built from, passed by name. */
export interface PluginRouterDeps {
  plugin: string;
  base: string;
  rateLimits: RateLimits;
  openapi: OpenApiRegistry;
  /** The face's envelope: success replies are wrapped in it (and documented so). */
  envelope: Envelope;
  /** Check each JSON reply against the route's documented schema (server.checkReplies). */
  checkReplies?: boolean;
  /** Check each error thrown against the route's error codes (server.checkErrorCodes). */
  checkErrorCodes?: boolean;
}

/**
 * A plugin's routes under its face's base path. Each route's schemas are checked at boot,
 * compiled once on first use, and recorded for /openapi.json. Handlers receive validated input.
 * `C` is the plugin's error codes (its api.ts `…ErrorCode`), which its routes' `errors` may name.
 */
export class PluginRouter<C extends string = never> {
  readonly koa: Router;

  constructor(private readonly deps: PluginRouterDeps) {
    this.koa = new MatchCachingRouter({ prefix: deps.base === '/' ? '' : deps.base });
  }

  /** The plugin the routes belong to. */
  get plugin(): string {
    return this.deps.plugin;
  }
  /** The face's base path the routes are under (`/` for none). */
  get base(): string {
    return this.deps.base;
  }

  get<Q = any, P = any>(path: string, options: RouteOptions<C>, handler: Handler<undefined, Q, P>): this {
    return this.add('get', path, options, handler);
  }
  post<B = any, Q = any, P = any>(path: string, options: RouteOptions<C>, handler: Handler<B, Q, P>): this {
    return this.add('post', path, options, handler);
  }
  put<B = any, Q = any, P = any>(path: string, options: RouteOptions<C>, handler: Handler<B, Q, P>): this {
    return this.add('put', path, options, handler);
  }
  patch<B = any, Q = any, P = any>(path: string, options: RouteOptions<C>, handler: Handler<B, Q, P>): this {
    return this.add('patch', path, options, handler);
  }
  delete<B = any, Q = any, P = any>(path: string, options: RouteOptions<C>, handler: Handler<B, Q, P>): this {
    return this.add('delete', path, options, handler);
  }

  /** Plain Koa middleware for everything under this plugin's base (e.g. a face-wide guard). */
  use(mw: Middleware): this {
    const plugin = this.deps.plugin;
    // Runs only when one of this router's routes matched: the request is this plugin's.
    this.koa.use(((ctx: HttpContext, next: () => Promise<unknown>) => {
      ctx.state.plugin = plugin;
      return mw(ctx as never, next);
    }) as never);
    return this;
  }

  private add(method: Method, path: string, options: RouteOptions<C>, handler: Handler): this {
    const where = `${method.toUpperCase()} ${this.deps.base}${path} (plugin ${this.deps.plugin})`;
    const validators = {
      body: lazyValidator(BODY, options.schema?.body, `${where} body`),
      query: lazyValidator(QUERY, options.schema?.query, `${where} query`),
      params: lazyValidator(QUERY, options.schema?.params, `${where} params`),
    };
    const guards = options.guards ?? [];
    const limit = options.rateLimit;
    const limits = this.deps.rateLimits;
    const checkReply = this.deps.checkReplies ? replyChecker(where, options.schema?.responses) : null;
    const errors = routeErrors({ method, options, guards, validationStatus: this.deps.envelope.validationStatus });
    const checkError = this.deps.checkErrorCodes ? errorChecker(where, errors) : null;
    const template = `${this.deps.base === '/' ? '' : this.deps.base}${path}` || '/';
    const plugin = this.deps.plugin;

    const run = async (ctx: HttpContext) => {
      try {
        await handle(ctx);
      } catch (err) {
        checkError?.(err);
        throw err;
      }
    };
    const handle = async (ctx: HttpContext) => {
      ctx.state.route = template;
      ctx.state.plugin = plugin;
      if (limit) {
        const principal = limit.by === 'principal' ? await ctx.authenticate() : null;
        await limits.consume(limit, principal ? `${principal.kind}:${principal.id}` : addressKey(ctx.ip));
      }
      for (const guard of guards) await guard(ctx);
      const input: RouteInput = {
        // No body at all validates as an empty object: "title is required" says more than "must be object".
        body: ctx.request.body ?? {},
        // Koa parses the query string on first read, an empty one too.
        query: ctx.querystring ? { ...ctx.query } : {},
        params: { ...(ctx as unknown as { params: Record<string, string> }).params },
      };
      const fields = [];
      for (const part of ['params', 'query', 'body'] as const) {
        const validate = validators[part]?.();
        if (validate && !validate(input[part])) fields.push(...toFieldErrors(validate.errors, part));
        const unstorable = unstorableField(input[part], part);
        if (unstorable) fields.push(unstorable);
      }
      if (fields.length) throw AppError.validation(fields, ctx.state.envelope.validationStatus);
      const result = await handler(ctx, input);
      if (result instanceof SuccessReply) setReplyBody(ctx, ctx.state.envelope.ok(result.data, result.message));
      else if (result !== undefined) setReplyBody(ctx, result);
      checkReply?.(ctx.status, result instanceof SuccessReply ? result.data : result);
    };
    // Without the error check, the route is its handler: no async layer of its own on every request.
    this.koa[method](path, (checkError ? run : handle) as never);
    this.deps.openapi.add({
      method,
      path: `${this.deps.base === '/' ? '' : this.deps.base}${path}`,
      plugin: this.deps.plugin,
      summary: options.summary,
      description: options.description,
      operationId: options.operationId ?? operationIdOf(this.deps.plugin, method, path),
      schema: options.schema,
      secured: guards.length > 0,
      envelope: this.deps.envelope,
      errors,
    });
    return this;
  }
}

/**
 * Every error code a route can answer, by status: what its declaration implies, and what it declares.
 * Any input can fail validation (an unstorable string fails without a schema too); a body can be too
 * large, not JSON, or in an encoding the server does not take.
 */
export function routeErrors(route: { method: string; options: RouteOptions<string>; guards: Guard[]; validationStatus: number }): ErrorCodes {
  const out = new Map<number, Set<string>>();
  const add = (codes: ErrorCodes) => {
    for (const [status, list] of Object.entries(codes)) {
      const set = out.get(Number(status)) ?? new Set<string>();
      for (const code of list) set.add(code);
      out.set(Number(status), set);
    }
  };
  add({ [route.validationStatus]: ['validation_error'] });
  if (route.method !== 'get') add({ 400: ['malformed_json', 'malformed_body'], 413: ['payload_too_large'], 415: ['unsupported_media_type'] });
  for (const guard of route.guards) add(guard.errors ?? GUARD_ERRORS);
  if (route.options.rateLimit) add({ 429: ['rate_limited'] });
  add(route.options.errors ?? {});
  return Object.fromEntries([...out].sort(([a], [b]) => a - b).map(([status, codes]) => [status, [...codes].sort()]));
}

/**
 * Holds a route to the error codes /openapi.json lists for it: an AppError whose status and code it
 * does not declare (RouteOptions.errors) is an error naming the route and the code (a 500, so the
 * test that made the request fails), as replyChecker does for success replies.
 */
function errorChecker(where: string, errors: ErrorCodes): (err: unknown) => void {
  const allowed = new Set(Object.entries(errors).flatMap(([status, codes]) => codes.map((code) => `${status} ${code}`)));
  return (err) => {
    if (!(err instanceof AppError) || allowed.has(`${err.status} ${err.code}`)) return;
    throw new Error(`${where} answered ${err.status} ${err.code}, which its route does not declare (RouteOptions.errors)`, { cause: err });
  };
}

const isJson = (value: unknown) => value === null || typeof value !== 'object' || Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype;

/**
 * Holds a route to what /openapi.json says it answers: a success status it does not document, or a
 * JSON reply that does not match its schema, is an error naming the route and the field (a 500, so
 * the test that made the request fails). The reply is checked as it will be serialised.
 */
function replyChecker(where: string, documented: RouteSchemas['responses']): (status: number, data: unknown) => void {
  const compiled = new Map<number, Validator<unknown>>();
  return (status, data) => {
    // A route that documents nothing is caught by the API reference test, not per request.
    if (!documented || (status >= 300 && status !== 304)) return;
    const doc = documented?.[status];
    if (!doc) throw new Error(`${where} answered ${status}, which its route does not document (schema.responses)`);
    if (!doc.schema || doc.contentType || data === undefined || !isJson(data)) return;
    let validate = compiled.get(status);
    if (!validate) compiled.set(status, (validate = sharedAjv(REPLY).compile(doc.schema)));
    if (!validate(JSON.parse(JSON.stringify(data ?? null)))) {
      const fields = toFieldErrors(validate.errors, 'reply').map((f) => `${f.path} ${f.message}`);
      throw new Error(`${where} answered ${status} with a body its documented schema refuses: ${fields.join('; ')}`);
    }
  };
}
