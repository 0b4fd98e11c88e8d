import type { PluginRouter } from 'plinth/plugin';
import type { RobotsSettings } from '../config.js';
import type { RobotsServices } from '../services/index.js';
import { userScope } from './robots.js';
import { ok } from 'plinth/plugin';
import { commandLogQuery, commandLogReply, messageFileParams, messageLogReply, messagesQuery, robotIdParams } from './schemas.js';
import type { RobotsErrorCode } from '../api.js';

/**
 * Beside the seed, in its style: a robot's reported messages and its command log, newest first.
 * The robot is resolved as GET /api/robots/{robotId} resolves it, so another tenant's robot, or
 * (for a member) another member's, is 404.
 */
export function historyRoutes(r: PluginRouter<RobotsErrorCode>, s: RobotsServices, settings: RobotsSettings): void {
  const limit = { bucket: 'robots.api', points: settings.requestsPerMinute, durationSeconds: 60, by: 'principal' as const };

  r.get(
    '/api/robots/:robotId/messages',
    {
      errors: { 401: ['unauthorized'], 404: ['not_found'] },
      summary: "A robot's reported messages, newest first",
      rateLimit: limit,
      schema: { params: robotIdParams, query: messagesQuery, responses: { 200: { description: 'A page of messages', schema: messageLogReply } } },
    },
    async (ctx, { params, query }) => {
      const robot = await s.robots.row(await userScope(ctx), params.robotId);
      return ok(await s.history.messages(Number(robot.id), { page: query.page, page_size: query.pageSize }));
    },
  );

  r.get(
    '/api/robots/:robotId/messages/:messageId/file',
    {
      errors: { 404: ['not_found'] },
      summary: "A reported message's file (application/octet-stream)",
      rateLimit: limit,
      schema: { params: messageFileParams, responses: { 200: { description: 'The file, as the app sent it', contentType: 'application/octet-stream' } } },
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
      errors: { 401: ['unauthorized'], 404: ['not_found'] },
      summary: "A robot's command log, newest first",
      rateLimit: limit,
      schema: { params: robotIdParams, query: commandLogQuery, responses: { 200: { description: 'A page of commands', schema: commandLogReply } } },
    },
    async (ctx, { params, query }) => {
      const robot = await s.robots.row(await userScope(ctx), params.robotId);
      return ok(await s.history.commands(Number(robot.id), { page: query.page, page_size: query.pageSize }, query.status));
    },
  );
}
