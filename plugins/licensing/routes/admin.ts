import { isEmailAddress } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { hasScope, type Principal } from 'plinth/plugin';
import { actingTenant } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { License, Scope } from '../services/licenses.js';
import type { LicensingServices } from '../services/index.js';
import { LicensingErrors } from '../services/errors.js';
import { ok } from 'plinth/plugin';
import {
  activationsDailyReply,
  daysQuery,
  deviceBody,
  doneReply,
  generateBody,
  generateReply,
  licenseParams,
  licenseReply,
  licensesQuery,
  licensesReply,
  revokeBody,
  statsReply,
} from './schemas.js';
import type { LicensingErrorCode } from '../api.js';

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
    throw LicensingErrors.credentialRefused(err instanceof AppError ? err.message : 'invalid API key');
  }
  if (!principal) throw LicensingErrors.credentialMissing();
  if (!hasScope(principal, MANAGE)) throw LicensingErrors.scopeMissing(MANAGE);
  // A superadmin sees every tenant's licenses; anyone else acts within a tenant (the core's tenant
  // guard: 403, which the seed's envelope reports as INVALID_API_KEY).
  if (principal.roles.includes('superadmin')) return { principal, scope: { tenantId: null } };
  const acting = await actingTenant(ctx);
  return { principal: acting, scope: { tenantId: acting.tenantId } };
}

/** As a route guard, so credentials are checked before the body (no key: 401, whatever was sent). */
const admin = [async (ctx: HttpContext) => void (await licenseAdmin(ctx))];

const generatedReply = (l: License) => ({
  license_id: l.license_id,
  activation_code: l.activation_code,
  email: l.email,
  plan: l.plan,
  device_cap: l.device_cap,
  valid_until: l.valid_until,
});

export function adminRoutes(r: PluginRouter<LicensingErrorCode>, s: LicensingServices): void {
  r.post(
    '/api/admin/generate',
    {
      errors: {
        400: ['INVALID_REQUEST', 'MISSING_EMAIL'],
        401: ['INVALID_API_KEY'],
        402: ['usage_limit_reached'],
        403: ['INVALID_API_KEY', 'tenant_required'],
      },
      summary: 'Generate an activation code',
      guards: admin,
      schema: { body: generateBody, responses: { 200: { description: 'The license (with `count`, every license made)', schema: generateReply } } },
    },
    async (ctx, { body }) => {
      await licenseAdmin(ctx);
      if (!body.email?.trim()) throw LicensingErrors.emailMissing();
      if (!isEmailAddress(body.email.trim())) throw LicensingErrors.emailMalformed();
      // Licenses belong to a tenant: a superadmin without one (the root token) is refused too.
      const actor = await actingTenant(ctx);
      const input = {
        tenantId: actor.tenantId,
        actor,
        plan: body.plan,
        email: body.email,
        deviceCap: body.device_cap,
        days: body.days,
        userHint: body.user_hint,
        product: body.product,
      };
      // One transaction metered as a whole: past the plan's max_licenses nothing is written (402).
      const licenses = (await s.licenses.generateMany(input, body.count ?? 1)).map(generatedReply);
      // The seed's reply is one `license`; with `count`, `licenses` lists them all (the first is `license`).
      return ok(body.count === undefined ? { license: licenses[0] } : { license: licenses[0], licenses });
    },
  );

  r.post(
    '/api/admin/revoke',
    {
      errors: { 401: ['INVALID_API_KEY'], 403: ['INVALID_API_KEY'], 404: ['INVALID_LICENSE'] },
      summary: 'Revoke a license',
      guards: admin,
      schema: { body: revokeBody, responses: { 200: { description: 'Revoked (or already was)', schema: doneReply } } },
    },
    async (ctx, { body }) => {
      const { scope } = await licenseAdmin(ctx);
      await s.licenses.end(scope, body.license_id, 'revoked', body.reason ?? null);
      return ok({});
    },
  );

  r.post(
    '/api/admin/deactivate-device',
    {
      errors: { 401: ['INVALID_API_KEY'], 403: ['INVALID_API_KEY'], 404: ['INVALID_LICENSE', 'INVALID_REQUEST'] },
      summary: 'Deactivate a device',
      guards: admin,
      schema: { body: deviceBody, responses: { 200: { description: 'Deactivated: its slot is free', schema: doneReply } } },
    },
    async (ctx, { body }) => {
      const { scope } = await licenseAdmin(ctx);
      await s.licenses.setDeviceStatus(scope, body.license_id, body.device_id, 'deactivated');
      return ok({});
    },
  );

  r.post(
    '/api/admin/activate-device',
    {
      errors: { 401: ['INVALID_API_KEY'], 403: ['INVALID_API_KEY'], 404: ['INVALID_LICENSE', 'INVALID_REQUEST'], 409: ['INVALID_REQUEST'] },
      summary: 'Re-activate a deactivated device',
      guards: admin,
      schema: { body: deviceBody, responses: { 200: { description: 'Active again (within the device cap)', schema: doneReply } } },
    },
    async (ctx, { body }) => {
      const { scope } = await licenseAdmin(ctx);
      await s.licenses.setDeviceStatus(scope, body.license_id, body.device_id, 'active');
      return ok({});
    },
  );

  r.get(
    '/api/admin/licenses',
    {
      errors: { 401: ['INVALID_API_KEY'], 403: ['INVALID_API_KEY'] },
      summary: 'List licenses',
      guards: admin,
      schema: { query: licensesQuery, responses: { 200: { description: 'Licenses, newest first', schema: licensesReply } } },
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

  r.get(
    '/api/admin/stats',
    {
      errors: { 401: ['INVALID_API_KEY'], 403: ['INVALID_API_KEY'] },
      summary: 'License statistics',
      guards: admin,
      schema: { responses: { 200: { description: 'Counts by status and plan', schema: statsReply } } },
    },
    async (ctx) => {
      const { scope } = await licenseAdmin(ctx);
      return ok({ stats: await s.licenses.stats(scope) });
    },
  );

  // Beside the seed: devices bound per day (the licenses page's chart).
  r.get(
    '/api/admin/activations/daily',
    {
      errors: { 401: ['INVALID_API_KEY'] },
      summary: 'Devices bound per day over the last days (1–366, default 30)',
      guards: admin,
      schema: { query: daysQuery, responses: { 200: { description: 'Every day of the range, oldest first (zeros included)', schema: activationsDailyReply } } },
    },
    async (ctx, { query }) => {
      const { scope } = await licenseAdmin(ctx);
      return ok({ days: await s.licenses.activationsPerDay(scope, query.days) });
    },
  );

  // Beside the seed: one license with its devices (the admin UI's device page).
  r.get(
    '/api/admin/licenses/:license_id',
    {
      errors: { 401: ['INVALID_API_KEY'], 404: ['INVALID_LICENSE'] },
      summary: 'A license with its devices',
      guards: admin,
      schema: { params: licenseParams, responses: { 200: { description: 'The license and every device bound to it', schema: licenseReply } } },
    },
    async (ctx, { params }) => {
      const { scope } = await licenseAdmin(ctx);
      await s.verifier.flushSeen();
      const license = await s.licenses.get(scope, params.license_id);
      return ok({ license, devices: await s.licenses.devices(license) });
    },
  );
}
