import { requireRole } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { AuditSink, TenantDirectory as AuthTenants } from '../../auth/api.js';
import type { BillingServices } from '../services/index.js';
import type { FeatureInfo } from 'plinth/plugin';

import {
  assignPlanBody,
  dailyUsageReply,
  currentUsageReply,
  effectiveLimitsReply,
  historyQuery,
  featureListReply,
  newPlanBody,
  overridesBody,
  planListReply,
  planParams,
  planPatch,
  planReply,
  resetLimitsReply,
  subscriptionReply,
  syncedPlansReply,
  tenantParams,
  usageHistoryReply,
} from './schemas.js';
import { BillingErrors } from '../services/errors.js';
import type { BillingErrorCode } from '../api.js';

/** What billing needs of the auth plugin (resolved through the container), from auth's contract. */
type TenantDirectory = Pick<AuthTenants, 'get'>;

/** The replies of the routes that answer with a plan, a subscription or a tenant's limits. */
const answers = {
  plan: (description: string) => ({ 200: { description, schema: planReply } }),
  subscription: { 200: { description: "The tenant's plan, status, period, limits and usage", schema: subscriptionReply } },
  limits: { 200: { description: "The plan's limits, the tenant's overrides and the limits in force", schema: effectiveLimitsReply } },
};

export function adminRoutes(
  r: PluginRouter<BillingErrorCode>,
  s: BillingServices,
  deps: { tenants: () => TenantDirectory; audit: () => AuditSink; features: () => Map<string, FeatureInfo>; defaultPlan: string },
): void {
  const superadmin = [requireRole('superadmin')];
  const tenant = async (id: string) => {
    await deps.tenants().get(id); // 404 for an unknown tenant
    return id;
  };
  const meta = (ctx: { ip: string; get(h: string): string }) => ({ ip: ctx.ip, userAgent: ctx.get('User-Agent') });

  r.get(
    '/admin/plans',
    {
      summary: 'All plans, hidden ones too',
      guards: superadmin,
      schema: { responses: { 200: { description: 'Every plan, in display order', schema: planListReply } } },
    },
    () => s.plans.list(),
  );
  r.get(
    '/admin/features',
    {
      summary: 'The features plans can include, as the enabled plugins declare them',
      guards: superadmin,
      schema: { responses: { 200: { description: 'Each feature with the plugin that declares it and the scopes it grants', schema: featureListReply } } },
    },
    () => [...deps.features().values()].map((f) => ({ name: f.name, description: f.description, plugin: f.plugin, scopes: f.scopes })),
  );
  r.post(
    '/admin/plans',
    {
      errors: { 400: ['validation_error'], 409: ['plan_exists'] },
      summary: 'Create a plan',
      guards: superadmin,
      schema: { body: newPlanBody, responses: { 201: { description: 'The plan', schema: planReply } } },
    },
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
    {
      errors: { 400: ['validation_error'], 404: ['plan_not_found'] },
      summary: 'Update a plan',
      guards: superadmin,
      schema: { params: planParams, body: planPatch, responses: answers.plan('The plan as saved') },
    },
    async (ctx, { params, body }) => {
      const plan = await s.plans.update(params.id, body);
      await deps
        .audit()
        .record({ action: 'admin.plan.updated', actor: (await ctx.authenticate())!, target: { type: 'plan', id: plan.id }, meta: meta(ctx), details: body });
      return plan;
    },
  );
  r.delete(
    '/admin/plans/:id',
    {
      errors: { 404: ['plan_not_found'], 409: ['plan_in_use'] },
      summary: 'Delete a plan nobody is on',
      guards: superadmin,
      schema: { params: planParams, responses: { 204: { description: 'Deleted' } } },
    },
    async (ctx, { params }) => {
      await s.plans.remove(params.id, deps.defaultPlan, s.operatorPlan);
      await deps.audit().record({ action: 'admin.plan.deleted', actor: (await ctx.authenticate())!, target: { type: 'plan', id: params.id }, meta: meta(ctx) });
      ctx.status = 204;
    },
  );
  const syncAll = { 200: { description: 'Every customer plan, with its Stripe product and price ids', schema: syncedPlansReply } };
  r.post(
    '/admin/plans/stripe-sync-all',
    { errors: { 409: ['payments_not_configured'] }, summary: 'Sync every plan to Stripe', guards: superadmin, schema: { responses: syncAll } },
    async (ctx) => {
      if (!s.stripe.configured) throw BillingErrors.paymentsNotConfigured();
      const synced = [];
      // The operator plan is internal: never a Stripe product.
      for (const plan of await s.plans.list()) if (plan.id !== s.operatorPlan) synced.push(await s.stripe.syncPlan(plan.id));
      await deps
        .audit()
        .record({ action: 'admin.plans.stripe_synced', actor: (await ctx.authenticate())!, meta: meta(ctx), details: { plans: synced.map((p) => p.id) } });
      return { synced };
    },
  );
  r.post(
    '/admin/plans/:id/stripe-sync',
    {
      errors: { 404: ['plan_not_found'], 409: ['payments_not_configured', 'plan_not_purchasable'], 502: ['payment_provider_error'] },
      summary: 'Sync one plan to Stripe',
      guards: superadmin,
      schema: { params: planParams, responses: answers.plan('The plan with its Stripe product and price ids') },
    },
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
    {
      errors: { 404: ['not_found'] },
      summary: 'Plan limits with overrides applied',
      guards: superadmin,
      schema: { params: tenantParams, responses: answers.limits },
    },
    async (_ctx, { params }) => s.meter.effective(await tenant(params.id)),
  );
  r.post(
    '/admin/tenants/:id/reset-limits',
    {
      errors: { 404: ['not_found'] },
      summary: "Zero a tenant's counters for the current period",
      guards: superadmin,
      schema: { params: tenantParams, responses: { 200: { description: 'How many counters were zeroed, and the usage now', schema: resetLimitsReply } } },
    },
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
    {
      errors: { 404: ['not_found'] },
      summary: "A tenant's subscription with limits and usage",
      guards: superadmin,
      schema: { params: tenantParams, responses: answers.subscription },
    },
    async (_ctx, { params }) => s.subscriptionView(await tenant(params.id)),
  );
  r.put(
    '/admin/tenants/:id/subscription',
    {
      errors: { 404: ['not_found', 'plan_not_found'], 409: ['managed_by_stripe'] },
      summary: 'Put a tenant on a plan (manual provider)',
      guards: superadmin,
      schema: { params: tenantParams, body: assignPlanBody, responses: answers.subscription },
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
      errors: { 404: ['not_found'] },
      summary: "Replace a tenant's limit overrides",
      guards: superadmin,
      schema: { params: tenantParams, body: overridesBody, responses: answers.limits },
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
    '/admin/tenants/:id/usage/current',
    {
      errors: { 404: ['not_found'] },
      summary: "A tenant's usage this period by metric (as GET /usage/current)",
      guards: superadmin,
      schema: {
        params: tenantParams,
        responses: { 200: { description: 'Each metric: used, limit, remaining, and what it counts', schema: currentUsageReply } },
      },
    },
    async (_ctx, { params }) => s.usageView(await tenant(params.id)),
  );
  r.get(
    '/admin/tenants/:id/usage/history',
    {
      errors: { 404: ['not_found'] },
      summary: "A tenant's usage by month (as GET /usage/history)",
      guards: superadmin,
      schema: {
        params: tenantParams,
        query: historyQuery,
        responses: { 200: { description: 'Usage by metric for each of the last months, newest first', schema: usageHistoryReply } },
      },
    },
    async (_ctx, { params, query }) => ({ months: await s.meter.history(await tenant(params.id), query.months) }),
  );
  r.get(
    '/admin/tenants/:id/usage/daily',
    {
      errors: { 404: ['not_found'] },
      summary: "A tenant's usage this month by day",
      guards: superadmin,
      schema: { params: tenantParams, responses: { 200: { description: 'Usage by metric for each day of this month so far', schema: dailyUsageReply } } },
    },
    async (_ctx, { params }) => s.meter.daily(await tenant(params.id)),
  );
}
