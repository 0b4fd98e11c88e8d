import type { PluginRouter } from 'plinth/plugin';
import { requireScope } from 'plinth/plugin';
import { recommend } from 'plinth/plugin';
import { hasRole, hasScope } from 'plinth/plugin';
import type { ScopeInfo } from 'plinth/plugin';
import { isPlatformScope } from '../services/scopes.js';
import type { AuthServices } from '../services/index.js';
import { meta, principalOf, tenantPrincipal } from './shared.js';
import { apiKeyBody, apiKeyListReply, apiKeyReply, grantableScopesReply, newApiKeyReply, uuidParam } from './schemas.js';
import type { AuthErrorCode } from '../api.js';

export function apiKeyRoutes(r: PluginRouter<AuthErrorCode>, s: AuthServices, registry: Map<string, ScopeInfo>): void {
  const manage = [requireScope('api-keys:manage')];

  r.get(
    '/api-keys',
    {
      errors: { 403: ['mfa_enrollment_required', 'tenant_required'] },
      summary: 'List API keys',
      guards: manage,
      schema: { responses: { 200: { description: 'Your keys (every key of the tenant for owners and admins), newest first', schema: apiKeyListReply } } },
    },
    async (ctx) => s.apiKeys.list(await tenantPrincipal(ctx)),
  );

  r.post(
    '/api-keys',
    {
      errors: { 402: ['usage_limit_reached'], 403: ['scope_not_held', 'tenant_required'] },
      summary: 'Create an API key (the raw key is shown once)',
      guards: manage,
      schema: { body: apiKeyBody, responses: { 201: { description: 'The key, with raw_key shown this once', schema: newApiKeyReply } } },
    },
    async (ctx, { body: b }) => {
      const principal = await tenantPrincipal(ctx);
      // Seed 000's form has no scopes (its keys act for their creator); seed 001 asks for them. A key
      // made without gets every tenant scope its creator holds, and the reply advises naming fewer.
      const scopes: string[] = b.scopes ?? [...registry.keys()].filter((scope) => hasScope(principal, scope) && !isPlatformScope(scope));
      if (!b.scopes) recommend(ctx, `no scopes given: the key holds all ${scopes.length} of yours; name only those it needs (scopes)`);
      const key = await s.apiKeys.create(principal, { ...b, scopes }, meta(ctx));
      ctx.status = 201;
      return key;
    },
  );

  r.get(
    '/api-keys/scopes',
    {
      summary: 'The scopes you can grant a new key, with descriptions',
      guards: manage,
      schema: { responses: { 200: { description: 'Each scope you hold, with the plugin that declares it', schema: grantableScopesReply } } },
    },
    async (ctx) => {
      const p = await principalOf(ctx);
      return [...registry]
        .filter(([scope]) => hasScope(p, scope) && (!isPlatformScope(scope) || hasRole(p, 'superadmin')))
        .map(([scope, info]) => ({ scope, description: info.description, plugin: info.plugin }));
    },
  );

  r.get(
    '/api-keys/:id',
    {
      errors: { 404: ['not_found'] },
      summary: 'One API key',
      guards: manage,
      schema: { params: uuidParam, responses: { 200: { description: 'The key (never its secret)', schema: apiKeyReply } } },
    },
    async (ctx, { params }) => s.apiKeys.get(await tenantPrincipal(ctx), params.id),
  );

  r.delete(
    '/api-keys/:id',
    {
      errors: { 404: ['not_found'] },
      summary: 'Revoke an API key',
      guards: manage,
      schema: { params: uuidParam, responses: { 204: { description: 'Revoked (also when it already was)' } } },
    },
    async (ctx, { params }) => {
      await s.apiKeys.revoke(await tenantPrincipal(ctx), params.id, meta(ctx));
      ctx.status = 204;
    },
  );

  r.post(
    '/api-keys/:id/rotate',
    {
      errors: { 404: ['not_found'], 409: ['key_revoked'] },
      summary: 'Replace the secret of an API key',
      guards: manage,
      schema: {
        params: uuidParam,
        responses: { 200: { description: 'The key with its new raw_key, shown this once; the old one stops working', schema: newApiKeyReply } },
      },
    },
    async (ctx, { params }) => s.apiKeys.rotate(await tenantPrincipal(ctx), params.id, meta(ctx)),
  );
}
