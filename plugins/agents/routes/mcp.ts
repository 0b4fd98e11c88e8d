import type { HttpContext } from '../../../core/http/context.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { CallDeps } from '../services/calls.js';
import { answerMcp } from '../services/mcp-server.js';

/** Rebuilds the Web Request the SDK's transport reads (the body is already parsed by Koa). */
function webRequest(ctx: HttpContext, url: string): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(ctx.headers)) if (typeof v === 'string') headers.set(k, v);
  return new Request(url, { method: ctx.method, headers });
}

/**
 * The agent client as it names itself: MCP clientInfo (sent with initialize only, so stateless
 * calls fall back to `_meta.client` or the User-Agent).
 */
function clientOf(ctx: HttpContext): string {
  const body = ctx.request.body as { params?: { clientInfo?: { name?: string; version?: string }; _meta?: { client?: string } } } | undefined;
  const info = body?.params?.clientInfo;
  if (info?.name) return `${info.name}/${info.version ?? '?'}`;
  return String(body?.params?._meta?.client ?? ctx.get('user-agent') ?? 'unknown').slice(0, 200);
}

/** The MCP endpoint and the RFC 9728 document a client reads to learn how to authenticate. */
export function mcpRoutes(r: PluginRouter, deps: CallDeps, publicUrl: string): void {
  const metadataUrl = `${publicUrl}/.well-known/oauth-protected-resource`;
  r.get('/.well-known/oauth-protected-resource', { summary: 'OAuth protected-resource metadata (RFC 9728) for the MCP endpoint' }, async (ctx) => {
    ctx.body = {
      resource: `${publicUrl}/mcp`,
      authorization_servers: [],
      bearer_methods_supported: ['header'],
      resource_documentation: `${publicUrl}/docs`,
    };
  });
  r.post('/mcp', { summary: 'The MCP endpoint (Streamable HTTP, stateless, JSON responses); API key in X-API-Key or Bearer' }, async (ctx) => {
    const principal = await ctx.authenticate();
    if (!principal?.tenantId) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', `Bearer resource_metadata="${metadataUrl}"`);
      ctx.body = { detail: 'An API key is required (X-API-Key or Authorization: Bearer)' };
      return;
    }
    const keyId = String(principal.attributes?.apiKeyId ?? `${principal.kind}:${principal.id}`);
    const caller = { principal, keyId, client: clientOf(ctx), ip: ctx.ip };
    const res = await answerMcp(deps, caller, webRequest(ctx, `${publicUrl}/mcp`), ctx.request.body);
    ctx.status = res.status;
    res.headers.forEach((v, k) => ctx.set(k, v));
    const text = await res.text();
    ctx.body = text.length ? text : null;
    if (!text.length) ctx.status = res.status;
  });
}
