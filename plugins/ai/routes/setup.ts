import type { PluginRouter } from '../../../core/http/router.js';
import type { AiServices } from '../services/index.js';
import { manage, ok, read, tenantAdmin, tenantUser } from './shared.js';

const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9_-]{1,40}$' } } };
const providerBody = {
  type: 'object',
  required: ['kind', 'baseUrl'],
  additionalProperties: false,
  properties: {
    kind: { enum: ['openai', 'dify'] },
    baseUrl: { type: 'string', format: 'uri', maxLength: 500 },
    apiKey: { type: 'string', maxLength: 500, description: 'write-only; omit to keep the stored key, "" to remove it' },
    model: { type: ['string', 'null'], maxLength: 100 },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 300000 },
    priority: { type: 'integer', minimum: -1000, maximum: 1000 },
    enabled: { type: 'boolean' },
  },
};

/** Beside the seed, in its style: a tenant's model providers (keys write-only) and fallback answer. */
export function setupRoutes(r: PluginRouter, s: AiServices): void {
  r.get('/api/ai/providers', { summary: "The tenant's model providers (API keys are never shown)", guards: read }, async (ctx) =>
    ok({ list: await s.registry.list((await tenantUser(ctx)).tenantId) }),
  );
  r.put(
    '/api/ai/providers/:name',
    { summary: 'Add or change a model provider', guards: manage, schema: { params: nameParams, body: providerBody } },
    async (ctx, { params, body }) => ok(await s.registry.upsert((await tenantAdmin(ctx)).tenantId, params.name, body), 'saved'),
  );
  r.delete('/api/ai/providers/:name', { summary: 'Remove a model provider', guards: manage, schema: { params: nameParams } }, async (ctx, { params }) => {
    await s.registry.remove((await tenantAdmin(ctx)).tenantId, params.name);
    return ok(null, 'deleted');
  });
  r.get('/api/ai/settings', { summary: "The tenant's AI settings", guards: read }, async (ctx) =>
    ok(await s.tenantSettings.get((await tenantUser(ctx)).tenantId)),
  );
  r.put(
    '/api/ai/settings',
    {
      summary: "Change the builtin responder's fallback answer (null: the default)",
      guards: manage,
      schema: {
        body: {
          type: 'object',
          required: ['fallbackAnswer'],
          additionalProperties: false,
          properties: { fallbackAnswer: { type: ['string', 'null'], minLength: 1, maxLength: 2000 } },
        },
      },
    },
    async (ctx, { body }) => {
      const { tenantId } = await tenantAdmin(ctx);
      await s.tenantSettings.setFallback(tenantId, body.fallbackAnswer);
      return ok(await s.tenantSettings.get(tenantId), 'saved');
    },
  );
}
