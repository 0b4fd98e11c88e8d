import type { PlinthContainer } from 'plinth/plugin';
import { asValue } from 'awilix';
import { ConfigError } from 'plinth/plugin';
import { definePlugin } from 'plinth/plugin';
import { billingConfigSchema, billingEnv, OPERATOR_PLAN, type BillingSettings } from './config.js';
import { billingEvents } from './events.js';
import { createBillingServices } from './services/index.js';
import { billingRoutes } from './routes/billing.js';
import { usageRoutes } from './routes/usage.js';
import { adminRoutes } from './routes/admin.js';
import { manualRoutes } from './routes/manual.js';
import { billingJobs } from './jobs.js';
import { billingOverview } from './services/overview.js';
import { tenantPlanUpdate, tenantPlanView } from './tenant-filters.js';
import { billingTenantPart } from './tenant-section.js';
import { billingServices } from './services/own.js';

const services = (c: { container: PlinthContainer }) => billingServices.of(c);

export default definePlugin<BillingSettings>({
  name: 'billing',
  version: '1.0.0',
  description: 'Plans, subscriptions (Stripe checkout and portal, or plans assigned by an operator), usage counters and limits (MoltFlow admin API)',
  dependsOn: ['auth'],
  configSchema: billingConfigSchema,
  env: billingEnv,
  face: { base: '/api/v2', envelope: 'detail' },
  scopes: {
    'billing:read': 'Read the subscription and plan',
    'billing:manage': 'Upgrade, cancel, open the billing portal',
    'usage:read': 'Read usage',
  },
  events: billingEvents,
  migrations: 'migrations',
  // Auth's admin tenant view and update (auth's api.ts AuthFilters) carry the tenant's plan.
  filters: {
    'auth.tenant.view': (view, _ctx, c) => tenantPlanView(services(c).tenantPlans)(view),
    'auth.tenant.update': (update, _ctx, c) => tenantPlanUpdate(services(c).tenantPlans)(update),
  },

  register(c) {
    if (!c.settings.plans.some((p) => p.id === c.settings.defaultPlan)) {
      throw new ConfigError(
        `invalid config: settings.billing.defaultPlan = ${JSON.stringify(c.settings.defaultPlan)}: must be the id of one of settings.billing.plans`,
      );
    }
    // A plan list of one's own still gets the built-in operator plan, unless it defines one.
    if (c.settings.operatorPlan === OPERATOR_PLAN.id && !c.settings.plans.some((p) => p.id === OPERATOR_PLAN.id))
      c.settings.plans = [...c.settings.plans, OPERATOR_PLAN];
    if (!c.settings.plans.some((p) => p.id === c.settings.operatorPlan)) {
      throw new ConfigError(
        `invalid config: settings.billing.operatorPlan = ${JSON.stringify(c.settings.operatorPlan)}: must be the id of one of settings.billing.plans`,
      );
    }
    const s = createBillingServices(c.container.cradle, c.settings);
    // `tenantPlans` is billing's typed contract (api.ts): a tenant's plan, as its filters on auth's tenant view and PATCH use it.
    billingServices.register(c.container, s);
    c.container.register({ tenantPlans: asValue(s.tenantPlans), usageReader: asValue({ view: s.subscriptionView }) });
    // Fills the core's `usage` and `entitlements` slots: from now on every plugin's consume() and
    // every scope check obey the plans.
    c.container.cradle.usage.provide(s.meter);
    c.container.cradle.entitlements.provide(s.entitlements);
  },

  async start(c) {
    const s = services(c);
    await s.plans.seed(c.settings.plans);
    await s.meter.init();
    // A feature no enabled plugin declares grants nothing (its plugin may simply be switched off).
    const known = c.container.resolve('features');
    for (const plan of c.settings.plans) {
      const unknown = (plan.features ?? []).filter((f) => !known.has(f));
      if (unknown.length) c.logger.warn({ plan: plan.id, features: unknown }, 'settings.billing.plans lists features no enabled plugin declares');
    }
  },

  routes(r, c) {
    const s = services(c);
    billingRoutes(r, s);
    usageRoutes(r, s);
    manualRoutes(r, s, { audit: () => c.container.resolve('audit'), tenants: () => c.container.resolve('tenants') });
    adminRoutes(r, s, {
      tenants: () => c.container.resolve('tenants'),
      audit: () => c.container.resolve('audit'),
      features: () => c.container.resolve('features'),
      defaultPlan: c.settings.defaultPlan,
    });
  },

  jobs: billingJobs,

  overview: billingOverview,

  // The operator's tenant page (plan, paid-through date, open plan-change request, latest payments) and deleting a tenant.
  tenant: billingTenantPart,

  on: {
    // Every new tenant starts on the default plan (the operator tenant on the operator plan).
    async 'auth.tenant.created'(event, c) {
      await services(c).subscriptions.get(event.payload.tenant_id);
    },
    // A deleted tenant's billing rows go with it (billing owns them; auth only reports the fact).
    async 'auth.tenant.deleted'(event, c) {
      await services(c).subscriptions.forgetTenant(event.payload.tenant_id);
      await services(c).manual.clearAlert(event.payload.tenant_id);
    },
  },

  ui: {
    pages: [
      { path: 'billing', title: 'Billing', roles: ['admin'] },
      { path: 'plans', title: 'Plans', roles: ['superadmin'] },
      { path: 'tenant', title: 'Tenant billing', roles: ['superadmin'] },
    ],
  },
});
