import { AppError } from '../../../core/errors.js';
import type { HttpContext } from '../../../core/http/context.js';
import { envelopes } from '../../../core/http/envelopes.js';
import { hasRole } from '../../../core/http/auth.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { RobotsServices } from '../services/index.js';
import type { RobotScope } from '../services/robots.js';

const ok = (data: unknown) => envelopes['code-message-data'].ok(data);

/** The same scoping as the other user endpoints: own robots; a tenant admin sees the tenant's. */
async function userScope(ctx: HttpContext): Promise<RobotScope> {
  const principal = await ctx.authenticate();
  if (!principal || principal.kind === 'robot') throw AppError.unauthorized('a user token is required');
  if (!principal.tenantId) throw AppError.forbidden('sign in as a user of a tenant');
  return { tenantId: principal.tenantId, userId: principal.id, admin: hasRole(principal, 'admin') };
}

// Dates are checked by the service (400 with the field), not by the schema.
const rangeQuery = { type: 'object', properties: { startDate: { type: 'string', maxLength: 20 }, endDate: { type: 'string', maxLength: 20 } } };
const robotIdParams = { type: 'object', required: ['robotId'], properties: { robotId: { type: 'string', pattern: '^robot_\\d+_[0-9a-f]+$' } } };

export function statisticsRoutes(r: PluginRouter, s: RobotsServices): void {
  r.get('/api/robots/:robotId/statistics', { summary: "A robot's statistics over a date range", schema: { params: robotIdParams, query: rangeQuery } }, async (ctx, { params, query }) => {
    const scope = await userScope(ctx);
    const range = s.statistics.range(query);
    return ok(await s.statistics.robot(await s.robots.row(scope, params.robotId), range));
  });
  r.get('/api/user/statistics', { summary: "The user's statistics over a date range", schema: { query: rangeQuery } }, async (ctx, { query }) => {
    const scope = await userScope(ctx);
    return ok(await s.statistics.user(scope, s.statistics.range(query)));
  });
}
