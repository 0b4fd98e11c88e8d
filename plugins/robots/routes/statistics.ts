import type { PluginRouter } from 'plinth/plugin';
import type { RobotsServices } from '../services/index.js';
import { userScope } from './robots.js';
import { ok } from 'plinth/plugin';
import { rangeQuery, robotIdParams, robotStatisticsReply, userStatisticsReply } from './schemas.js';
import type { RobotsErrorCode } from '../api.js';

export function statisticsRoutes(r: PluginRouter<RobotsErrorCode>, s: RobotsServices): void {
  r.get(
    '/api/robots/:robotId/statistics',
    {
      errors: { 401: ['unauthorized'], 404: ['not_found'] },
      summary: "A robot's statistics over a date range",
      schema: { params: robotIdParams, query: rangeQuery, responses: { 200: { description: 'The figures (UTC days)', schema: robotStatisticsReply } } },
    },
    async (ctx, { params, query }) => {
      const scope = await userScope(ctx);
      const range = s.statistics.range(query);
      return ok(await s.statistics.robot(await s.robots.row(scope, params.robotId), range));
    },
  );
  r.get(
    '/api/user/statistics',
    {
      errors: { 401: ['unauthorized'] },
      summary: "The user's statistics over a date range",
      schema: { query: rangeQuery, responses: { 200: { description: 'The figures of every robot the user sees (UTC days)', schema: userStatisticsReply } } },
    },
    async (ctx, { query }) => {
      const scope = await userScope(ctx);
      return ok(await s.statistics.user(scope, s.statistics.range(query)));
    },
  );
}
