import { paginationQuery } from '../../../core/http/pagination.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { RobotsSettings } from '../config.js';
import type { RobotsServices } from '../services/index.js';
import { robotIdParams, userScope } from './robots.js';
import { ok } from '../../../core/http/reply.js';

/** The core's page bounds under the seed's names (`page`, `pageSize`). */
const pageQuery = { page: paginationQuery.page, pageSize: paginationQuery.page_size };
const COMMAND_STATUSES = ['pending', 'sent', 'succeeded', 'failed', 'expired', 'awaiting_approval', 'rejected'] as const;

/**
 * Beside the seed, in its style: a robot's reported messages and its command log, newest first.
 * The robot is resolved as GET /api/robots/{robotId} resolves it, so another tenant's robot, or
 * (for a member) another member's, is 404.
 */
export function historyRoutes(r: PluginRouter, s: RobotsServices, settings: RobotsSettings): void {
  const limit = { bucket: 'robots.api', points: settings.requestsPerMinute, durationSeconds: 60, by: 'principal' as const };

  r.get(
    '/api/robots/:robotId/messages',
    {
      summary: "A robot's reported messages, newest first",
      rateLimit: limit,
      schema: { params: robotIdParams, query: { type: 'object', properties: pageQuery } },
    },
    async (ctx, { params, query }) => {
      const robot = await s.robots.row(await userScope(ctx), params.robotId);
      return ok(await s.history.messages(Number(robot.id), query));
    },
  );

  r.get(
    '/api/robots/:robotId/messages/:messageId/file',
    {
      summary: "A reported message's file (application/octet-stream)",
      rateLimit: limit,
      schema: {
        params: {
          type: 'object',
          required: ['robotId', 'messageId'],
          properties: { ...robotIdParams.properties, messageId: { type: 'string', pattern: '^msg_[0-9]+_[0-9a-f]{8}$' } },
        },
      },
    },
    async (ctx, { params }) => {
      const robot = await s.robots.row(await userScope(ctx), params.robotId);
      ctx.type = 'application/octet-stream';
      ctx.set('Content-Disposition', `attachment; filename="${params.messageId}.bin"`);
      ctx.body = await s.messages.file(Number(robot.id), params.messageId);
    },
  );

  r.get(
    '/api/robots/:robotId/commands',
    {
      summary: "A robot's command log, newest first",
      rateLimit: limit,
      schema: { params: robotIdParams, query: { type: 'object', properties: { ...pageQuery, status: { enum: COMMAND_STATUSES } } } },
    },
    async (ctx, { params, query }) => {
      const robot = await s.robots.row(await userScope(ctx), params.robotId);
      return ok(await s.history.commands(Number(robot.id), query, query.status));
    },
  );
}
