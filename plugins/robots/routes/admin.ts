import { AppError } from '../../../core/errors.js';
import { envelopes } from '../../../core/http/envelopes.js';
import { requireRole } from '../../../core/http/guards.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { RobotsServices } from '../services/index.js';

const ok = (data: unknown, message?: string) => envelopes['code-message-data'].ok(data, message);

/** Activation codes: `workbot` licenses of the licensing engine, 8 characters, one device each. */
export function adminRoutes(r: PluginRouter, s: RobotsServices): void {
  const admin = [requireRole('admin')];

  r.post(
    '/api/admin/activation-codes',
    {
      summary: 'Generate activation codes',
      guards: admin,
      schema: { body: { type: 'object', additionalProperties: false, properties: { count: { type: 'integer', minimum: 1, maximum: 500, default: 1 }, validDays: { type: 'integer', minimum: 1, maximum: 36500, default: 365 }, price: { type: 'integer', minimum: 0 }, userId: { type: 'string', maxLength: 64 }, remark: { type: 'string', maxLength: 500 } } } },
    },
    async (ctx, { body }) => {
      const principal = (await ctx.authenticate())!;
      if (!principal.tenantId) throw AppError.forbidden('activation codes belong to a tenant; sign in as a user of one');
      const codes = [];
      for (let i = 0; i < body.count; i++) {
        const license = await s.licenses().generate({ tenantId: principal.tenantId, product: 'workbot', plan: 'custom', days: body.validDays, deviceCap: 1, codeFormat: 'short8', price: body.price ?? null, boundUserId: body.userId ?? principal.id, userHint: body.remark ?? null });
        codes.push({ code: license.activation_code, validUntil: license.valid_until, price: license.price, userId: license.bound_user_id, status: license.status, createdAt: license.created_at });
      }
      return ok({ codes }, 'generated');
    },
  );

  const tenantOf = async (ctx: Parameters<Parameters<PluginRouter['post']>[2]>[0]) => {
    const principal = (await ctx.authenticate())!;
    return principal.roles.includes('superadmin') ? null : principal.tenantId;
  };
  const code = { type: 'string', pattern: '^[A-Za-z0-9]{8}$' };

  r.post('/api/admin/unbind-device', { summary: 'Unbind the device of a code', guards: admin, schema: { body: { type: 'object', required: ['code'], properties: { code, reason: { type: 'string', maxLength: 500 }, adminId: {} } } } }, async (ctx, { body }) =>
    ok(await s.robots.unbind(s.licenses(), await tenantOf(ctx), body.code.toUpperCase()), 'unbound'),
  );

  r.post('/api/admin/activation-codes/:code/disable', { summary: 'Disable a code', guards: admin, schema: { params: { type: 'object', required: ['code'], properties: { code } } } }, async (ctx, { params }) => {
    await s.robots.disable(s.licenses(), await tenantOf(ctx), params.code.toUpperCase());
    return ok(null, 'disabled');
  });

  r.get('/api/admin/activation-codes', { summary: 'Activation codes', guards: admin, schema: { query: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, status: { enum: ['active', 'revoked', 'expired', 'disabled'] } } } } }, async (ctx, { query }) => {
    const principal = (await ctx.authenticate())!;
    const scope = { tenantId: principal.roles.includes('superadmin') ? null : principal.tenantId };
    const list = await s.licenses().list(scope, { limit: query.limit, status: query.status, product: 'workbot' });
    return ok({ total: list.length, list: list.map((l) => ({ code: l.activation_code, status: l.status, validUntil: l.valid_until, price: l.price, userId: l.bound_user_id, activeDevices: l.active_devices, createdAt: l.created_at })) });
  });
}
