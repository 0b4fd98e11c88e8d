import { STATUS_CODES } from 'node:http';
import { AppError } from '../errors.js';
import type { JsonSchema } from '../validation.js';
import type { Envelope } from './envelopes.js';
import { SESSION_COOKIE } from './auth.js';

/** A guarded operation takes any one credential the auth chain knows (components.securitySchemes). */
const SECURED = [{ bearer: [] }, { apiKey: [] }, { rootToken: [] }, { session: [] }];

/** One documented reply of a route, by status. */
export interface ReplyDoc {
  description: string;
  /**
   * The reply's JSON: what the route returns, or passes to `ok()` (the face's envelope is put around
   * it in /openapi.json). With `server.checkReplies` every reply is checked against it.
   */
  schema?: JsonSchema;
  /** A reply that is not JSON (a download, a stream): its media type; `schema` then describes that body. */
  contentType?: string;
  /** JSON the route answers as is, outside its face's envelope (a seed's health body); still checked. */
  envelope?: false;
}

export interface RouteSchemas {
  body?: JsonSchema;
  /** A request body that is not JSON (a raw message, a provider's signed event), for /openapi.json. */
  rawBody?: { contentType: string; schema?: JsonSchema };
  /** Request headers the route reads (signatures), for /openapi.json. */
  headers?: JsonSchema;
  query?: JsonSchema;
  params?: JsonSchema;
  /** Documented replies by status: every success the route answers, for /openapi.json. */
  responses?: Record<number, ReplyDoc>;
}

/** Error codes by HTTP status: `{ 404: ['plan_not_found', 'not_found'] }`. */
export type ErrorCodes = { readonly [status: number]: readonly string[] };

export interface RouteDoc {
  method: string;
  path: string;
  /** The plugin (or `core`): the operation's tag and the start of its operationId. */
  plugin: string;
  summary?: string;
  description?: string;
  /** Stable and unique; derived from plugin, method and path when not given. */
  operationId?: string;
  schema?: RouteSchemas;
  secured: boolean;
  /** The face's envelope: success bodies are wrapped in it and every error is its error body. */
  envelope: Envelope;
  /** Every error code the route answers, by status (router.ts routeErrors). */
  errors?: ErrorCodes;
}

type Json = Record<string, unknown>;

/** A plugin's face as the reference (and the agent skills made from it) presents it. */
export interface FaceDoc {
  plugin: string;
  base: string;
  description?: string;
  version?: string;
}

/** `mail` `get` `/mail/api/emails/:id` → `mail_get_api_emails_by_id` (the face's base left out). */
export function operationIdOf(plugin: string, method: string, path: string, base = ''): string {
  const rest = base && base !== '/' && path.startsWith(base) ? path.slice(base.length) : path;
  const words = rest
    .split('/')
    .filter(Boolean)
    .map((s) => (s.startsWith(':') ? `by_${s.slice(1)}` : s))
    .map((s) => s.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, ''));
  return [plugin, method, ...words].filter(Boolean).join('_');
}

const pathParams = (path: string) => [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);

/** An object schema's properties as OpenAPI parameters (query string or headers). */
const schemaParameters = (schema: Json | undefined, where: 'query' | 'header') =>
  Object.entries((schema?.properties as Json | undefined) ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: ((schema?.required as string[] | undefined) ?? []).includes(name),
    schema: property,
  }));

/**
 * The face's error body for these codes: its `code` an enum of what clients meet (the envelope's
 * rendering of each code, e.g. the license-server seed's closed set), where the body has a string code.
 */
function errorBodyFor(envelope: Envelope, ref: Json, status: number, codes: readonly string[]): Json {
  const at = envelope.docs.codeAt;
  if (!at) return ref;
  const rendered = codes.map((code) => {
    let value: unknown = envelope.error(new AppError(status, code, ''), '').body;
    for (const key of at) value = (value as Json | undefined)?.[key];
    return value;
  });
  let narrowed: Json = { enum: [...new Set(rendered)].sort() };
  for (const key of [...at].reverse()) narrowed = { type: 'object', properties: { [key]: narrowed } };
  return { allOf: [ref, narrowed] };
}

const backticked = (codes: readonly string[]) => codes.map((c) => `\`${c}\``).join(', ');

/**
 * Collects every route as it is registered and renders an OpenAPI 3.1 document: each operation
 * with an operationId, a summary, its request schemas, a success reply in its face's envelope, each
 * error status it answers with the codes it can carry, and its face's error body for any other 4XX
 * and for 5XX (one component schema per envelope).
 */
export class OpenApiRegistry {
  private readonly routes: Array<RouteDoc & { operationId: string }> = [];
  private readonly ids = new Set<string>();
  private readonly faceDocs = new Map<string, FaceDoc>();

  /** A plugin's face: its base path and what it does (an OpenAPI tag with a description). */
  face(doc: FaceDoc): void {
    this.faceDocs.set(doc.plugin, doc);
  }

  /** The faces with routes, in the order their plugins mounted them. */
  faces(): FaceDoc[] {
    return [...this.faceDocs.values()];
  }

  add(route: RouteDoc): void {
    let id = route.operationId ?? operationIdOf(route.plugin, route.method, route.path);
    for (let n = 2; this.ids.has(id); n++) id = `${route.operationId ?? operationIdOf(route.plugin, route.method, route.path)}_${n}`;
    this.ids.add(id);
    this.routes.push({ ...route, operationId: id });
  }

  /** Every operation registered (tests check them against the mounted routes). */
  list(): ReadonlyArray<RouteDoc & { operationId: string }> {
    return this.routes;
  }

  document(info: { title: string; version: string; serverUrl: string }): Json {
    const paths: Record<string, Json> = {};
    const schemas: Record<string, Json> = {};
    for (const r of this.routes) {
      const { docs } = r.envelope;
      schemas[docs.title] = docs.error;
      const error = { $ref: `#/components/schemas/${docs.title}` };
      const declared = r.schema?.responses ?? {};
      const responses: Json = {};
      for (const [status, res] of Object.entries(declared)) {
        // An error status is in the face's error body, unless the route documents a body of its own (`envelope: false`).
        const isError = Number(status) >= 400 && !(res.envelope === false && res.schema);
        const content = isError
          ? { 'application/json': { schema: error } }
          : res.contentType
            ? { [res.contentType]: { schema: res.schema ?? { type: 'string', format: 'binary' } } }
            : res.schema
              ? { 'application/json': { schema: res.envelope === false ? res.schema : docs.ok(res.schema) } }
              : undefined;
        responses[status] = { description: res.description, ...(content ? { content } : {}) };
      }
      // Undocumented so far: the API reference test names every such operation.
      if (!Object.keys(declared).length) responses['200'] = { description: 'Success' };
      // Each error status the route answers, its codes listed (x-error-codes) and, where the envelope has a string code, its enum.
      for (const [status, codes] of Object.entries(r.errors ?? {})) {
        const given = declared[Number(status)]?.description;
        const names = `${STATUS_CODES[Number(status)] ?? 'Error'}: ${backticked(codes)}`;
        responses[status] = {
          description: given ? `${given} (${backticked(codes)})` : names,
          'x-error-codes': [...codes],
          content: { 'application/json': { schema: errorBodyFor(r.envelope, error, Number(status), codes) } },
        };
      }
      responses['4XX'] = {
        description: `Any other refusal (${docs.title}): the face's own middleware, before the operation runs`,
        content: { 'application/json': { schema: error } },
      };
      responses['5XX'] = {
        description: `The server failed (${docs.title}; the message carries the request id)`,
        content: { 'application/json': { schema: error } },
      };
      const parameters = [
        ...pathParams(r.path).map((name) => ({
          name,
          in: 'path',
          required: true,
          schema: (r.schema?.params?.properties as Json | undefined)?.[name] ?? { type: 'string' },
        })),
        ...schemaParameters(r.schema?.query, 'query'),
        ...schemaParameters(r.schema?.headers, 'header'),
      ];
      const raw = r.schema?.rawBody;
      // A route may take JSON, another media type (a raw message, a CSV import), or either.
      const requestContent = {
        ...(r.schema?.body ? { 'application/json': { schema: r.schema.body } } : {}),
        ...(raw ? { [raw.contentType]: { schema: raw.schema ?? { type: 'string', format: 'binary' } } } : {}),
      };
      (paths[r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')] ??= {})[r.method] = {
        operationId: r.operationId,
        tags: [r.plugin],
        summary: r.summary ?? `${r.method.toUpperCase()} ${r.path}`,
        ...(r.description ? { description: r.description } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(Object.keys(requestContent).length ? { requestBody: { required: true, content: requestContent } } : {}),
        // Any one of the credentials the auth chain takes; an explicit empty list says a route is public.
        security: r.secured ? SECURED : [],
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version, description: 'Every plugin face of this Plinth. Interactive reference: /docs.' },
      servers: [{ url: info.serverUrl }],
      tags: [...new Set(this.routes.map((r) => r.plugin))].map((name) => {
        const description = this.faceDocs.get(name)?.description;
        return { name, ...(description ? { description } : {}) };
      }),
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          rootToken: { type: 'apiKey', in: 'header', name: 'X-Admin-Token' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: "The admin UI's sign-in (a JWT in an HttpOnly cookie)" },
        },
        schemas,
      },
      paths,
    };
  }
}
