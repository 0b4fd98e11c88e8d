import type { PluginRouter } from 'plinth/plugin';
import type { AiServices } from '../services/index.js';
import { noData, providerBody, providerListReply, providerParams, providerReply, settingsBody, settingsReply } from './schemas.js';
import { manage, ok, read, tenantAdmin, tenantUser } from './shared.js';
import type { AiErrorCode } from '../api.js';

/** Beside the seed, in its style: a tenant's model providers (keys write-only) and fallback answer. */
export function setupRoutes(r: PluginRouter<AiErrorCode>, s: AiServices): void {
  r.get(
    '/api/ai/providers',
    {
      summary: "The tenant's model providers (API keys are never shown)",
      guards: read,
      schema: { responses: { 200: { description: "The tenant's own providers by priority, then the config's", schema: providerListReply } } },
    },
    async (ctx) => ok({ list: await s.registry.list((await tenantUser(ctx)).tenantId) }),
  );
  r.put(
    '/api/ai/providers/:name',
    {
      errors: { 400: ['target_refused'] },
      summary: 'Add or change a model provider',
      guards: manage,
      schema: { params: providerParams, body: providerBody, responses: { 200: { description: 'The provider as saved', schema: providerReply } } },
    },
    async (ctx, { params, body }) => ok(await s.registry.upsert((await tenantAdmin(ctx)).tenantId, params.name, body), 'saved'),
  );
  r.delete(
    '/api/ai/providers/:name',
    {
      errors: { 404: ['not_found'] },
      summary: 'Remove a model provider',
      guards: manage,
      schema: { params: providerParams, responses: { 200: { description: 'Removed', schema: noData } } },
    },
    async (ctx, { params }) => {
      await s.registry.remove((await tenantAdmin(ctx)).tenantId, params.name);
      return ok(null, 'deleted');
    },
  );
  r.get(
    '/api/ai/settings',
    { summary: "The tenant's AI settings", guards: read, schema: { responses: { 200: { description: 'The settings', schema: settingsReply } } } },
    async (ctx) => ok(await s.tenantSettings.get((await tenantUser(ctx)).tenantId)),
  );
  r.put(
    '/api/ai/settings',
    {
      summary: "Change the builtin responder's fallback answer (null: the default)",
      guards: manage,
      schema: { body: settingsBody, responses: { 200: { description: 'The settings as saved', schema: settingsReply } } },
    },
    async (ctx, { body }) => {
      const { tenantId } = await tenantAdmin(ctx);
      await s.tenantSettings.setFallback(tenantId, body.fallbackAnswer);
      return ok(await s.tenantSettings.get(tenantId), 'saved');
    },
  );
}
