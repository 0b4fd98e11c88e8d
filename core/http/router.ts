import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { AppError } from '../errors.js';
import { boundIntegers, createAjv, toFieldErrors, unstorableField, type Validator } from '../validation.js';
import type { HttpContext } from './context.js';
import type { RateLimits, LimitSpec } from '../rate-limit.js';
import type { OpenApiRegistry } from './openapi.js';
import { SuccessReply } from './reply.js';
import type { Envelope } from './envelopes.js';
import { operationIdOf } from './openapi.js';

export type JsonSchema = Record<string, unknown>;

export interface RouteSchemas {
  body?: JsonSchema;
  query?: JsonSchema;
  params?: JsonSchema;
  /** Documented replies by status, for /openapi.json. */
  responses?: Record<number, { description: string; schema?: JsonSchema }>;
}

/** A guard checks the request and throws (401/403) or returns. */
export type Guard = (ctx: HttpContext) => Promise<void> | void;

export interface RouteRateLimit extends LimitSpec {
  /** Whose budget: the client IP (default) or the authenticated principal. */
  by?: 'ip' | 'principal';
}

export interface RouteOptions {
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
}

export interface RouteInput<B = any, Q = any, P = any> {
  body: B;
  query: Q;
  params: P;
}

/** Returns the reply body (or sets ctx.body itself and returns undefined). */
export type Handler<B = any, Q = any, P = any> = (ctx: HttpContext, input: RouteInput<B, Q, P>) => unknown | Promise<unknown>;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

const bodyAjv = createAjv();
const queryAjv = createAjv({ coerceTypes: 'array' });

/**
 * Checks a route schema at boot (an invalid one stops the boot, naming the route) but generates
 * its validator on first use: most routes of a big install are rarely called, and code generation
 * for all of them was most of the boot time.
 */
function lazyValidator(ajv: ReturnType<typeof createAjv>, declared: JsonSchema | undefined, where: string): (() => Validator<unknown>) | null {
  if (!declared) return null;
  const schema = boundIntegers(declared);
  if (!ajv.validateSchema(schema)) throw new Error(`invalid ${where} schema: ${ajv.errorsText(ajv.errors)}`);
  let compiled: Validator<unknown> | null = null;
  return () => {
    if (!compiled) {
      try {
        compiled = ajv.compile(schema);
      } catch (err) {
        throw new Error(`invalid ${where} schema: ${(err as Error).message}`);
      }
    }
    return compiled;
  };
}

/**
 * A plugin's routes under its face's base path. Each route's schemas are checked at boot,
 * compiled once on first use, and recorded for /openapi.json. Handlers receive validated input.
 */
export class PluginRouter {
  readonly koa: Router;

  constructor(
    readonly plugin: string,
    readonly base: string,
    private readonly rateLimits: RateLimits,
    private readonly openapi: OpenApiRegistry,
    /** The face's envelope: success replies are wrapped in it (and documented so). */
    private readonly envelope: Envelope,
  ) {
    this.koa = new Router({ prefix: base === '/' ? '' : base });
  }

  get<Q = any, P = any>(path: string, options: RouteOptions, handler: Handler<undefined, Q, P>): this {
    return this.add('get', path, options, handler);
  }
  post<B = any, Q = any, P = any>(path: string, options: RouteOptions, handler: Handler<B, Q, P>): this {
    return this.add('post', path, options, handler);
  }
  put<B = any, Q = any, P = any>(path: string, options: RouteOptions, handler: Handler<B, Q, P>): this {
    return this.add('put', path, options, handler);
  }
  patch<B = any, Q = any, P = any>(path: string, options: RouteOptions, handler: Handler<B, Q, P>): this {
    return this.add('patch', path, options, handler);
  }
  delete<B = any, Q = any, P = any>(path: string, options: RouteOptions, handler: Handler<B, Q, P>): this {
    return this.add('delete', path, options, handler);
  }

  /** Plain Koa middleware for everything under this plugin's base (e.g. a face-wide guard). */
  use(mw: Middleware): this {
    this.koa.use(mw as never);
    return this;
  }

  private add(method: Method, path: string, options: RouteOptions, handler: Handler): this {
    const where = `${method.toUpperCase()} ${this.base}${path} (plugin ${this.plugin})`;
    const validators = {
      body: lazyValidator(bodyAjv, options.schema?.body, `${where} body`),
      query: lazyValidator(queryAjv, options.schema?.query, `${where} query`),
      params: lazyValidator(queryAjv, options.schema?.params, `${where} params`),
    };
    const guards = options.guards ?? [];
    const limit = options.rateLimit;
    const limits = this.rateLimits;

    const run = async (ctx: HttpContext) => {
      if (limit) {
        const principal = limit.by === 'principal' ? await ctx.authenticate() : null;
        await limits.consume(limit, principal ? `${principal.kind}:${principal.id}` : ctx.ip);
      }
      for (const guard of guards) await guard(ctx);
      const input: RouteInput = {
        // No body at all validates as an empty object: "title is required" says more than "must be object".
        body: ctx.request.body ?? {},
        query: { ...ctx.query },
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
      if (result instanceof SuccessReply) ctx.body = ctx.state.envelope.ok(result.data, result.message);
      else if (result !== undefined) ctx.body = result;
    };
    this.koa[method](path, run as never);
    this.openapi.add({
      method,
      path: `${this.base === '/' ? '' : this.base}${path}`,
      plugin: this.plugin,
      summary: options.summary,
      description: options.description,
      operationId: options.operationId ?? operationIdOf(this.plugin, method, path),
      schema: options.schema,
      secured: guards.length > 0,
      envelope: this.envelope,
    });
    return this;
  }
}
