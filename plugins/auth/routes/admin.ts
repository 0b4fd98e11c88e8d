import { AppError } from '../../../core/errors.js';
import type { PluginRouter } from '../../../core/http/router.js';
import { requireRole } from '../../../core/http/guards.js';
import { paginationQuery } from '../../../core/http/pagination.js';
import type { EventBus } from '../../../core/events/outbox.js';
import type { AuthServices } from '../services/index.js';
import { body, email, meta, password, principalOf, uuidParam } from './shared.js';
import { profileFields } from './users.js';

/** null lifts the limit; a list holds the user to those scopes (and their own account). */
const scopeLimit = { type: ['array', 'null'], maxItems: 100, items: { type: 'string', pattern: '^[a-z0-9-]+:[a-z0-9*_-]+$' } };

const query = (properties: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, properties: { ...paginationQuery, ...properties } });

export function adminRoutes(r: PluginRouter, s: AuthServices, deps: { events: EventBus; startedAt: Date; version: string; dbPing: () => Promise<void> }): void {
  const superadmin = [requireRole('superadmin')];

  r.get('/admin/users', { summary: 'All users (paginated, searchable)', guards: superadmin, schema: { query: query({ search: { type: 'string', maxLength: 200 }, status: { enum: ['active', 'suspended'] }, tenant_id: { type: 'string', format: 'uuid' }, role: { enum: ['owner', 'admin', 'member'] } }) } }, (_ctx, { query: q }) => {
    const { page, page_size, ...filter } = q;
    return s.users.list(filter, { page, page_size });
  });
  r.get('/admin/users/:id', { guards: superadmin, schema: { params: uuidParam } }, (_ctx, { params }) => s.users.get(params.id));
  r.patch(
    '/admin/users/:id',
    { guards: superadmin, schema: { params: uuidParam, body: { ...body({ ...profileFields, role: { enum: ['owner', 'admin', 'member'] }, is_superadmin: { type: 'boolean' }, scope_limit: scopeLimit }), minProperties: 1 } } },
    async (ctx, { params, body: b }) => {
      const unknown = (b.scope_limit ?? []).filter((scope: string) => !s.roleScopes.known(scope));
      if (unknown.length) throw AppError.validation(unknown.map((scope: string) => ({ path: 'body.scope_limit', message: `"${scope}" is not a scope of any enabled plugin` })));
      return s.users.adminUpdate(await principalOf(ctx), params.id, b, meta(ctx));
    },
  );
  r.delete('/admin/users/:id', { guards: superadmin, schema: { params: uuidParam } }, async (ctx, { params }) => {
    await s.users.remove(await principalOf(ctx), params.id, meta(ctx));
    ctx.status = 204;
  });
  r.post('/admin/users/:id/suspend', { guards: superadmin, schema: { params: uuidParam } }, async (ctx, { params }) => s.users.setStatus(await principalOf(ctx), params.id, 'suspended', meta(ctx)));
  r.post('/admin/users/:id/activate', { guards: superadmin, schema: { params: uuidParam } }, async (ctx, { params }) => s.users.setStatus(await principalOf(ctx), params.id, 'active', meta(ctx)));

  r.get('/admin/tenants', { guards: superadmin, schema: { query: query({ search: { type: 'string', maxLength: 200 } }) } }, (_ctx, { query: q }) => s.tenants.list(q.search, { page: q.page, page_size: q.page_size }));
  r.get('/admin/tenants/:id', { guards: superadmin, schema: { params: uuidParam } }, async (_ctx, { params }) => ({ ...(await s.tenants.get(params.id)), settings: await s.tenants.settings(params.id) }));
  const name = { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' };
  const role = { enum: ['owner', 'admin', 'member'] };
  r.post(
    '/admin/tenants',
    { summary: 'Create a customer tenant with its owner (emailed a link to choose a password unless one is given)', guards: superadmin, schema: { body: body({ name, owner_email: email, owner_name: { type: 'string', maxLength: 200 }, password }, ['name', 'owner_email']) } },
    async (ctx, { body: b }) => {
      const created = await s.customers.createTenant(await principalOf(ctx), b, meta(ctx));
      ctx.status = 201;
      return created;
    },
  );
  r.post(
    '/admin/tenants/:id/users',
    { summary: 'Add a user to a tenant by email, with a role (emailed a link to choose a password unless one is given)', guards: superadmin, schema: { params: uuidParam, body: body({ email, role, full_name: { type: 'string', maxLength: 200 }, password }, ['email', 'role']) } },
    async (ctx, { params, body: b }) => {
      const invited = await s.customers.invite(await principalOf(ctx), params.id, b, meta(ctx));
      ctx.status = 201;
      return invited;
    },
  );
  r.patch(
    '/admin/tenants/:id',
    { guards: superadmin, schema: { params: uuidParam, body: { ...body({ name: { type: 'string', minLength: 1, maxLength: 200 }, status: { enum: ['active', 'suspended'] } }), minProperties: 1 } } },
    async (ctx, { params, body: b }) => s.tenants.update(await principalOf(ctx), params.id, b, meta(ctx)),
  );
  r.delete('/admin/tenants/:id', { guards: superadmin, schema: { params: uuidParam } }, async (ctx, { params }) => {
    await s.tenants.remove(await principalOf(ctx), params.id, meta(ctx));
    ctx.status = 204;
  });

  r.get('/admin/stats', { summary: 'Platform statistics', guards: superadmin }, () => s.stats.collect());

  r.get('/admin/health', { summary: 'Service health', guards: superadmin }, async () => {
    let database = 'ok';
    try {
      await deps.dbPing();
    } catch {
      database = 'unreachable';
    }
    return { status: database === 'ok' ? 'ok' : 'degraded', database, version: deps.version, uptime_seconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000), outbox: await deps.events.backlog() };
  });

  r.get(
    '/admin/audit-logs',
    {
      summary: 'Audit log (filter by actor, action, target, time)',
      guards: superadmin,
      schema: {
        query: query({
          actor_id: { type: 'string', maxLength: 64 },
          action: { type: 'string', maxLength: 80 },
          target_type: { type: 'string', maxLength: 40 },
          target_id: { type: 'string', maxLength: 64 },
          tenant_id: { type: 'string', maxLength: 64 },
          since: { type: 'string', format: 'date-time' },
          until: { type: 'string', format: 'date-time' },
        }),
      },
    },
    (_ctx, { query: q }) => {
      const { page, page_size, ...filter } = q;
      return s.audit.list(filter, { page, page_size });
    },
  );
}
