import type { PluginRouter } from '../../../core/http/router.js';
import type { AiServices } from '../services/index.js';
import { askSchema } from '../schemas.js';
import { adminRead, manage, ok, pageQuery, tenantAdmin } from './shared.js';

/** The "try it" box (answers a sample message with a robot's settings; sends nothing) and the AI call log. */
export function answerRoutes(r: PluginRouter, s: AiServices, limit: { bucket: string; points: number; durationSeconds: number; by: 'principal' }): void {
  r.post(
    '/api/ai/try',
    {
      summary: 'Answer a sample message as a robot would, without sending anything',
      guards: manage,
      rateLimit: limit,
      schema: { body: askSchema },
    },
    async (ctx, { body }) => ok(await s.ask.run((await tenantAdmin(ctx)).tenantId, body, 'try')),
  );
  r.get(
    '/api/ai/calls',
    {
      summary: 'The AI call log: provider, model, tokens, latency, outcome, cost',
      guards: adminRead,
      schema: {
        query: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            robotId: { type: 'string', maxLength: 64 },
            provider: { type: 'string', maxLength: 40 },
            outcome: { enum: ['ok', 'timeout', 'rate_limited', 'error'] },
          },
        },
      },
    },
    async (ctx, { query }) => {
      const { tenantId } = await tenantAdmin(ctx);
      return ok(await s.calls.list(tenantId, query, { page: query.page, pageSize: query.pageSize }));
    },
  );
}
