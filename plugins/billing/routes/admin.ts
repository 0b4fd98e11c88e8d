import type { Principal } from '../../../core/http/auth.js';
import { requireRole } from '../../../core/http/guards.js';
import type { PluginRouter } from '../../../core/http/router.js';
import { planSeedSchema } from '../config.js';
import type { BillingServices } from '../services/index.js';
import type { FeatureInfo } from '../../../core/entitlements.js';
import { notConfigured } from '../services/stripe.js';
import { cycleField, planIdField } from './billing.js';

/** What billing needs of the auth plugin (resolved through the container). */
export interface TenantDirectory {
  get(id: string): Promise<unknown>;
}
export interface AuditSink {
  record(entry: {
    action: string;
    actor: Principal;
    tenantId?: string;
    target?: { type: string; id: string };
    meta?: { ip: string; userAgent: string };
    details?: Record<string, unknown>;
  }): Promise<void>;
}

const planParams = { type: 'object', required: ['id'], properties: { id: planIdField } };
const tenantParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } };
const limits = { type: 'object', additionalProperties: { type: ['integer', 'null'], minimum: 0 }, propertyNames: { pattern: '^[a-z][a-z0-9_]{0,63}$' } };
const { id: _id, ...planFields } = planSeedSchema.properties;
// A PATCH changes only what it sends: the create schema's defaults must not fill in the rest
// (the validator runs with useDefaults, so `{ display_name }` would otherwise reset the prices).
const withoutDefault = (field: Record<string, unknown>) => Object.fromEntries(Object.entries(field).filter(([k]) => k !== 'default'));
const planPatch = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { ...Object.fromEntries(Object.entries(planFields).map(([name, field]) => [name, withoutDefault(field)])), limits },
};

export function adminRoutes(
  r: PluginRouter,
  s: BillingServices,
  deps: { tenants: () => TenantDirectory; audit: () => AuditSink; features: () => Map<string, FeatureInfo>; defaultPlan: string },
): void {
  const superadmin = [requireRole('superadmin')];
  const tenant = async (id: string) => {
    await deps.tenants().get(id); // 404 for an unknown tenant
    return id;
  };
  const meta = (ctx: { ip: string; get(h: string): string }) => ({ ip: ctx.ip, userAgent: ctx.get('User-Agent') });

  r.get('/admin/plans', { summary: 'All plans, hidden ones too', guards: superadmin }, () => s.plans.list());
  r.get('/admin/features', { summary: 'The features plans can include, as the enabled plugins declare them', guards: superadmin }, () =>
    [...deps.features().values()].map((f) => ({ name: f.name, description: f.description, plugin: f.plugin, scopes: f.scopes })),
  );
  r.post(
    '/admin/plans',
    { summary: 'Create a plan', guards: superadmin, schema: { body: { ...planSeedSchema, properties: { ...planSeedSchema.properties, limits } } } },
    async (ctx, { body }) => {
      const plan = await s.plans.create(body);
      await deps
        .audit()
        .record({ action: 'admin.plan.created', actor: (await ctx.authenticate())!, target: { type: 'plan', id: plan.id }, meta: meta(ctx), details: body });
      ctx.status = 201;
      return plan;
    },
  );
  r.patch(
    '/admin/plans/:id',
    { summary: 'Update a plan', guards: superadmin, schema: { params: planParams, body: planPatch } },
    async (ctx, { params, body }) => {
      const plan = await s.plans.update(params.id, body);
      await deps
        .audit()
        .record({ action: 'admin.plan.updated', actor: (await ctx.authenticate())!, target: { type: 'plan', id: plan.id }, meta: meta(ctx), details: body });
      return plan;
    },
  );
  r.delete('/admin/plans/:id', { summary: 'Delete a plan nobody is on', guards: superadmin, schema: { params: planParams } }, async (ctx, { params }) => {
    await s.plans.remove(params.id, deps.defaultPlan, s.operatorPlan);
    await deps.audit().record({ action: 'admin.plan.deleted', actor: (await ctx.authenticate())!, target: { type: 'plan', id: params.id }, meta: meta(ctx) });
    ctx.status = 204;
  });
  r.post('/admin/plans/stripe-sync-all', { summary: 'Sync every plan to Stripe', guards: superadmin }, async (ctx) => {
    if (!s.stripe.configured) throw notConfigured();
    const synced = [];
    // The operator plan is internal: never a Stripe product.
    for (const plan of await s.plans.list()) if (plan.id !== s.operatorPlan) synced.push(await s.stripe.syncPlan(plan.id));
    await deps
      .audit()
      .record({ action: 'admin.plans.stripe_synced', actor: (await ctx.authenticate())!, meta: meta(ctx), details: { plans: synced.map((p) => p.id) } });
    return { synced };
  });
  r.post(
    '/admin/plans/:id/stripe-sync',
    { summary: 'Sync one plan to Stripe', guards: superadmin, schema: { params: planParams } },
    async (ctx, { params }) => {
      s.assertPurchasable(params.id);
      const plan = await s.stripe.syncPlan(params.id);
      await deps
        .audit()
        .record({ action: 'admin.plan.stripe_synced', actor: (await ctx.authenticate())!, target: { type: 'plan', id: plan.id }, meta: meta(ctx) });
      return plan;
    },
  );

  r.get(
    '/admin/tenants/:id/effective-limits',
    { summary: 'Plan limits with overrides applied', guards: superadmin, schema: { params: tenantParams } },
    async (_ctx, { params }) => s.meter.effective(await tenant(params.id)),
  );
  r.post(
    '/admin/tenants/:id/reset-limits',
    { summary: "Zero a tenant's counters for the current period", guards: superadmin, schema: { params: tenantParams } },
    async (ctx, { params }) => {
      const id = await tenant(params.id);
      const actor = (await ctx.authenticate())!;
      const reset = await s.meter.resetTenant(id);
      await deps
        .audit()
        .record({ action: 'admin.tenant.limits_reset', actor, tenantId: id, target: { type: 'tenant', id }, meta: meta(ctx), details: { counters: reset } });
      return { tenant_id: id, counters_reset: reset, usage: await s.meter.current(id) };
    },
  );

  // Beside the seed: what the manual provider and the admin UI need.
  r.get(
    '/admin/tenants/:id/subscription',
    { summary: "A tenant's subscription with limits and usage", guards: superadmin, schema: { params: tenantParams } },
    async (_ctx, { params }) => s.subscriptionView(await tenant(params.id)),
  );
  r.put(
    '/admin/tenants/:id/subscription',
    {
      summary: 'Put a tenant on a plan (manual provider)',
      guards: superadmin,
      schema: {
        params: tenantParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['plan_id'],
          properties: { plan_id: planIdField, billing_cycle: cycleField, status: { enum: ['active', 'trialing', 'past_due', 'canceled'] } },
        },
      },
    },
    async (ctx, { params, body }) => {
      const id = await tenant(params.id);
      await s.subscriptions.assign(id, body);
      await deps.audit().record({
        action: 'admin.tenant.plan_assigned',
        actor: (await ctx.authenticate())!,
        tenantId: id,
        target: { type: 'tenant', id },
        meta: meta(ctx),
        details: body,
      });
      return s.subscriptionView(id);
    },
  );
  r.put(
    '/admin/tenants/:id/limit-overrides',
    {
      summary: "Replace a tenant's limit overrides",
      guards: superadmin,
      schema: { params: tenantParams, body: { type: 'object', additionalProperties: false, required: ['limits'], properties: { limits } } },
    },
    async (ctx, { params, body }) => {
      const id = await tenant(params.id);
      const effective = await s.setOverrides(id, body.limits);
      await deps.audit().record({
        action: 'admin.tenant.limits_overridden',
        actor: (await ctx.authenticate())!,
        tenantId: id,
        target: { type: 'tenant', id },
        meta: meta(ctx),
        details: body.limits,
      });
      return effective;
    },
  );
  r.get(
    '/admin/tenants/:id/usage/daily',
    { summary: "A tenant's usage this month by day", guards: superadmin, schema: { params: tenantParams } },
    async (_ctx, { params }) => s.meter.daily(await tenant(params.id)),
  );
}
