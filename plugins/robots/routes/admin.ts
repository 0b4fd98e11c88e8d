import type { PluginRouter } from '../../../core/http/router.js';
import { CODE_STATUSES, DEFAULT_VALIDITY_DAYS, MAX_VALIDITY_DAYS } from '../services/codes.js';
import type { RobotsServices } from '../services/index.js';
import { adminScope, workbotAdmin } from './guards.js';
import { ok } from '../../../core/http/reply.js';

/** Seed 6.1's body; `price` and `remark` beside the seed; `validDays`/`userId` are the old names, still accepted. */
const days = { type: 'integer', minimum: 1, maximum: MAX_VALIDITY_DAYS } as const;
const generateBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    count: { type: 'integer', minimum: 1, maximum: 500, default: 1 },
    validityPeriod: { ...days, description: `days (default ${DEFAULT_VALIDITY_DAYS}, as the seed's example)` },
    boundUserId: {
      type: ['string', 'integer'],
      minLength: 1,
      maxLength: 64,
      minimum: 0,
      description: "a user of WorkBot's home tenant; only they can activate the code (default: anyone who has it)",
    },
    price: { type: 'number', minimum: 0, maximum: 1_000_000_000, description: 'in currency units, at most 2 decimals (e.g. 50.00)' },
    remark: { type: 'string', maxLength: 500 },
    validDays: { ...days, deprecated: true, description: 'old name of validityPeriod' },
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

/**
 * Activation codes: `workbot` licenses of the licensing engine, 8 characters, one device each.
 * They are made in WorkBot's home tenant: the operator sells them. Every route here is guarded by
 * workbotAdmin; a superadmin sees every tenant's codes, a home admin the home tenant's.
 */
export function adminRoutes(r: PluginRouter, s: RobotsServices): void {
  const admin = [workbotAdmin(s.home)];

  r.post('/api/admin/activation-codes', { summary: 'Generate activation codes', guards: admin, schema: { body: generateBody } }, async (_ctx, { body }) => {
    // Codes are made in the home tenant, whoever of its admins (or a superadmin) asks.
    const data = await s.codes.generate({
      tenantId: await s.home.id(),
      count: body.count,
      validityPeriod: body.validityPeriod ?? body.validDays ?? DEFAULT_VALIDITY_DAYS,
      boundUserId: body.boundUserId ?? body.userId ?? null,
      price: body.price ?? null,
      remark: body.remark ?? null,
    });
    return ok(data, '生成成功');
  });

  const tenantOf = async (ctx: Parameters<Parameters<PluginRouter['post']>[2]>[0]) => (await adminScope(ctx, s.home)).tenantId;
  const code = { type: 'string', pattern: '^[A-Za-z0-9]{8}$' };

  r.post(
    '/api/admin/unbind-device',
    {
      summary: 'Unbind the device of a code',
      guards: admin,
      schema: { body: { type: 'object', required: ['code'], properties: { code, reason: { type: 'string', maxLength: 500 }, adminId: {} } } },
    },
    async (ctx, { body }) => ok(await s.robots.unbind(s.licenses(), await tenantOf(ctx), body.code.toUpperCase()), 'unbound'),
  );

  r.post(
    '/api/admin/activation-codes/:code/disable',
    { summary: 'Disable a code', guards: admin, schema: { params: { type: 'object', required: ['code'], properties: { code } } } },
    async (ctx, { params }) => {
      await s.robots.disable(s.licenses(), await tenantOf(ctx), params.code.toUpperCase());
      return ok(null, 'disabled');
    },
  );

  r.get('/api/admin/activation-codes', { summary: 'Activation codes', guards: admin, schema: { query: listQuery } }, async (ctx, { query }) =>
    ok(await s.codes.list({ tenantId: await tenantOf(ctx) }, { page: query.page, pageSize: query.pageSize, status: query.status })),
  );
}
