import type { PluginRouter } from '../../../core/http/router.js';
import { requireRole, requireScope } from '../../../core/http/guards.js';
import type { AuthServices } from '../services/index.js';
import { body, meta, tenantPrincipal } from './shared.js';

/** A tenant's settings, as the owner and the operator (PATCH /admin/tenants/:id) change them. */
export const settingsFields = {
  allowed_numbers: { type: 'array', maxItems: 1000, items: { type: 'string', pattern: '^\\+?[1-9]\\d{6,14}$' } },
  require_approval: { type: 'boolean' },
  ai_consent_enabled: { type: 'boolean' },
};

export function tenantRoutes(r: PluginRouter, s: AuthServices): void {
  r.get('/tenant/settings', { summary: 'My tenant settings (any member)', guards: [requireScope('settings:read')] }, async (ctx) =>
    s.tenants.settings((await tenantPrincipal(ctx)).tenantId),
  );

  r.patch(
    '/tenant/settings',
    {
      summary: 'Update my tenant settings (owner or admin)',
      guards: [requireRole('admin'), requireScope('settings:manage')],
      schema: {
        body: { ...body(settingsFields), minProperties: 1 },
      },
    },
    async (ctx, { body: b }) => {
      const p = await tenantPrincipal(ctx);
      return s.tenants.updateSettings(p, p.tenantId, b, meta(ctx));
    },
  );
}
