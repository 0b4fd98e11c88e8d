import type { PluginRouter } from 'plinth/plugin';
import { requireRole, requireScope } from 'plinth/plugin';
import type { AuthServices } from '../services/index.js';
import { meta, tenantPrincipal } from './shared.js';
import { settingsPatch, settingsReply, tenantUsersQuery, userPageReply } from './schemas.js';
import type { AuthErrorCode } from '../api.js';

export function tenantRoutes(r: PluginRouter<AuthErrorCode>, s: AuthServices): void {
  r.get(
    '/tenant/settings',
    {
      errors: { 401: ['invalid_api_key'] },
      summary: 'My tenant settings (any member)',
      guards: [requireScope('settings:read')],
      schema: { responses: { 200: { description: "The tenant's settings", schema: settingsReply } } },
    },
    async (ctx) => s.tenants.settings((await tenantPrincipal(ctx)).tenantId),
  );

  // Beside the seed: the tenant's users, for its owners and admins (users:read), e.g. the workflow
  // editor's user picker. Searchable like the operator's /admin/users, but never another tenant's.
  r.get(
    '/tenant/users',
    {
      summary: "My tenant's users (owner or admin; paginated, searchable)",
      guards: [requireRole('admin'), requireScope('users:read')],
      schema: { query: tenantUsersQuery, responses: { 200: { description: 'Newest first', schema: userPageReply } } },
    },
    async (ctx, { query }) => {
      const { tenantId } = await tenantPrincipal(ctx);
      const { page, page_size, ...filter } = query;
      return s.users.list({ ...filter, tenant_id: tenantId }, { page, page_size });
    },
  );

  r.patch(
    '/tenant/settings',
    {
      summary: 'Update my tenant settings (owner or admin)',
      guards: [requireRole('admin'), requireScope('settings:manage')],
      schema: {
        body: settingsPatch,
        responses: { 200: { description: 'The settings as saved (switching AI consent records a consent)', schema: settingsReply } },
      },
    },
    async (ctx, { body: b }) => {
      const p = await tenantPrincipal(ctx);
      return s.tenants.updateSettings(p, p.tenantId, b, meta(ctx));
    },
  );
}
