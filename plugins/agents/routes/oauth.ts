import { AppError } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import type { Guard, PluginRouter } from 'plinth/plugin';
import type { AuditSink, TenantDirectory } from '../../auth/api.js';
import type { AgentTool } from '../services/tool-catalogue.js';
import { OAUTH_BASE, type OAuthServer } from '../services/oauth.js';
import { keyPresets } from './agent-keys.js';
import { consentBody, consentReply, consentView, grantsReply, revokedReply } from './schemas.js';
import { AgentsErrors } from '../services/errors.js';
import type { AgentsErrorCode } from '../api.js';

export interface OAuthRouteDeps {
  oauth: OAuthServer;
  audit: AuditSink | null;
  tenants: TenantDirectory | null;
  tools: () => AgentTool[];
  /** Every registered scope: what a superadmin (who holds `*`) is offered. */
  allScopes: () => string[];
}

const oauthReply = (description: string) => ({ 200: { description, contentType: 'application/json' } });

/**
 * The authorization server's own endpoints, answered by oidc-provider (OAuth's error format, not
 * the face's), listed here so /openapi.json documents them; and RFC 8414's metadata location for
 * the issuer `<public URL>/oauth`.
 */
const PROVIDER_ROUTES: Array<{ method: 'get' | 'post'; path: string; summary: string; status?: number }> = [
  { method: 'get', path: '/auth', summary: 'OAuth authorization endpoint (code + PKCE S256, resource=<public URL>/mcp): redirects to the consent page' },
  { method: 'post', path: '/auth', summary: 'OAuth authorization endpoint (form post)' },
  { method: 'get', path: '/auth/:uid', summary: 'OAuth authorization resumed after the consent page: redirects to the client' },
  { method: 'post', path: '/token', summary: 'OAuth token endpoint: authorization_code (PKCE) and refresh_token (rotated) grants' },
  { method: 'post', path: '/reg', summary: 'OAuth dynamic client registration (RFC 7591)', status: 201 },
  { method: 'get', path: '/reg/:clientId', summary: 'OAuth client configuration read (RFC 7592, with the registration access token)' },
  { method: 'post', path: '/token/revocation', summary: 'OAuth token revocation (RFC 7009)' },
  { method: 'get', path: '/jwks', summary: "The authorization server's public signing keys" },
  { method: 'get', path: '/.well-known/oauth-authorization-server', summary: 'OAuth authorization server metadata (RFC 8414)' },
  { method: 'get', path: '/.well-known/openid-configuration', summary: 'OAuth authorization server metadata (OpenID discovery location)' },
];

/** The consent page and the grant lists are for a person signed in to the admin UI, in a tenant. */
const personGuard: Guard = async (ctx) => {
  const p = await ctx.authenticate();
  if (!p) throw AppError.unauthorized();
  if (p.kind !== 'user' || !p.tenantId) throw AppError.forbidden('sign in to the admin UI as a user of a tenant to authorize an application');
  if (p.attributes?.requiredStep) throw AgentsErrors.signInUnfinished();
};
const person = async (ctx: HttpContext) => (await ctx.authenticate()) as Principal & { tenantId: string };

export function oauthRoutes(r: PluginRouter<AgentsErrorCode>, d: OAuthRouteDeps): void {
  const serve = (path: (ctx: HttpContext) => string) => async (ctx: HttpContext) => {
    ctx.respond = false;
    await d.oauth.serve(ctx.req, ctx.res, ctx.request.body, path(ctx));
  };
  for (const route of PROVIDER_ROUTES) {
    const responses = {
      ...oauthReply('The OAuth answer (errors in OAuth form: error, error_description)'),
      ...(route.status ? { [route.status]: { description: 'Created', contentType: 'application/json' } } : {}),
    };
    const options = { summary: route.summary, schema: { responses } };
    const handler = serve((ctx) => ctx.path.slice(OAUTH_BASE.length));
    if (route.method === 'get') r.get(`${OAUTH_BASE}${route.path}`, options, handler);
    else r.post(`${OAUTH_BASE}${route.path}`, options, handler);
  }
  // RFC 8414 §3: the metadata of an issuer with a path is at the well-known name with the path after it.
  r.get(
    `/.well-known/oauth-authorization-server${OAUTH_BASE}`,
    { summary: 'OAuth authorization server metadata (RFC 8414 location for the issuer <public URL>/oauth)', schema: { responses: oauthReply('The metadata') } },
    serve(() => '/.well-known/oauth-authorization-server'),
  );

  // The same presets as a key for an agent (the Agents page), computed for the person consenting.
  const presetsFor = (p: Principal) => keyPresets(p, d.allScopes(), d.tools());

  r.get(
    '/agents/oauth/consent/:uid',
    {
      errors: { 403: ['mfa_enrollment_required'], 404: ['not_found'] },
      summary: 'What an application asks to do on your behalf: the client, your tenant, the scope presets and the tools each means',
      guards: [personGuard],
      schema: {
        params: { type: 'object', properties: { uid: { type: 'string', maxLength: 200 } } },
        responses: { 200: { description: 'The request', schema: consentView } },
      },
    },
    async (ctx, { params }) => {
      const p = await person(ctx);
      const found = await d.oauth.interaction(params.uid);
      if (!found) throw AppError.notFound('this authorization request has expired or was already answered: start again from the application');
      const tenant = d.tenants ? await d.tenants.get(p.tenantId).catch(() => null) : null;
      return {
        client: found.client,
        tenant: { id: p.tenantId, name: tenant?.name ?? p.tenantId },
        user: p.name ?? p.id,
        resource: d.oauth.resource,
        requested: found.requested,
        presets: presetsFor(p),
      };
    },
  );

  r.post(
    '/agents/oauth/consent/:uid',
    {
      summary: 'Allow (with a scope preset) or deny an application: the answer the browser takes back to it',
      guards: [personGuard],
      schema: {
        params: { type: 'object', properties: { uid: { type: 'string', maxLength: 200 } } },
        body: consentBody,
        responses: { 200: { description: 'Where the browser goes next (the application)', schema: consentReply } },
      },
    },
    async (ctx, { params, body }) => {
      const p = await person(ctx);
      const found = await d.oauth.interaction(params.uid);
      if (!found) throw AppError.notFound('this authorization request has expired or was already answered: start again from the application');
      if (body.decision === 'deny') {
        const { returnTo } = await d.oauth.finish(params.uid, null, []);
        return { redirect_to: returnTo };
      }
      const preset = presetsFor(p).find((x) => x.id === body.preset);
      if (!preset) throw AppError.validation([{ path: 'body.preset', message: 'choose a preset to allow' }]);
      const { returnTo, grantId } = await d.oauth.finish(params.uid, { userId: p.id, tenantId: p.tenantId }, preset.scopes);
      await d.audit?.record({
        action: 'agents.oauth.granted',
        actor: p,
        target: { type: 'oauth_grant', id: grantId ?? '' },
        meta: { ip: ctx.ip, userAgent: ctx.get('user-agent') },
        details: { client_id: found.client.id, client_name: found.client.name, preset: preset.id, scopes: preset.scopes },
      });
      return { redirect_to: returnTo };
    },
  );

  r.get(
    '/agents/oauth/grants',
    {
      summary: 'The applications you authorized (OAuth grants for the MCP endpoint), newest first',
      guards: [personGuard],
      schema: { responses: { 200: { description: 'Your grants', schema: grantsReply } } },
    },
    async (ctx) => {
      const p = await person(ctx);
      return { items: await d.oauth.grants(p.tenantId, p.id) };
    },
  );

  r.delete(
    '/agents/oauth/grants/:id',
    {
      errors: { 404: ['not_found'] },
      summary: 'Revoke an application: its grant, and every token issued under it, end now',
      guards: [personGuard],
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 300 } } },
        responses: { 200: { description: 'Revoked', schema: revokedReply } },
      },
    },
    async (ctx, { params }) => {
      const p = await person(ctx);
      const grant = await d.oauth.revoke(p.tenantId, p.id, params.id);
      if (!grant) throw AppError.notFound('no such grant of yours');
      await d.audit?.record({
        action: 'agents.oauth.revoked',
        actor: p,
        target: { type: 'oauth_grant', id: grant.id },
        meta: { ip: ctx.ip, userAgent: ctx.get('user-agent') },
        details: { client_id: grant.client_id, client_name: grant.client_name },
      });
      return { revoked: true, id: grant.id };
    },
  );
}
