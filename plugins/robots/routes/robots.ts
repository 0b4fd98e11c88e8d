import { AppError } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import { hasRole } from 'plinth/plugin';
import { actingTenant } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { RobotsSettings } from '../config.js';
import type { RobotsServices } from '../services/index.js';
import type { Activator, RobotScope } from '../services/robots.js';
import { checkSendMessage } from '../services/commands.js';
import { PHONE_USER_SCOPES } from '../services/home.js';
import { nicknameOf, userNumberOf } from '../services/face-users.js';
import { ok } from 'plinth/plugin';
import {
  activateBody,
  activateReply,
  commandResultBody,
  commandsQuery,
  createRobotBody,
  createRobotReply,
  loginBody,
  loginReply,
  noData,
  openCommandsReply,
  queuedCommandReply,
  refreshTokenBody,
  refreshTokenReply,
  reportMessageBody,
  reportMessageReply,
  robotDetail,
  robotIdParams,
  robotListQuery,
  robotListReply,
  sendMessageBody,
  sendSmsBody,
  sendSmsReply,
  updateRobotBody,
  userInfoReply,
} from './schemas.js';
import type { RobotsErrorCode } from '../api.js';
// The face also answers auth's codes: a credential's refusals come from auth's chain.
import type { AuthErrorCode } from '../../auth/api.js';

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

export function robotRoutes(r: PluginRouter<RobotsErrorCode | AuthErrorCode>, s: RobotsServices, settings: RobotsSettings): void {
  const limit = { bucket: 'robots.api', points: settings.requestsPerMinute, durationSeconds: 60, by: 'principal' as const };

  r.post(
    '/api/user/send-sms',
    {
      summary: 'Text a login code',
      schema: { body: sendSmsBody, responses: { 200: { description: 'Sent; the code expires in expiresIn seconds', schema: sendSmsReply } } },
    },
    async (ctx, { body }) => ok({ expiresIn: (await s.sms().send(body.phone, 'workbot-login', ctx.ip)).expires_in }, 'code sent'),
  );

  // A phone user joins WorkBot's home tenant as a member (an existing user keeps their tenant and
  // role); the seed's role is 'admin' only for the home tenant's owners and admins and superadmins.
  r.post(
    '/api/user/login',
    {
      errors: { 400: ['invalid_code'], 403: ['mfa_required'] },
      summary: 'Sign in (and sign up) with phone + code',
      schema: { body: loginBody, responses: { 200: { description: 'Signed in: the user and their tokens', schema: loginReply } } },
    },
    async (ctx, { body }) => {
      await s.sms().verify(body.phone, body.code, 'workbot-login');
      const user = await s.users().findOrCreateByPhone(body.phone, { tenantId: await s.home.id(), role: 'member', scopeLimit: PHONE_USER_SCOPES });
      const session = await s.sessions().issueForUser(user.id, { ip: ctx.ip, userAgent: ctx.get('User-Agent') }, 'sms');
      return ok(
        {
          userId: await userNumberOf(s.users(), user.id),
          nickname: nicknameOf(user),
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

  r.get(
    '/api/user/info',
    {
      errors: { 401: ['account_suspended', 'unauthorized'] },
      summary: 'The signed-in user',
      rateLimit: limit,
      schema: { responses: { 200: { description: 'The user', schema: userInfoReply } } },
    },
    async (ctx) => {
      const { userId } = await userScope(ctx);
      const user = await s.users().get(userId);
      return ok({
        userId: await userNumberOf(s.users(), user.id),
        nickname: nicknameOf(user),
        avatar: null,
        phone: user.phone,
        role: await s.home.seedRole(user),
        createdAt: user.created_at,
      });
    },
  );

  r.post(
    '/api/robot-ids/activate',
    {
      errors: { 402: ['usage_limit_reached'], 403: ['code_of_another_user', 'forbidden'], 404: ['INVALID_CODE'], 409: ['code_in_use'] },
      summary: 'Activate a device with an activation code',
      rateLimit: { bucket: 'robots.activate.ip', points: 30, durationSeconds: 60 },
      schema: {
        body: activateBody,
        // The seed's own codes in the body (201, 200), not the face's code 0.
        responses: {
          201: { description: 'First activation of this device: a robot and its tokens', envelope: false, schema: activateReply(201) },
          200: { description: 'The same device again: new tokens', envelope: false, schema: activateReply(200) },
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
      errors: { 401: ['invalid_token'] },
      summary: 'A new robot token',
      schema: { body: refreshTokenBody, responses: { 200: { description: 'The new token', schema: refreshTokenReply } } },
    },
    async (_ctx, { body }) => ok(await s.tokens.refresh(body.refreshToken)),
  );

  r.get(
    '/api/robots',
    {
      errors: { 401: ['account_suspended', 'unauthorized'], 403: ['tenant_required'] },
      summary: 'My robots',
      rateLimit: limit,
      schema: { query: robotListQuery, responses: { 200: { description: 'A page of robots, newest first', schema: robotListReply } } },
    },
    async (ctx, { query }) => ok(await s.robots.list(await userScope(ctx), query.page, query.pageSize, query.status)),
  );
  r.post(
    '/api/robots',
    {
      errors: { 401: ['unauthorized'], 402: ['usage_limit_reached'] },
      summary: 'Create a robot',
      rateLimit: limit,
      schema: { body: createRobotBody, responses: { 200: { description: 'Created', schema: createRobotReply } } },
    },
    async (ctx, { body }) => {
      const { name, ...ai } = body;
      return ok(await s.robots.create(await userScope(ctx), name, ai), 'created');
    },
  );
  r.get(
    '/api/robots/:robotId',
    {
      errors: { 401: ['unauthorized'], 404: ['not_found'] },
      summary: 'One robot',
      rateLimit: limit,
      schema: { params: robotIdParams, responses: { 200: { description: 'The robot', schema: robotDetail } } },
    },
    async (ctx, { params }) => ok(await s.robots.detail(await userScope(ctx), params.robotId)),
  );
  r.put(
    '/api/robots/:robotId',
    {
      errors: { 404: ['not_found'] },
      summary: 'Update a robot',
      rateLimit: limit,
      schema: { params: robotIdParams, body: updateRobotBody, responses: { 200: { description: 'Updated', schema: noData } } },
    },
    async (ctx, { params, body }) => {
      await s.robots.update(await userScope(ctx), params.robotId, body);
      return ok(null, 'updated');
    },
  );
  r.delete(
    '/api/robots/:robotId',
    {
      errors: { 404: ['not_found'] },
      summary: 'Delete a robot (its tokens stop working)',
      rateLimit: limit,
      schema: { params: robotIdParams, responses: { 200: { description: 'Deleted', schema: noData } } },
    },
    async (ctx, { params }) => {
      await s.robots.remove(await userScope(ctx), params.robotId);
      return ok(null, 'deleted');
    },
  );

  r.post(
    '/api/robot/messages',
    {
      errors: { 401: ['unauthorized'], 402: ['usage_limit_reached'], 403: ['forbidden'], 413: ['file_too_large'] },
      summary: 'The app reports a received message',
      rateLimit: limit,
      schema: { body: reportMessageBody, responses: { 200: { description: 'Recorded', schema: reportMessageReply } } },
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
      errors: { 401: ['unauthorized'], 404: ['not_found'] },
      summary: 'Queue a message for a robot to send',
      rateLimit: limit,
      schema: {
        body: sendMessageBody,
        responses: { 200: { description: 'Queued (or, for a member when the tenant requires it, awaiting approval)', schema: queuedCommandReply } },
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
    {
      errors: { 401: ['invalid_token', 'unauthorized'], 403: ['forbidden'] },
      summary: 'Commands waiting for this robot',
      rateLimit: limit,
      schema: { query: commandsQuery, responses: { 200: { description: 'Open commands, oldest first (now marked sent)', schema: openCommandsReply } } },
    },
    async (ctx, { query }) => {
      const robot = await robotOf(ctx);
      if (query.robotId && query.robotId !== robot.robot_id) throw AppError.forbidden('robotId does not match the token');
      return ok({ commands: await s.commands.open(robot.id) });
    },
  );

  r.post(
    '/api/robot/command-result',
    {
      errors: { 401: ['unauthorized'], 403: ['forbidden'], 404: ['not_found'], 409: ['not_sent'] },
      summary: 'The robot reports how a command went',
      rateLimit: limit,
      schema: { body: commandResultBody, responses: { 200: { description: 'Recorded', schema: noData } } },
    },
    async (ctx, { body }) => {
      const robot = await robotOf(ctx);
      if (body.robotId && body.robotId !== robot.robot_id) throw AppError.forbidden('robotId does not match the token');
      await s.commands.complete(robot, body.commandId, body);
      return ok(null, 'result recorded');
    },
  );
}
