import { requireScope } from '../../../core/http/guards.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { BillingServices } from '../services/index.js';
import { tenantOf } from './billing.js';

export function usageRoutes(r: PluginRouter, s: BillingServices, metrics: () => string[]): void {
  const read = [requireScope('usage:read')];

  r.get('/usage/current', { summary: 'This period’s usage by metric', guards: read }, async (ctx) => {
    const tenantId = await tenantOf(ctx);
    const [{ limits, plan_id }, used] = await Promise.all([s.meter.effective(tenantId), s.meter.current(tenantId)]);
    return {
      plan_id,
      period: s.meter.currentMonth(),
      metrics: [...new Set([...metrics(), ...Object.keys(limits)])].sort().map((metric) => {
        const limit = limits[metric] ?? null;
        const value = used[metric] ?? 0;
        return { metric, used: value, limit, remaining: limit === null ? null : Math.max(0, limit - value) };
      }),
    };
  });

  r.get(
    '/usage/history',
    {
      summary: 'Usage by month',
      guards: read,
      schema: { query: { type: 'object', additionalProperties: false, properties: { months: { type: 'integer', minimum: 1, maximum: 36, default: 12 } } } },
    },
    async (ctx, { query }) => ({ months: await s.meter.history(await tenantOf(ctx), query.months) }),
  );

  r.get('/usage/daily', { summary: 'This month by day', guards: read }, async (ctx) => s.meter.daily(await tenantOf(ctx)));
}
