import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { McpHttpHandler } from '@modelcontextprotocol/server';
import { AppError } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import { randomToken } from 'plinth/plugin';
import type { GrantPrincipals } from '../../auth/api.js';
import type { Principal } from 'plinth/plugin';
import type { CallDeps } from '../services/calls.js';
import type { OAuthServer } from '../services/oauth.js';
import { AgentsErrors } from '../services/errors.js';
import { assertOrigin, batchRefusal, narrowingOf, originOf } from './mcp-guards.js';
import { mcpQuery, mcpReply, mcpRequest, protectedResourceReply } from './schemas.js';
import type { AgentsErrorCode } from '../api.js';
// The face also answers auth's codes: a credential's refusals come from auth's chain.
import type { AuthErrorCode } from '../../auth/api.js';

/** Rebuilds the Web Request the SDK reads (the body is already parsed by Koa and passed beside it). */
function webRequest(ctx: HttpContext, url: string): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(ctx.headers)) if (typeof v === 'string') headers.set(k, v);
  return new Request(url, { method: ctx.method, headers });
}

// The MCP SDK (and zod under it) loads on the first MCP request rather than at boot: about 100 ms
// of a cold start, for an endpoint many installations never call.
type McpServing = typeof import('../services/mcp-server.js');
let serving: Promise<McpServing> | undefined;
const loadServing = () => (serving ??= import('../services/mcp-server.js'));

type Params = { clientInfo?: unknown; _meta?: Record<string, unknown> };
type Message = { method?: string; params?: Params };

const label = (info: unknown): string | null => {
  const { name, version } = (info ?? {}) as { name?: unknown; version?: unknown };
  return typeof name === 'string' && name ? `${name}/${typeof version === 'string' ? version : '?'}`.slice(0, 200) : null;
};

/**
 * The 2025-era stateless answer to "which client is this" after `initialize`: the session id the
 * server hands out carries the client's name/version (and 96 random bits), so any instance reads
 * it back from the `Mcp-Session-Id` the client echoes — nothing is stored, no sticky sessions.
 * The id authorises nothing (every request carries the API key); it only names the client.
 */
const sessionIdFor = (client: string) => `${Buffer.from(client).toString('base64url')}.${randomToken(12)}`;
const clientOfSession = (id: string): string | null => {
  const match = /^([A-Za-z0-9_-]{1,300})\.[A-Za-z0-9_-]{16}$/.exec(id);
  const client = match ? Buffer.from(match[1], 'base64url').toString('utf8') : '';
  return /^[\x20-\x7e]{1,200}$/.test(client) ? client : null;
};

/**
 * The agent client as it names itself: the current revision's `_meta["io.modelcontextprotocol/clientInfo"]`
 * on every request; a 2025-era client's `clientInfo` on `initialize`, then the session id given back
 * for it; the User-Agent for a client that sends neither.
 */
function clientOf(ctx: HttpContext, message: Message, clientInfoKey: string): string {
  const params = message.params;
  const fromSession = clientOfSession(ctx.get('mcp-session-id'));
  return label(params?._meta?.[clientInfoKey]) ?? label(params?.clientInfo) ?? fromSession ?? (ctx.get('user-agent') || 'unknown').slice(0, 200);
}

const POST_REPLIES = {
  200: {
    description: 'The JSON-RPC response (application/json, or text/event-stream for a 2025-era request)',
    contentType: 'application/json',
    schema: mcpReply,
  },
  202: { description: 'A notification or response accepted' },
};
/** The authorization server behind /mcp, with what turns its tokens into principals (auth's grantPrincipals). */
export interface McpOAuth {
  server: OAuthServer;
  principals: GrantPrincipals;
  scopes: () => string[];
}

/** oidc-provider's opaque tokens: 43 base64url characters; no API key (prefix + 43), session JWT (dots) or robot token looks so. */
const OAUTH_TOKEN = /^Bearer\s+([A-Za-z0-9_-]{43})\s*$/i;

/**
 * The principal of an OAuth access token: live, issued for this resource (`<public URL>/mcp`; a
 * token for another resource is refused), its user still able to act; scopes are the granted ones
 * within the user's current role and plan, as for a key. Null when the request carries no such token.
 */
async function oauthPrincipal(ctx: HttpContext, oauth: McpOAuth | null): Promise<Principal | null> {
  const token = oauth ? OAUTH_TOKEN.exec(ctx.get('authorization'))?.[1] : undefined;
  if (!oauth || !token || ctx.get('x-api-key')) return null;
  const access = await oauth.server.access(token);
  if (!access) throw AgentsErrors.accessTokenRefused();
  return oauth.principals.forGrant(access.userId, access.tenantId, access.scopes, { oauthGrantId: access.grantId, oauthClientId: access.clientId });
}

const NOT_SERVED = { 405: { description: 'Not served: the endpoint is stateless, there is no session stream to open or end (Allow: POST)' } };

/**
 * The MCP endpoint and the RFC 9728 document a client reads to learn how to authenticate (at the
 * root location and at the path-inserted one for the resource `/mcp`). A browser may call it only
 * from the public URL's origin or one of `allowedOrigins`.
 */
export interface McpRouteOptions {
  publicUrl: string;
  /** Browser origins besides the public URL's that may call /mcp. */
  allowedOrigins: string[];
  /** Answer a plain modern tools/call without the SDK's pipeline (settings.agents.directToolCalls). */
  directToolCalls: boolean;
  oauth: McpOAuth | null;
}

export function mcpRoutes(
  r: PluginRouter<AgentsErrorCode | AuthErrorCode>,
  deps: CallDeps,
  { publicUrl, allowedOrigins, directToolCalls, oauth }: McpRouteOptions,
): void {
  const metadataUrl = `${publicUrl}/.well-known/oauth-protected-resource`;
  const origins = new Set([publicUrl, ...allowedOrigins].map(originOf).filter((o): o is string => o !== null));
  let handler: McpHttpHandler | undefined;
  // The toolsets a request may name: the plugins the tools come from (the catalogue is fixed once made).
  let plugins: Set<string> | undefined;
  const toolsets = () => (plugins ??= new Set(deps.catalogue().map((t) => t.plugin)));
  const metadata = {
    summary: 'OAuth protected-resource metadata (RFC 9728) for the MCP endpoint',
    schema: { responses: { 200: { description: 'The MCP endpoint and how to authenticate to it', schema: protectedResourceReply } } },
  };
  const serveMetadata = async (ctx: HttpContext) => {
    ctx.body = {
      resource: `${publicUrl}/mcp`,
      authorization_servers: oauth ? [oauth.server.issuer] : [],
      ...(oauth ? { scopes_supported: oauth.scopes() } : {}),
      bearer_methods_supported: ['header'],
      resource_documentation: `${publicUrl}/docs`,
    };
  };
  r.get('/.well-known/oauth-protected-resource', metadata, serveMetadata);
  // RFC 9728 §3.1: the resource's path inserted after the well-known name, where a client looks first.
  r.get('/.well-known/oauth-protected-resource/mcp', { ...metadata, summary: `${metadata.summary} (RFC 9728 path-inserted location)` }, serveMetadata);
  r.post(
    '/mcp',
    {
      errors: { 401: ['invalid_api_key', 'invalid_token'], 403: ['mfa_enrollment_required', 'origin_not_allowed'] },
      summary: 'The MCP endpoint (Streamable HTTP, stateless): protocol 2026-07-28 and the 2025 revisions',
      description: 'An API key in X-API-Key or Authorization: Bearer, or an OAuth access token issued for this resource (<public URL>/mcp).',
      schema: { query: mcpQuery, rawBody: { contentType: 'application/json', schema: mcpRequest }, responses: POST_REPLIES },
    },
    async (ctx, { query }) => {
      assertOrigin(ctx, origins);
      const challenge = `Bearer resource_metadata="${metadataUrl}"`;
      const principal = await (async () => (await oauthPrincipal(ctx, oauth)) ?? ctx.authenticate())().catch((err: unknown) => {
        // A wrong or expired key: the same challenge (RFC 6750 error), so a client knows where to look.
        if (err instanceof AppError && err.status === 401) {
          throw err.withHeaders({ 'WWW-Authenticate': `${challenge}, error="invalid_token"` });
        }
        throw err;
      });
      if (!principal?.tenantId) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', challenge);
        ctx.body = { detail: 'An API key is required (X-API-Key or Authorization: Bearer)' };
        return;
      }
      const body = ctx.request.body;
      const refused = batchRefusal(ctx, body);
      if (refused) {
        ctx.status = refused.status;
        ctx.body = refused.body;
        return;
      }
      const message = ((Array.isArray(body) ? body[0] : body) ?? {}) as Message;
      // An OAuth grant is metered and limited like a key of its own.
      const grantId = principal.attributes?.oauthGrantId;
      const keyId = String(principal.attributes?.apiKeyId ?? (grantId ? `oauth:${grantId}` : `${principal.kind}:${principal.id}`));
      const sdk = await loadServing();
      handler ??= sdk.mcpHandler(deps);
      const narrow = narrowingOf(ctx, query, toolsets());
      const caller = { principal, keyId, client: clientOf(ctx, message, sdk.CLIENT_INFO_META_KEY), ip: ctx.ip, narrow };
      const direct = directToolCalls ? await sdk.answerDirectly(deps, caller, (name) => ctx.get(name), body) : null;
      deps.metrics?.requests.inc({ served_by: direct === null ? 'sdk' : 'direct' });
      if (direct !== null) {
        ctx.set('Content-Type', 'application/json'); // as the SDK answers: no charset parameter
        ctx.body = direct;
        return;
      }
      const authInfo = await sdk.prepareRequest(deps, caller, await sdk.visibleTools(deps, caller), body);
      const res = await handler.fetch(webRequest(ctx, `${publicUrl}/mcp`), { parsedBody: body, authInfo });
      ctx.status = res.status;
      res.headers.forEach((v, k) => ctx.set(k, v));
      if (message.method === 'initialize' && res.ok) ctx.set('Mcp-Session-Id', sessionIdFor(caller.client));
      if (!res.body) ctx.body = null;
      else if (res.headers.get('content-type')?.startsWith('text/event-stream')) ctx.body = Readable.fromWeb(res.body as NodeReadableStream);
      else ctx.body = await res.text();
      ctx.status = res.status;
    },
  );
  // 2025 session operations: a stateless endpoint has no stream to open (GET) or session to end (DELETE).
  const notServed = () => {
    throw AgentsErrors.postOnly();
  };
  r.get(
    '/mcp',
    { errors: { 405: ['method_not_allowed'] }, summary: 'MCP GET (a 2025 session stream): 405, the endpoint is stateless', schema: { responses: NOT_SERVED } },
    notServed,
  );
  r.delete(
    '/mcp',
    { errors: { 405: ['method_not_allowed'] }, summary: 'MCP DELETE (a 2025 session end): 405, the endpoint is stateless', schema: { responses: NOT_SERVED } },
    notServed,
  );
}
