import type { PluginRouter } from '../../../core/http/router.js';
import type { RobotsServices } from '../services/index.js';
import { robotIdParams, userScope } from './robots.js';
import { ok } from '../../../core/http/reply.js';

// Dates are checked by the service (400 with the field), not by the schema.
const rangeQuery = { type: 'object', properties: { startDate: { type: 'string', maxLength: 20 }, endDate: { type: 'string', maxLength: 20 } } };

export function statisticsRoutes(r: PluginRouter, s: RobotsServices): void {
  r.get(
    '/api/robots/:robotId/statistics',
    { summary: "A robot's statistics over a date range", schema: { params: robotIdParams, query: rangeQuery } },
    async (ctx, { params, query }) => {
      const scope = await userScope(ctx);
      const range = s.statistics.range(query);
      return ok(await s.statistics.robot(await s.robots.row(scope, params.robotId), range));
    },
  );
  r.get('/api/user/statistics', { summary: "The user's statistics over a date range", schema: { query: rangeQuery } }, async (ctx, { query }) => {
    const scope = await userScope(ctx);
    return ok(await s.statistics.user(scope, s.statistics.range(query)));
  });
}
