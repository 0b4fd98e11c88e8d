import { AppError } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import { requireRole } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import type { Hooks } from 'plinth/plugin';
import type { AdminTenantUpdate, AdminTenantView, AuthFilterName, AuthFilters, AuthErrorCode, TenantUpdateRefusal } from '../api.js';
import type { AuthServices } from '../services/index.js';
import type { TenantParts } from 'plinth/plugin';
import { meta, principalOf } from './shared.js';
import { adminUserPageReply, tenantDeletionReply, tenantSectionsReply } from './tenant-page-schemas.js';
import {
  adminUserPatch,
  adminUsersQuery,
  auditPageReply,
  auditQuery,
  healthReply,
  newMemberBody,
  newMemberReply,
  newTenantBody,
  newTenantReply,
  statsReply,
  tenantDetailReply,
  tenantPageReply,
  tenantPatch,
  tenantReadOnly,
  tenantsQuery,
  userReply,
  uuidParam,
} from './schemas.js';

/** One of auth's filters (api.ts AuthFilters), applied to its typed value. */
const filter = <K extends AuthFilterName>(hooks: Hooks, name: K, value: AuthFilters[K]) => hooks.applyFilters(name, value);

export function adminRoutes(
  r: PluginRouter<AuthErrorCode | TenantUpdateRefusal>,
  s: AuthServices,
  deps: { events: EventBus; startedAt: Date; version: string; dbPing: () => Promise<void>; hooks: Hooks; tenantParts: TenantParts },
): void {
  const superadmin = [requireRole('superadmin')];

  r.get(
    '/admin/users',
    {
      errors: { 403: ['mfa_enrollment_required'] },
      summary: 'All users (paginated, searchable)',
      guards: superadmin,
      schema: {
        query: adminUsersQuery,
        responses: { 200: { description: "A page of users, newest first, each with their tenant's name", schema: adminUserPageReply } },
      },
    },
    async (_ctx, { query: q }) => {
      const { page, page_size, ...filter } = q;
      const found = await s.users.list(filter, { page, page_size });
      const names = await s.tenants.names(found.items.map((u) => u.tenant_id));
      return { ...found, items: found.items.map((u) => ({ ...u, tenant_name: names.get(u.tenant_id) ?? null })) };
    },
  );
  r.get(
    '/admin/users/:id',
    {
      errors: { 404: ['not_found'] },
      summary: 'One user',
      guards: superadmin,
      schema: { params: uuidParam, responses: { 200: { description: 'The user', schema: userReply } } },
    },
    (_ctx, { params }) => s.users.get(params.id),
  );
  r.patch(
    '/admin/users/:id',
    {
      errors: { 404: ['not_found'], 409: ['email_taken', 'last_owner', 'last_superadmin'] },
      summary: "Change a user's role, status, name or scope limit",
      guards: superadmin,
      schema: { params: uuidParam, body: adminUserPatch, responses: { 200: { description: 'The user as saved', schema: userReply } } },
    },
    async (ctx, { params, body: b }) => {
      const unknown = (b.scope_limit ?? []).filter((scope: string) => !s.roleScopes.known(scope));
      if (unknown.length)
        throw AppError.validation(unknown.map((scope: string) => ({ path: 'body.scope_limit', message: `"${scope}" is not a scope of any enabled plugin` })));
      return s.users.adminUpdate(await principalOf(ctx), params.id, b, meta(ctx));
    },
  );
  r.delete(
    '/admin/users/:id',
    {
      errors: { 404: ['not_found'], 409: ['last_owner', 'last_superadmin'] },
      summary: 'Delete a user',
      guards: superadmin,
      schema: { params: uuidParam, responses: { 204: { description: 'Deleted' } } },
    },
    async (ctx, { params }) => {
      await s.users.remove(await principalOf(ctx), params.id, meta(ctx));
      ctx.status = 204;
    },
  );
  r.post(
    '/admin/users/:id/suspend',
    {
      errors: { 404: ['not_found'], 409: ['cannot_suspend_self', 'last_superadmin'] },
      summary: 'Suspend a user (their sessions end)',
      guards: superadmin,
      schema: { params: uuidParam, responses: { 200: { description: 'The user, suspended', schema: userReply } } },
    },
    async (ctx, { params }) => s.users.setStatus(await principalOf(ctx), params.id, 'suspended', meta(ctx)),
  );
  r.post(
    '/admin/users/:id/activate',
    {
      errors: { 404: ['not_found'] },
      summary: 'Re-activate a suspended user',
      guards: superadmin,
      schema: { params: uuidParam, responses: { 200: { description: 'The user, active', schema: userReply } } },
    },
    async (ctx, { params }) => s.users.setStatus(await principalOf(ctx), params.id, 'active', meta(ctx)),
  );

  r.get(
    '/admin/tenants',
    {
      summary: 'Tenants, searchable by name',
      guards: superadmin,
      schema: { query: tenantsQuery, responses: { 200: { description: 'A page of tenants, newest first', schema: tenantPageReply } } },
    },
    (_ctx, { query: q }) => s.tenants.list(q.search, { page: q.page, page_size: q.page_size }),
  );
  // Other plugins extend the view and the update through auth's filters (api.ts AuthFilters):
  // billing adds the tenant's plan. Without such a plugin a tenant has no plan_id and PATCH takes none.
  const { hooks } = deps;
  const withPlan = hooks.hasFilters('auth.tenant.update');
  const tenantView = async (id: string): Promise<AdminTenantView> => {
    const view = { ...(await s.tenants.get(id)), settings: await s.tenants.settings(id) };
    return filter(hooks, 'auth.tenant.view', view);
  };
  const tenantDetail = { 200: { description: 'The tenant with its settings (and its plan, with billing)', schema: tenantDetailReply } };
  r.get(
    '/admin/tenants/:id',
    {
      errors: { 404: ['not_found'] },
      summary: 'One tenant with its settings and plan',
      guards: superadmin,
      schema: { params: uuidParam, responses: tenantDetail },
    },
    (_ctx, { params }) => tenantView(params.id),
  );
  // The operator's tenant page: every enabled plugin's sections of it (core/overview/tenant.ts).
  r.get(
    '/admin/tenants/:id/sections',
    {
      errors: { 404: ['not_found'] },
      summary: "One tenant's page: its settings and plan, and each plugin's sections (members, API keys, robots, mailboxes, licenses, audit…)",
      guards: superadmin,
      schema: { params: uuidParam, responses: { 200: { description: 'The tenant and its sections, in plugin order', schema: tenantSectionsReply } } },
    },
    async (_ctx, { params }) => {
      const tenant = await tenantView(params.id);
      return { tenant, sections: await deps.tenantParts.sections(params.id) };
    },
  );
  r.get(
    '/admin/tenants/:id/deletion',
    {
      errors: { 404: ['not_found'] },
      summary: 'What deleting a tenant would delete, counted by plugin, and whether it may be deleted',
      guards: superadmin,
      schema: { params: uuidParam, responses: { 200: { description: 'What goes, by plugin; blocked: why it cannot go', schema: tenantDeletionReply } } },
    },
    async (ctx, { params }) => {
      const { tenant, blocked, goes } = await s.tenants.deletion(await principalOf(ctx), params.id);
      return { tenant: { id: tenant.id, name: tenant.name }, blocked, goes };
    },
  );
  r.post(
    '/admin/tenants',
    {
      errors: { 409: ['email_taken'] },
      summary: 'Create a customer tenant with its owner (emailed a link to choose a password unless one is given)',
      guards: superadmin,
      schema: {
        body: newTenantBody,
        responses: { 201: { description: 'The tenant and its owner; whether the owner was emailed a link to choose a password', schema: newTenantReply } },
      },
    },
    async (ctx, { body: b }) => {
      const created = await s.customers.createTenant(await principalOf(ctx), b, meta(ctx));
      ctx.status = 201;
      return created;
    },
  );
  r.post(
    '/admin/tenants/:id/users',
    {
      errors: { 404: ['not_found'], 409: ['email_taken'] },
      summary: 'Add a user to a tenant by email, with a role (emailed a link to choose a password unless one is given)',
      guards: superadmin,
      schema: {
        params: uuidParam,
        body: newMemberBody,
        responses: { 201: { description: 'The user; whether they were emailed a link to choose a password', schema: newMemberReply } },
      },
    },
    async (ctx, { params, body: b }) => {
      const invited = await s.customers.invite(await principalOf(ctx), params.id, b, meta(ctx));
      ctx.status = 201;
      return invited;
    },
  );
  // Every field the GET shows is accepted, so a client may send back what it read: the read-only
  // ones only when unchanged, plan_id (with billing) moves the tenant to that plan.
  const readOnly = tenantReadOnly;
  r.patch(
    '/admin/tenants/:id',
    {
      errors: { 404: ['not_found'], 409: ['conflict', 'last_superadmin', 'managed_by_stripe'] },
      summary: 'Update a tenant: name, status, settings and (with billing) its plan',
      guards: superadmin,
      schema: { params: uuidParam, body: tenantPatch(withPlan), responses: tenantDetail },
    },
    async (ctx, { params, body: b }) => {
      const before = await tenantView(params.id);
      const changed = Object.keys(readOnly).filter((k) => k in b && b[k] !== before[k as keyof typeof before]);
      if (changed.length) throw AppError.validation(changed.map((k) => ({ path: `body.${k}`, message: `${k} is read-only` })));
      const update: AdminTenantUpdate = { tenantId: params.id, fields: withPlan && b.plan_id !== undefined ? { plan_id: b.plan_id } : {}, after: [] };
      const { after } = await filter(hooks, 'auth.tenant.update', update);
      const actor = await principalOf(ctx);
      const { status, settings, plan_id } = b;
      const newName = typeof b.name === 'string' ? b.name.trim() : undefined;
      await s.tenants.update(actor, params.id, { name: newName, status }, meta(ctx), { name: newName, status, settings, plan_id });
      if (settings) await s.tenants.updateSettings(actor, params.id, settings, meta(ctx));
      for (const step of after) await step();
      return tenantView(params.id);
    },
  );
  r.delete(
    '/admin/tenants/:id',
    {
      errors: { 404: ['not_found'], 409: ['conflict', 'last_superadmin'] },
      summary: "Delete a tenant: its users, API keys and every plugin's rows of it, in one transaction (GET …/deletion counts them first)",
      guards: superadmin,
      schema: { params: uuidParam, responses: { 204: { description: 'Deleted' } } },
    },
    async (ctx, { params }) => {
      await s.tenants.remove(await principalOf(ctx), params.id, meta(ctx));
      ctx.status = 204;
    },
  );

  r.get(
    '/admin/stats',
    {
      errors: { 401: ['invalid_token'], 403: ['mfa_enrollment_required'] },
      summary: 'Platform statistics',
      guards: superadmin,
      schema: { responses: { 200: { description: 'Counts across every tenant', schema: statsReply } } },
    },
    () => s.stats.collect(),
  );

  const health = { 200: { description: 'The database and the event outbox; degraded when the database is unreachable', schema: healthReply } };
  r.get('/admin/health', { summary: 'Service health', guards: superadmin, schema: { responses: health } }, async () => {
    let database = 'ok';
    try {
      await deps.dbPing();
    } catch {
      database = 'unreachable';
    }
    return {
      status: database === 'ok' ? 'ok' : 'degraded',
      database,
      version: deps.version,
      uptime_seconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
      outbox: await deps.events.backlog(),
    };
  });

  r.get(
    '/admin/audit-logs',
    {
      errors: { 403: ['mfa_enrollment_required'] },
      summary: 'Audit log (filter by actor, action, target, time)',
      guards: superadmin,
      schema: { query: auditQuery, responses: { 200: { description: 'A page of audit entries, newest first', schema: auditPageReply } } },
    },
    (_ctx, { query: q }) => {
      const { page, page_size, ...filter } = q;
      return s.audit.list(filter, { page, page_size });
    },
  );
}
