import type { PluginRouter } from 'plinth/plugin';
import { DEFAULT_VALIDITY_DAYS } from '../services/codes.js';
import type { RobotsServices } from '../services/index.js';
import type { RobotsSettings } from '../config.js';
import { adminScope, workbotAdmin } from './guards.js';
import { ok } from 'plinth/plugin';
import { codeListQuery, codeListReply, codeParams, generateCodesBody, generatedCodesReply, unbindBody, unbindReply } from './admin-schemas.js';
import { noData } from './schemas.js';
import type { RobotsErrorCode } from '../api.js';

/**
 * Activation codes: `workbot` licenses of the licensing engine, 8 characters, one device each.
 * They are made in WorkBot's home tenant: the operator sells them. Every route here is guarded by
 * workbotAdmin; a superadmin sees every tenant's codes, a home admin the home tenant's.
 */
export function adminRoutes(r: PluginRouter<RobotsErrorCode>, s: RobotsServices, settings: Pick<RobotsSettings, 'codePrices'>): void {
  const admin = [workbotAdmin(s.home)];

  r.post(
    '/api/admin/activation-codes',
    {
      errors: { 402: ['usage_limit_reached'], 403: ['not_workbot_admin'], 404: ['not_found'] },
      summary: 'Generate activation codes',
      guards: admin,
      schema: { body: generateCodesBody, responses: { 200: { description: 'The new codes', schema: generatedCodesReply } } },
    },
    async (_ctx, { body }) => {
      // Codes are made in the home tenant, whoever of its admins (or a superadmin) asks.
      const validityPeriod = body.validityPeriod ?? body.validDays ?? DEFAULT_VALIDITY_DAYS;
      const data = await s.codes.generate({
        tenantId: await s.home.id(),
        count: body.count,
        validityPeriod,
        boundUserId: body.boundUserId ?? body.userId ?? null,
        // The batch's price, else its plan's: the price set for codes of this many days (settings.robots.codePrices).
        price: body.price ?? settings.codePrices[String(validityPeriod)] ?? null,
        remark: body.remark ?? null,
      });
      return ok(data, 'generated');
    },
  );

  const tenantOf = async (ctx: Parameters<Parameters<PluginRouter['post']>[2]>[0]) => (await adminScope(ctx, s.home)).tenantId;

  r.post(
    '/api/admin/unbind-device',
    {
      errors: { 403: ['not_workbot_admin'], 404: ['INVALID_CODE', 'not_found'] },
      summary: 'Unbind the device of a code',
      guards: admin,
      schema: { body: unbindBody, responses: { 200: { description: 'Unbound: the device and robot that held the code', schema: unbindReply } } },
    },
    async (ctx, { body }) => ok(await s.robots.unbind(s.licenses(), await tenantOf(ctx), body.code.toUpperCase()), 'unbound'),
  );

  r.post(
    '/api/admin/activation-codes/:code/disable',
    {
      errors: { 403: ['not_workbot_admin'], 404: ['INVALID_CODE'] },
      summary: 'Disable a code',
      guards: admin,
      schema: { params: codeParams, responses: { 200: { description: 'Disabled', schema: noData } } },
    },
    async (ctx, { params }) => {
      await s.robots.disable(s.licenses(), await tenantOf(ctx), params.code.toUpperCase());
      return ok(null, 'disabled');
    },
  );

  r.get(
    '/api/admin/activation-codes',
    {
      errors: { 403: ['missing_scope', 'not_workbot_admin'] },
      summary: 'Activation codes',
      guards: admin,
      schema: { query: codeListQuery, responses: { 200: { description: 'A page of codes, newest first', schema: codeListReply } } },
    },
    async (ctx, { query }) => ok(await s.codes.list({ tenantId: await tenantOf(ctx) }, { page: query.page, pageSize: query.pageSize, status: query.status })),
  );
}
