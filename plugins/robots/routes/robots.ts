import { AppError } from '../../../core/errors.js';
import type { Principal } from '../../../core/http/auth.js';
import type { HttpContext } from '../../../core/http/context.js';
import { hasRole } from '../../../core/http/auth.js';
import { actingTenant } from '../../../core/http/guards.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { RobotsSettings } from '../config.js';
import type { RobotsServices } from '../services/index.js';
import type { Activator, RobotScope } from '../services/robots.js';
import { checkSendMessage } from '../services/commands.js';
import { PHONE_USER_SCOPES } from '../services/home.js';
import { ok } from '../../../core/http/reply.js';

/** The caller as a user of a tenant (a robot token or none: 401), scoped as every user endpoint is. */
export async function userScope(ctx: HttpContext): Promise<RobotScope & { principal: Principal }> {
  const caller = await ctx.authenticate();
  if (!caller || caller.kind === 'robot') throw AppError.unauthorized('a user token is required');
  const principal = await actingTenant(ctx);
  return { tenantId: principal.tenantId, userId: principal.id, admin: hasRole(principal, 'admin'), principal };
}

/** The signed-in user activating a device (the app sends its user token), or null: the robot then belongs to the code's bound user. */
async function activatorOf(ctx: HttpContext): Promise<Activator | null> {
  const principal = await ctx.authenticate();
  if (principal?.kind !== 'user') return null; // an API key or robot token owns nothing
  return { userId: principal.id, tenantId: principal.tenantId, admin: hasRole(principal, 'admin'), superadmin: principal.roles.includes('superadmin') };
}

export async function robotOf(ctx: HttpContext): Promise<{ id: number; robot_id: string; tenant_id: string }> {
  const principal = await ctx.authenticate();
  if (principal?.kind !== 'robot') throw AppError.unauthorized('a robot token is required');
  return { id: Number(principal.attributes?.robotPk), robot_id: principal.id, tenant_id: principal.tenantId! };
}

const aiSchema = {
  aiMode: { enum: ['builtin', 'third_party', 'off'] },
  aiProvider: { type: 'string', maxLength: 40 },
  aiModel: { type: 'string', maxLength: 100 },
  aiTemperature: { type: 'number', minimum: 0, maximum: 2 },
  aiMaxTokens: { type: 'integer', minimum: 1, maximum: 32000 },
  aiContextLength: { type: 'integer', minimum: 0, maximum: 100 },
  aiScenario: { type: 'string', maxLength: 200 },
  replyDelayMin: { type: 'integer', minimum: 0, maximum: 3600 },
  replyDelayMax: { type: 'integer', minimum: 0, maximum: 3600 },
  aiCallLimitDaily: { type: 'integer', minimum: 0, maximum: 1000000 },
};
export const robotIdParams = { type: 'object', required: ['robotId'], properties: { robotId: { type: 'string', pattern: '^robot_\\d+_[0-9a-f]+$' } } };

export function robotRoutes(r: PluginRouter, s: RobotsServices, settings: RobotsSettings): void {
  const limit = { bucket: 'robots.api', points: settings.requestsPerMinute, durationSeconds: 60, by: 'principal' as const };

  r.post(
    '/api/user/send-sms',
    {
      summary: 'Text a login code',
      schema: { body: { type: 'object', required: ['phone'], properties: { phone: { type: 'string', minLength: 5, maxLength: 20 } } } },
    },
    async (ctx, { body }) => ok({ expiresIn: (await s.sms().send(body.phone, 'workbot-login', ctx.ip)).expires_in }, 'code sent'),
  );

  // A phone user joins WorkBot's home tenant as a member (an existing user keeps their tenant and
  // role); the seed's role is 'admin' only for the home tenant's owners and admins and superadmins.
  r.post(
    '/api/user/login',
    {
      summary: 'Sign in (and sign up) with phone + code',
      schema: {
        body: {
          type: 'object',
          required: ['phone', 'code'],
          properties: { phone: { type: 'string', minLength: 5, maxLength: 20 }, code: { type: 'string', minLength: 4, maxLength: 8 } },
        },
      },
    },
    async (ctx, { body }) => {
      await s.sms().verify(body.phone, body.code, 'workbot-login');
      const user = await s.users().findOrCreateByPhone(body.phone, { tenantId: await s.home.id(), role: 'member', scopeLimit: PHONE_USER_SCOPES });
      const session = await s.sessions().issueForUser(user.id, { ip: ctx.ip, userAgent: ctx.get('User-Agent') }, 'sms');
      return ok(
        {
          userId: user.id,
          nickname: user.full_name || user.phone,
          avatar: null,
          phone: user.phone,
          role: await s.home.seedRole(user),
          token: session.access_token,
          refreshToken: session.refresh_token,
        },
        'logged in',
      );
    },
  );

  r.get('/api/user/info', { summary: 'The signed-in user', rateLimit: limit }, async (ctx) => {
    const { userId } = await userScope(ctx);
    const user = await s.users().get(userId);
    return ok({
      userId: user.id,
      nickname: user.full_name || user.phone || user.email,
      avatar: null,
      phone: user.phone,
      role: await s.home.seedRole(user),
      createdAt: user.created_at,
    });
  });

  r.post(
    '/api/robot-ids/activate',
    {
      summary: 'Activate a device with an activation code',
      rateLimit: { bucket: 'robots.activate.ip', points: 30, durationSeconds: 60 },
      schema: {
        body: {
          type: 'object',
          required: ['code', 'deviceInfo'],
          properties: {
            code: { type: 'string', pattern: '^[A-Za-z0-9]{8}$' },
            deviceInfo: { type: 'object', required: ['deviceId'], properties: { deviceId: { type: 'string', minLength: 1, maxLength: 200 } } },
          },
        },
      },
    },
    async (ctx, { body }) => {
      const result = await s.robots.activate(body.code, body.deviceInfo, await activatorOf(ctx));
      ctx.status = result.isNew ? 201 : 200;
      return { code: ctx.status, message: result.isNew ? 'activated' : 'activated (tokens renewed)', data: result.data };
    },
  );

  r.post(
    '/api/robot/refresh-token',
    {
      summary: 'A new robot token',
      schema: { body: { type: 'object', required: ['refreshToken'], properties: { refreshToken: { type: 'string', minLength: 10, maxLength: 200 } } } },
    },
    async (_ctx, { body }) => ok(await s.tokens.refresh(body.refreshToken)),
  );

  r.get(
    '/api/robots',
    {
      summary: 'My robots',
      rateLimit: limit,
      schema: {
        query: {
          type: 'object',
          properties: {
            page: { type: 'integer', minimum: 1, default: 1 },
            pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            status: { enum: ['online', 'offline', 'deleted'] },
          },
        },
      },
    },
    async (ctx, { query }) => ok(await s.robots.list(await userScope(ctx), query.page, query.pageSize, query.status)),
  );
  r.post(
    '/api/robots',
    {
      summary: 'Create a robot',
      rateLimit: limit,
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, ...aiSchema },
        },
      },
    },
    async (ctx, { body }) => {
      const { name, ...ai } = body;
      return ok(await s.robots.create(await userScope(ctx), name, ai), 'created');
    },
  );
  r.get('/api/robots/:robotId', { summary: 'One robot', rateLimit: limit, schema: { params: robotIdParams } }, async (ctx, { params }) =>
    ok(await s.robots.detail(await userScope(ctx), params.robotId)),
  );
  r.put(
    '/api/robots/:robotId',
    {
      summary: 'Update a robot',
      rateLimit: limit,
      schema: {
        params: robotIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, ...aiSchema },
        },
      },
    },
    async (ctx, { params, body }) => {
      await s.robots.update(await userScope(ctx), params.robotId, body);
      return ok(null, 'updated');
    },
  );
  r.delete(
    '/api/robots/:robotId',
    { summary: 'Delete a robot (its tokens stop working)', rateLimit: limit, schema: { params: robotIdParams } },
    async (ctx, { params }) => {
      await s.robots.remove(await userScope(ctx), params.robotId);
      return ok(null, 'deleted');
    },
  );

  r.post(
    '/api/robot/messages',
    {
      summary: 'The app reports a received message',
      rateLimit: limit,
      schema: {
        body: {
          type: 'object',
          required: ['spoken'],
          properties: {
            robotId: { type: 'string' },
            spoken: { type: 'string', maxLength: 20000 },
            rawSpoken: { type: 'string', maxLength: 20000 },
            receivedName: { type: 'string', maxLength: 200 },
            groupName: { type: 'string', maxLength: 200 },
            groupRemark: { type: 'string', maxLength: 200 },
            roomType: { type: 'integer' },
            atMe: { type: 'boolean' },
            textType: { type: 'integer' },
            fileBase64: { type: 'string' },
            timestamp: { type: 'string', format: 'date-time' },
            fromOperator: { type: 'boolean', description: 'beside the seed: a human operator sent it from this phone (AI steps back)' },
          },
        },
      },
    },
    async (ctx, { body }) => {
      const robot = await robotOf(ctx);
      if (body.robotId && body.robotId !== robot.robot_id) throw AppError.forbidden('robotId does not match the token');
      return ok(await s.messages.report(robot, body), 'message received');
    },
  );

  r.post(
    '/api/robot/send-message',
    {
      summary: 'Queue a message for a robot to send',
      rateLimit: limit,
      schema: {
        body: {
          type: 'object',
          required: ['robotId', 'type', 'titleList'],
          properties: {
            robotId: { type: 'string' },
            type: { enum: ['text', 'image', 'file'] },
            titleList: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 200 } },
            content: { type: 'string', maxLength: 20000 },
            atList: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 200 } },
            fileUrl: { type: 'string', format: 'uri', maxLength: 2000 },
            fileType: { type: 'string', maxLength: 40 },
            objectName: { type: 'string', maxLength: 200 },
            extraText: { type: 'string', maxLength: 2000 },
          },
        },
      },
    },
    async (ctx, { body }) => {
      const scope = await userScope(ctx);
      checkSendMessage(body, 'body');
      const robot = await s.robots.row(scope, body.robotId);
      const { robotId: _r, ...params } = body;
      // With the tenant's require_approval on, a member's command waits for an owner or admin.
      const awaiting = !scope.admin && (await s.approvalRequired(robot.tenant_id));
      const created = await s.commands.create({ id: Number(robot.id), tenant_id: robot.tenant_id }, 'send_message', params, scope.userId, {
        awaitingApproval: awaiting,
      });
      return ok(created, awaiting ? 'command awaiting approval' : 'command queued');
    },
  );

  r.get(
    '/api/robot/commands',
    { summary: 'Commands waiting for this robot', rateLimit: limit, schema: { query: { type: 'object', properties: { robotId: { type: 'string' } } } } },
    async (ctx, { query }) => {
      const robot = await robotOf(ctx);
      if (query.robotId && query.robotId !== robot.robot_id) throw AppError.forbidden('robotId does not match the token');
      return ok({ commands: await s.commands.open(robot.id) });
    },
  );

  r.post(
    '/api/robot/command-result',
    {
      summary: 'The robot reports how a command went',
      rateLimit: limit,
      schema: {
        body: {
          type: 'object',
          required: ['commandId', 'errorCode'],
          properties: {
            robotId: { type: 'string' },
            commandId: { type: 'string', maxLength: 64 },
            errorCode: { type: 'integer' },
            errorReason: { type: 'string', maxLength: 2000 },
            executionTimeMs: { type: 'integer', minimum: 0 },
            successList: { type: 'array', items: { type: 'string' } },
            failList: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    async (ctx, { body }) => {
      const robot = await robotOf(ctx);
      if (body.robotId && body.robotId !== robot.robot_id) throw AppError.forbidden('robotId does not match the token');
      await s.commands.complete(robot, body.commandId, body);
      return ok(null, 'result recorded');
    },
  );
}
