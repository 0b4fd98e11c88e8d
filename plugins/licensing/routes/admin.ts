import { AppError } from '../../../core/errors.js';
import { hasScope, type Principal } from '../../../core/http/auth.js';
import type { HttpContext } from '../../../core/http/context.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { License, Scope } from '../services/licenses.js';
import type { LicensingServices } from '../services/index.js';
import { ok } from '../../../core/http/reply.js';

export const MANAGE = 'licenses:manage';

/**
 * The seed's admin calls: any credential the auth chain accepts (an X-API-Key, or the admin UI's
 * session) holding `licenses:manage`; every failure is the seed's INVALID_API_KEY.
 */
async function licenseAdmin(ctx: HttpContext): Promise<{ principal: Principal; scope: Scope }> {
  let principal: Principal | null;
  try {
    principal = await ctx.authenticate();
  } catch (err) {
    throw new AppError(401, 'INVALID_API_KEY', err instanceof AppError ? err.message : 'invalid API key');
  }
  if (!principal) throw new AppError(401, 'INVALID_API_KEY', 'an X-API-Key header is required');
  if (!hasScope(principal, MANAGE)) throw new AppError(403, 'INVALID_API_KEY', `this API key lacks the ${MANAGE} scope`);
  const superadmin = principal.roles.includes('superadmin');
  if (!superadmin && !principal.tenantId) throw new AppError(403, 'INVALID_API_KEY', 'this credential belongs to no tenant');
  return { principal, scope: { tenantId: superadmin ? null : principal.tenantId } };
}

/** As a route guard, so credentials are checked before the body (no key: 401, whatever was sent). */
const admin = [async (ctx: HttpContext) => void (await licenseAdmin(ctx))];

/** The most licenses one generate call makes (`count`). */
export const MAX_BATCH = 500;

const generatedReply = (l: License) => ({
  license_id: l.license_id,
  activation_code: l.activation_code,
  email: l.email,
  plan: l.plan,
  device_cap: l.device_cap,
  valid_until: l.valid_until,
});

const licenseRef = { license_id: { type: 'string', minLength: 1, maxLength: 16 } };
const deviceRef = {
  type: 'object',
  required: ['license_id', 'device_id'],
  properties: { ...licenseRef, device_id: { type: 'string', minLength: 1, maxLength: 200 } },
};

export function adminRoutes(r: PluginRouter, s: LicensingServices): void {
  r.post(
    '/api/admin/generate',
    {
      summary: 'Generate an activation code',
      guards: admin,
      schema: {
        body: {
          type: 'object',
          required: ['plan'],
          properties: {
            plan: { enum: ['monthly', 'yearly', 'lifetime'] },
            email: { type: 'string', maxLength: 320 },
            device_cap: { type: 'integer', minimum: 1, maximum: 10000 },
            days: { type: 'integer', minimum: 1, maximum: 36500 },
            user_hint: { type: 'string', maxLength: 500 },
            // Beside the seed: that many licenses alike (the admin UI's "How many"), all or none.
            count: { type: 'integer', minimum: 1, maximum: MAX_BATCH },
          },
        },
      },
    },
    async (ctx, { body }) => {
      const { principal } = await licenseAdmin(ctx);
      if (!body.email?.trim()) throw new AppError(400, 'MISSING_EMAIL', 'email is required');
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email.trim())) throw new AppError(400, 'INVALID_REQUEST', 'email is not an email address');
      if (!principal.tenantId) throw new AppError(403, 'INVALID_API_KEY', 'licenses belong to a tenant; use a tenant API key');
      const input = { tenantId: principal.tenantId, plan: body.plan, email: body.email, deviceCap: body.device_cap, days: body.days, userHint: body.user_hint };
      // One transaction metered as a whole: past the plan's max_licenses nothing is written (402).
      const licenses = (await s.licenses.generateMany(input, body.count ?? 1)).map(generatedReply);
      // The seed's reply is one `license`; with `count`, `licenses` lists them all (the first is `license`).
      return ok(body.count === undefined ? { license: licenses[0] } : { license: licenses[0], licenses });
    },
  );

  r.post(
    '/api/admin/revoke',
    {
      summary: 'Revoke a license',
      guards: admin,
      schema: { body: { type: 'object', required: ['license_id'], properties: { ...licenseRef, reason: { type: 'string', maxLength: 500 } } } },
    },
    async (ctx, { body }) => {
      const { scope } = await licenseAdmin(ctx);
      await s.licenses.end(scope, body.license_id, 'revoked', body.reason ?? null);
      return ok();
    },
  );

  r.post('/api/admin/deactivate-device', { summary: 'Deactivate a device', guards: admin, schema: { body: deviceRef } }, async (ctx, { body }) => {
    const { scope } = await licenseAdmin(ctx);
    await s.licenses.setDeviceStatus(scope, body.license_id, body.device_id, 'deactivated');
    return ok();
  });

  r.post('/api/admin/activate-device', { summary: 'Re-activate a deactivated device', guards: admin, schema: { body: deviceRef } }, async (ctx, { body }) => {
    const { scope } = await licenseAdmin(ctx);
    await s.licenses.setDeviceStatus(scope, body.license_id, body.device_id, 'active');
    return ok();
  });

  r.get(
    '/api/admin/licenses',
    {
      summary: 'List licenses',
      guards: admin,
      schema: {
        query: {
          type: 'object',
          properties: { status: { enum: ['active', 'revoked', 'expired', 'disabled'] }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
      },
    },
    async (ctx, { query }) => {
      const { scope } = await licenseAdmin(ctx);
      await s.verifier.flushSeen();
      const licenses = await s.licenses.list(scope, { status: query.status, limit: query.limit });
      return ok({
        licenses: licenses.map((l) => ({
          id: l.id,
          license_id: l.license_id,
          activation_code: l.activation_code,
          email: l.email,
          plan: l.plan,
          device_limit: l.device_cap,
          issued_at: l.issued_at,
          valid_until: l.valid_until,
          user_hint: l.user_hint,
          status: l.status,
          created_at: l.created_at,
          updated_at: l.updated_at,
          active_devices: l.active_devices,
        })),
      });
    },
  );

  r.get('/api/admin/stats', { summary: 'License statistics', guards: admin }, async (ctx) => {
    const { scope } = await licenseAdmin(ctx);
    return ok({ stats: await s.licenses.stats(scope) });
  });

  // Beside the seed: devices bound per day (the licenses page's chart).
  r.get(
    '/api/admin/activations/daily',
    {
      summary: 'Devices bound per day over the last days (1–366, default 30)',
      guards: admin,
      schema: { query: { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: 366, default: 30 } } } },
    },
    async (ctx, { query }) => {
      const { scope } = await licenseAdmin(ctx);
      return ok({ days: await s.licenses.activationsPerDay(scope, query.days) });
    },
  );

  // Beside the seed: one license with its devices (the admin UI's device page).
  r.get('/api/admin/licenses/:license_id', { summary: 'A license with its devices', guards: admin }, async (ctx) => {
    const { scope } = await licenseAdmin(ctx);
    await s.verifier.flushSeen();
    const license = await s.licenses.get(scope, (ctx as unknown as { params: { license_id: string } }).params.license_id);
    return ok({ license, devices: await s.licenses.devices(license) });
  });
}
