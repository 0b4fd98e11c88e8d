import { requireScope } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { BillingServices } from '../services/index.js';
import { tenantOf } from './billing.js';
import { currentUsageReply, dailyUsageReply, historyQuery, usageHistoryReply } from './schemas.js';
import type { BillingErrorCode } from '../api.js';

export function usageRoutes(r: PluginRouter<BillingErrorCode>, s: BillingServices): void {
  const read = [requireScope('usage:read')];

  r.get(
    '/usage/current',
    {
      summary: 'This period’s usage by metric',
      guards: read,
      schema: { responses: { 200: { description: 'Each metric with what is used, its limit and what remains (null: unlimited)', schema: currentUsageReply } } },
    },
    async (ctx) => s.usageView(await tenantOf(ctx)),
  );

  r.get(
    '/usage/history',
    {
      summary: 'Usage by month',
      guards: read,
      schema: {
        query: historyQuery,
        responses: { 200: { description: 'Usage by metric for each of the last months, newest first', schema: usageHistoryReply } },
      },
    },
    async (ctx, { query }) => ({ months: await s.meter.history(await tenantOf(ctx), query.months) }),
  );

  r.get(
    '/usage/daily',
    {
      summary: 'This month by day',
      guards: read,
      schema: { responses: { 200: { description: 'Usage by metric for each day of this month so far', schema: dailyUsageReply } } },
    },
    async (ctx) => s.meter.daily(await tenantOf(ctx)),
  );
}
