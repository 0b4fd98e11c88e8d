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

  r.get('/api/admin/activation-codes', { summary: 'Activation codes', guards: admin, schema: { query: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, status: { enum: ['active', 'revoked', 'expired', 'disabled'] } } } } }, async (ctx, { query }) => {
    const principal = (await ctx.authenticate())!;
    const scope = { tenantId: principal.roles.includes('superadmin') ? null : principal.tenantId };
    const list = await s.licenses().list(scope, { limit: query.limit, status: query.status, product: 'workbot' });
    return ok({ total: list.length, list: list.map((l) => ({ code: l.activation_code, status: l.status, validUntil: l.valid_until, price: l.price, userId: l.bound_user_id, activeDevices: l.active_devices, createdAt: l.created_at })) });
  });
}
