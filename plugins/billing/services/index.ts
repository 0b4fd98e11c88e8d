import type { Cradle } from 'plinth/plugin';
import type { Knex } from 'knex';
import type { MetricInfo } from 'plinth/plugin';
import type { Entitlements } from 'plinth/plugin';
import type { TenantPlans } from '../api.js';
import type { BillingSettings } from '../config.js';
import { ManualBilling } from './manual.js';
import { Meter } from './usage-meter.js';
import { PeriodCloser } from './period-closer.js';
import { Plans } from './plans.js';
import { StripeBilling } from './stripe.js';
import { Subscriptions } from './subscriptions.js';
import { BillingErrors } from './errors.js';

export type BillingDeps = Pick<
  Cradle,
  'db' | 'clock' | 'logger' | 'config' | 'events' | 'pubsub' | 'metrics' | 'authAccounts' | 'tenants' | 'features' | 'alerts'
>;

/** Seed limit keys → the usage keys of the seed's subscription reply. */
const SEED_USAGE_KEYS: Record<string, string> = {
  max_sessions: 'sessions',
  max_messages_per_month: 'messages_this_month',
  max_groups: 'groups',
  max_labels: 'labels',
  ai_replies_per_month: 'ai_replies_this_month',
};

export function usageKeyOf(metric: string, spec?: MetricInfo): string {
  return (
    spec?.usageKey ??
    SEED_USAGE_KEYS[metric] ??
    metric
      .replace(/^max_/, '')
      .replace(/_per_month$/, '_this_month')
      .replace(/_per_day$/, '_today')
  );
}

export type BillingServices = ReturnType<typeof createBillingServices>;

export function createBillingServices(d: BillingDeps, settings: BillingSettings) {
  let meter: Meter;
  const plans = new Plans({ db: d.db, clock: d.clock, onChange: () => meter.invalidate(null), catalogue: () => new Set(d.features.keys()) });
  // A new tenant starts on the default plan; the operator's own tenant on the operator plan.
  const startingPlan = async (tenantId: string, trx: Knex | Knex.Transaction) =>
    (await d.tenants.operatorId(trx)) === tenantId ? settings.operatorPlan : settings.defaultPlan;
  const subscriptions = new Subscriptions({
    db: d.db,
    clock: d.clock,
    events: d.events,
    plans,
    startingPlan,
    onChange: (tenantId) => meter.invalidate(tenantId),
  });
  meter = new Meter({
    db: d.db,
    clock: d.clock,
    logger: d.logger,
    events: d.events,
    pubsub: d.pubsub,
    metrics: d.metrics,
    plans,
    subscriptions: () => subscriptions,
    features: d.features,
  });
  const stripe = new StripeBilling({
    db: d.db,
    clock: d.clock,
    logger: d.logger,
    settings: settings.stripe,
    publicUrl: d.config.server.publicUrl,
    plans,
    subscriptions,
    defaultPlan: settings.defaultPlan,
    provision: async (email) => (await d.authAccounts.provision(email)).tenantId,
    tenantExists: (id, trx) => d.tenants.exists(id, trx),
  });
  const closer = new PeriodCloser({
    db: d.db,
    clock: d.clock,
    events: d.events,
    defaultPlan: settings.defaultPlan,
    onChange: (tenantId) => meter.invalidate(tenantId),
  });

  const manual = new ManualBilling({
    db: d.db,
    clock: d.clock,
    logger: d.logger,
    events: d.events,
    plans,
    subscriptions,
    alerts: () => d.alerts ?? null,
    tenantName: async (tenantId) => (await d.tenants.get(tenantId)).name,
    operatorPlan: settings.operatorPlan,
  });

  /** The seed's subscription reply: plan, status, period, effective limits and usage. */
  async function subscriptionView(tenantId: string) {
    const sub = await subscriptions.get(tenantId);
    const plan = await plans.get(sub.plan_id);
    const { limits } = await meter.effective(tenantId);
    const used = await meter.current(tenantId);
    const usage: Record<string, number> = {};
    for (const metric of new Set([...Object.keys(limits), ...d.metrics.keys()])) usage[usageKeyOf(metric, d.metrics.get(metric))] = used[metric] ?? 0;
    return {
      plan_id: sub.plan_id,
      display_name: plan.display_name,
      status: sub.status,
      billing_cycle: sub.billing_cycle,
      current_period_start: sub.current_period_start,
      current_period_end: sub.current_period_end,
      cancel_at_period_end: sub.cancel_at_period_end,
      provider: sub.provider,
      // Beside the seed: the last day covered by a payment the operator recorded (null: none).
      paid_through: sub.paid_through,
      // Beside the seed, for the admin UI: the payment provider configured on this server (null: none,
      // an administrator assigns plans), and the limits that no enabled plugin meters (listed, never counted).
      payment_provider: stripe.configured ? ('stripe' as const) : null,
      unmetered: Object.keys(limits)
        .filter((metric) => !d.metrics.has(metric))
        .sort(),
      limits,
      usage,
    };
  }

  /**
   * GET /usage/current: each metric an enabled plugin meters or the plan limits, with what is used,
   * its limit and what remains, and (beside the seed, for the admin UI) what it counts: a `gauge`
   * counts what exists now, a `counter` what was used in its `period`; kind null: nothing meters it.
   */
  async function usageView(tenantId: string) {
    const [{ limits, plan_id }, used] = await Promise.all([meter.effective(tenantId), meter.current(tenantId)]);
    return {
      plan_id,
      period: meter.currentMonth(),
      metrics: [...new Set([...d.metrics.keys(), ...Object.keys(limits)])].sort().map((metric) => {
        const limit = limits[metric] ?? null;
        const value = used[metric] ?? 0;
        const spec = d.metrics.get(metric);
        return {
          metric,
          used: value,
          limit,
          remaining: limit === null ? null : Math.max(0, limit - value),
          kind: spec?.kind ?? null,
          period: spec?.kind === 'counter' ? (spec.period ?? 'month') : null,
          unit: spec?.unit ?? null,
        };
      }),
    };
  }

  /** Replaces a tenant's limit overrides (an empty map removes them). */
  async function setOverrides(tenantId: string, limits: Record<string, number | null>) {
    await d.db.transaction(async (trx) => {
      await trx('billing_limit_overrides').where('tenant_id', tenantId).delete();
      const now = d.clock.now().toISOString();
      const rows = Object.entries(limits).map(([metric, value]) => ({ tenant_id: tenantId, metric, value, updated_at: now }));
      if (rows.length) await trx('billing_limit_overrides').insert(rows);
    });
    await meter.invalidate(tenantId);
    return meter.effective(tenantId);
  }

  /** The `entitlements` service: a tenant's plan features, cached with its limits (and dropped with them). */
  const entitlements: Entitlements = {
    async grant(tenantId) {
      const { plan_id, features } = await meter.effective(tenantId);
      return { plan: plan_id, features };
    },
  };

  /** Checkout sells customer plans only: the operator plan is internal. */
  function assertPurchasable(planId: string): void {
    if (planId === settings.operatorPlan) throw BillingErrors.operatorPlanNotForSale(planId);
  }

  /** The `tenantPlans` contract (plugins/billing/api.ts): moving a tenant keeps its period when the plan is the same. */
  const tenantPlans: TenantPlans = {
    planOf: async (tenantId) => (await subscriptions.get(tenantId)).plan_id,
    checkAssign: (tenantId, planId) => subscriptions.checkAssign(tenantId, planId),
    async assign(tenantId, planId) {
      if ((await subscriptions.get(tenantId)).plan_id !== planId) await subscriptions.assign(tenantId, { plan_id: planId });
    },
  };

  const operatorPlan = settings.operatorPlan;
  return {
    plans,
    subscriptions,
    manual,
    meter,
    stripe,
    closer,
    entitlements,
    tenantPlans,
    subscriptionView,
    usageView,
    setOverrides,
    assertPurchasable,
    operatorPlan,
  };
}
