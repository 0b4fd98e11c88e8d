import type { Middleware } from 'koa';
import { AppError } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import { seedRoleOf } from '../services/home.js';
import { nicknameOf, userIdFrom, userNumberOf } from '../services/face-users.js';
import type { RobotsServices } from '../services/index.js';
import { adminScope, workbotAdmin } from './guards.js';
import { ok } from 'plinth/plugin';
import { logListQuery, logListReply, userListQuery, userListReply, userParams } from './admin-schemas.js';
import { noData } from './schemas.js';
import { languageOf, wordError } from 'plinth/plugin';
import { WORKBOT_MESSAGES } from './messages.js';
import type { RobotsErrorCode } from '../api.js';
// Users are auth's: its refusals (the last superadmin, suspending oneself) reach this face as they are.
import type { AuthErrorCode } from '../../auth/api.js';

/** The `role` filter takes the seed's "user" for a tenant member, and tenant roles. */
const tenantRole = (role: string) => (role === 'user' ? 'member' : role);
const RANK: Record<string, number> = { member: 1, admin: 2, owner: 3 };

/**
 * Records every 4xx/5xx answer of this face (the seed's "API errors"): refused activations,
 * rate limits and bad tokens as type 'security' (level warn), the rest in the seed's own words
 * (9.1): type 'api', level 'error'. The message is kept as the code says it (English) and worded
 * in the reader's language when listed. Register it before the other routes: router middleware
 * runs in registration order.
 */
export function errorLogger(s: RobotsServices): Middleware {
  return async (koaCtx, next) => {
    const ctx = koaCtx as unknown as HttpContext;
    let status = 0;
    let message = '';
    let code: string | undefined;
    let reason: string | undefined;
    try {
      await next();
      status = ctx.status;
      const body = ctx.body as { message?: unknown } | undefined;
      if (status >= 400 && body && typeof body === 'object' && typeof body.message === 'string') message = body.message;
    } catch (err) {
      const e = err as { status?: number; statusCode?: number; message?: string; code?: string; details?: { reason?: unknown } };
      status = e.status ?? e.statusCode ?? 500;
      message = e.message ?? 'error';
      code = typeof e.code === 'string' ? e.code : undefined;
      reason = typeof e.details?.reason === 'string' ? e.details.reason : undefined;
      throw err;
    } finally {
      if (status >= 400) {
        let tenantId: string | null = null;
        try {
          tenantId = (await ctx.authenticate())?.tenantId ?? null;
        } catch {
          // an invalid token: the error being logged
        }
        const path = ctx.path;
        // Refused activations and refused admin calls are someone trying what they may not.
        const security =
          status === 401 ||
          status === 429 ||
          (/\/api\/robot-ids\/activate$/.test(path) && (status === 403 || status === 409)) ||
          (/\/api\/admin\//.test(path) && status === 403);
        await s.systemLogs.record({
          tenantId,
          type: security ? 'security' : 'api',
          level: security && status < 500 ? 'warn' : 'error',
          message: message || `HTTP ${status}`,
          details: { status, method: ctx.method, path, ...(code ? { code } : {}), ...(reason ? { reason } : {}), requestId: ctx.state.requestId },
          ip: ctx.ip,
        });
      }
    }
  };
}

/** The seed's sections 7 (users, for admins) and 9 (system logs). */
export function adminUserRoutes(r: PluginRouter<RobotsErrorCode | AuthErrorCode>, s: RobotsServices): void {
  const admin = [workbotAdmin(s.home)];

  r.get(
    '/api/admin/users',
    {
      errors: { 403: ['not_workbot_admin'] },
      summary: "The tenant's users (superadmin: all)",
      guards: admin,
      schema: { query: userListQuery, responses: { 200: { description: 'A page of users, with their robots and activation codes', schema: userListReply } } },
    },
    async (ctx, { query }) => {
      const { tenantId } = await adminScope(ctx, s.home);
      const homeId = await s.home.id();
      const page = await s
        .users()
        .list(
          { tenant_id: tenantId ?? undefined, role: query.role ? tenantRole(query.role) : undefined, status: query.status, search: query.keyword || undefined },
          { page: query.page, page_size: query.pageSize },
        );
      const ids = page.items.map((u) => u.id);
      const numbers = await s.users().numbers(ids);
      const robots = await s.robotCounts(ids);
      const codes = new Map<string, number>();
      if (ids.length) {
        const licenses = await s.licenses().list({ tenantId }, { limit: 1000, product: 'workbot' });
        for (const l of licenses) if (l.bound_user_id) codes.set(l.bound_user_id, (codes.get(l.bound_user_id) ?? 0) + 1);
      }
      return ok({
        total: page.total,
        page: query.page,
        pageSize: query.pageSize,
        list: page.items.map((u) => ({
          userId: numbers.get(u.id)!,
          nickname: nicknameOf(u),
          avatar: null,
          phone: u.phone,
          email: u.email,
          role: seedRoleOf(u, homeId),
          // Beside the seed: the role in their tenant (owner, admin, member).
          tenantRole: u.role,
          status: u.status,
          robotCount: robots.get(u.id) ?? 0,
          totalActivationCodes: codes.get(u.id) ?? 0,
          createdAt: u.created_at,
          lastLoginAt: u.last_login_at,
        })),
      });
    },
  );

  r.post(
    '/api/admin/users/:userId/disable',
    {
      errors: { 403: ['not_workbot_admin'], 404: ['not_found'], 409: ['cannot_suspend_self'] },
      summary: 'Disable (suspend) a user of the tenant',
      guards: admin,
      schema: { params: userParams, responses: { 200: { description: 'Disabled', schema: noData } } },
    },
    async (ctx, { params }) => {
      const { principal, tenantId, superadmin } = await adminScope(ctx, s.home);
      // The seed's integer userId, or a user's UUID as before.
      const id = await userIdFrom(s.users(), params.userId);
      const user = id
        ? await s
            .users()
            .get(id, { tenantId })
            .catch(() => null)
        : null;
      if (!user || (!superadmin && user.tenant_id !== tenantId)) throw AppError.notFound('user not found');
      if (!superadmin) {
        const mine = Math.max(0, ...principal.roles.map((role) => RANK[role] ?? 0));
        if (user.is_superadmin || (RANK[user.role] ?? 0) > mine) throw AppError.forbidden('you cannot disable a user above your role');
      }
      await s.users().setStatus(principal, user.id, 'suspended', { ip: ctx.ip, userAgent: ctx.get('User-Agent') });
      await s.systemLogs.record({
        tenantId: user.tenant_id,
        type: 'security',
        level: 'info',
        message: 'user disabled',
        details: { userId: await userNumberOf(s.users(), user.id), by: principal.id },
        ip: ctx.ip,
      });
      return ok(null, 'disabled');
    },
  );

  r.get(
    '/api/admin/logs',
    {
      errors: { 403: ['not_workbot_admin'] },
      summary: 'System logs of the tenant (superadmin: all)',
      guards: admin,
      schema: { query: logListQuery, responses: { 200: { description: 'A page of log entries, newest first', schema: logListReply } } },
    },
    async (ctx, { query }) => {
      const { tenantId } = await adminScope(ctx, s.home);
      const wanted = query.type ?? query.logType;
      // `api_error` is what these were called before they took the seed's `api`.
      const type = wanted === 'api_error' ? 'api' : wanted;
      const page = await s.systemLogs.list({ tenantId }, { type, level: query.level }, { page: query.page, pageSize: query.pageSize });
      const language = languageOf(ctx, WORKBOT_MESSAGES);
      const worded = (l: (typeof page.list)[number]) => {
        const d = (l.details ?? {}) as { code?: unknown; reason?: unknown };
        const code = typeof d.code === 'string' ? d.code : undefined;
        return wordError(WORKBOT_MESSAGES, { code, reason: typeof d.reason === 'string' ? d.reason : undefined, message: l.message }, language);
      };
      return ok({
        total: page.total,
        page: query.page,
        pageSize: query.pageSize,
        list: page.list.map((l) => ({
          id: l.id,
          logType: l.type,
          level: l.level,
          message: worded(l),
          details: l.details,
          ipAddress: l.ip,
          createdAt: l.created_at,
        })),
      });
    },
  );
}
