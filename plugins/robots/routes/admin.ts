import { AppError } from '../../../core/errors.js';
import { envelopes } from '../../../core/http/envelopes.js';
import { requireRole } from '../../../core/http/guards.js';
import type { PluginRouter } from '../../../core/http/router.js';
import { CODE_STATUSES } from '../services/codes.js';
import type { RobotsServices } from '../services/index.js';

const ok = (data: unknown, message?: string) => envelopes['code-message-data'].ok(data, message);

/** Seed 6.1's body; `price` and `remark` beside the seed; `validDays`/`userId` are the old names, still accepted. */
const generateBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    count: { type: 'integer', minimum: 1, maximum: 500, default: 1 },
    validityPeriod: { type: 'integer', minimum: 1, maximum: 36500, description: 'days (default 365)' },
    boundUserId: { type: ['string', 'integer'], minLength: 1, maxLength: 64, minimum: 0, description: "a user of the caller's tenant (default: the caller)" },
    price: { type: 'number', minimum: 0, maximum: 1_000_000_000, description: 'in currency units, at most 2 decimals (e.g. 50.00)' },
    remark: { type: 'string', maxLength: 500 },
    validDays: { type: 'integer', minimum: 1, maximum: 36500, deprecated: true, description: 'old name of validityPeriod' },
    userId: { type: 'string', minLength: 1, maxLength: 64, deprecated: true, description: 'old name of boundUserId' },
  },
} as const;

/** Seed 6.2's query. */
const listQuery = {
  type: 'object',
  properties: {
    page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    status: { enum: CODE_STATUSES },
  },
} as const;

/** Activation codes: `workbot` licenses of the licensing engine, 8 characters, one device each. */
export function adminRoutes(r: PluginRouter, s: RobotsServices): void {
  const admin = [requireRole('admin')];

  r.post('/api/admin/activation-codes', { summary: 'Generate activation codes', guards: admin, schema: { body: generateBody } }, async (ctx, { body }) => {
    const principal = (await ctx.authenticate())!;
    if (!principal.tenantId) throw AppError.forbidden('activation codes belong to a tenant; sign in as a user of one');
    const data = await s.codes.generate({
      tenantId: principal.tenantId,
      actorId: principal.id,
      count: body.count,
      validityPeriod: body.validityPeriod ?? body.validDays ?? 365,
      boundUserId: body.boundUserId ?? body.userId ?? null,
      price: body.price ?? null,
      remark: body.remark ?? null,
    });
    return ok(data, '生成成功');
  });

  /** The caller's tenant, or null (every tenant) for a superadmin. */
  const tenantOf = async (ctx: Parameters<Parameters<PluginRouter['post']>[2]>[0]) => {
    const principal = (await ctx.authenticate())!;
    if (principal.roles.includes('superadmin')) return null;
    if (!principal.tenantId) throw AppError.forbidden('sign in as a user of a tenant');
    return principal.tenantId;
  };
  const code = { type: 'string', pattern: '^[A-Za-z0-9]{8}$' };

  r.post('/api/admin/unbind-device', { summary: 'Unbind the device of a code', guards: admin, schema: { body: { type: 'object', required: ['code'], properties: { code, reason: { type: 'string', maxLength: 500 }, adminId: {} } } } }, async (ctx, { body }) =>
    ok(await s.robots.unbind(s.licenses(), await tenantOf(ctx), body.code.toUpperCase()), 'unbound'),
  );

  r.post('/api/admin/activation-codes/:code/disable', { summary: 'Disable a code', guards: admin, schema: { params: { type: 'object', required: ['code'], properties: { code } } } }, async (ctx, { params }) => {
    await s.robots.disable(s.licenses(), await tenantOf(ctx), params.code.toUpperCase());
    return ok(null, 'disabled');
  });

  r.get('/api/admin/activation-codes', { summary: 'Activation codes', guards: admin, schema: { query: listQuery } }, async (ctx, { query }) =>
    ok(await s.codes.list({ tenantId: await tenantOf(ctx) }, { page: query.page, pageSize: query.pageSize, status: query.status })),
  );
}
