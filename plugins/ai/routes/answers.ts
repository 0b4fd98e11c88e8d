import type { PluginRouter } from 'plinth/plugin';
import type { AiServices } from '../services/index.js';
import { AppError, timeZoneOf } from 'plinth/plugin';
import { askSchema, callsDailyQuery, callsDailyReply, callsQuery, callsReply, tryReply } from './schemas.js';
import { adminRead, manage, ok, read, tenantAdmin, tenantUser } from './shared.js';
import type { AiErrorCode } from '../api.js';

/** The "try it" box (answers a sample message with a robot's settings; sends nothing), the AI call log and its calls per day. */
export function answerRoutes(
  r: PluginRouter<AiErrorCode>,
  s: AiServices,
  limit: { bucket: string; points: number; durationSeconds: number; by: 'principal' },
): void {
  r.post(
    '/api/ai/try',
    {
      errors: { 403: ['ai_consent_required'], 404: ['not_found'] },
      summary: 'Answer a sample message as a robot would, without sending anything',
      guards: manage,
      rateLimit: limit,
      schema: { body: askSchema, responses: { 200: { description: 'The answer, with each provider tried', schema: tryReply } } },
    },
    async (ctx, { body }) => ok(await s.ask.run((await tenantAdmin(ctx)).tenantId, body, 'try')),
  );
  r.get(
    '/api/ai/calls',
    {
      summary: 'The AI call log: provider, model, tokens, latency, outcome, cost',
      guards: adminRead,
      schema: { query: callsQuery, responses: { 200: { description: 'A page of calls, newest first', schema: callsReply } } },
    },
    async (ctx, { query }) => {
      const { tenantId } = await tenantAdmin(ctx);
      return ok(await s.calls.list(tenantId, query, { page: query.page, pageSize: query.pageSize }));
    },
  );

  // Beside the seed: the call log by day (a robot's page charts it). A robot's days for whoever may see
  // the robot (its owner, the tenant's admins); the whole tenant's for its owners and admins only.
  r.get(
    '/api/ai/calls/daily',
    {
      errors: { 404: ['not_found'] },
      summary: 'AI calls and their cost per day over the last days (1–366, default 30), for the tenant or one robot',
      guards: read,
      schema: {
        query: callsDailyQuery,
        responses: {
          200: { description: 'Every day of the range, oldest first (zeros included); cost in the currency, exact to a millionth', schema: callsDailyReply },
        },
      },
    },
    async (ctx, { query }) => {
      const user = await tenantUser(ctx);
      if (query.robotId) {
        const robot = await s.robots().robot(user.tenantId, query.robotId);
        if (!robot || (!user.admin && robot.userId !== user.userId)) throw AppError.notFound(`robot ${query.robotId} not found`);
      } else if (!user.admin) {
        throw AppError.forbidden("only the tenant's owners and admins see all its AI calls; ask for one of your robots (robotId)");
      }
      return ok(await s.calls.perDay(user.tenantId, query.robotId ?? null, query.days, timeZoneOf(query.tz)));
    },
  );
}
