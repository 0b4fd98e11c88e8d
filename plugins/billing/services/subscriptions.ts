import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import { periodContaining } from './periods.js';
import type { Plans } from './plans.js';
import { BillingErrors } from './errors.js';

export type Status = 'active' | 'trialing' | 'past_due' | 'canceled';
export type Cycle = 'monthly' | 'yearly';

export interface Subscription {
  tenant_id: string;
  plan_id: string;
  status: Status;
  billing_cycle: Cycle;
  provider: 'manual' | 'stripe';
  current_period_start: string;
  current_period_end: string;
  cancel_at_period_end: boolean;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
  stripe_event_created: number | null;
  stripe_invoice_event_created: number | null;
  /** The last day (YYYY-MM-DD) covered by a payment the operator recorded; null: none recorded. */
  paid_through: string | null;
}

type Db = Knex | Knex.Transaction;

const toSubscription = (r: Record<string, any>): Subscription => ({
  ...(r as Subscription),
  cancel_at_period_end: Boolean(r.cancel_at_period_end),
  stripe_event_created: r.stripe_event_created === null ? null : Number(r.stripe_event_created),
  stripe_invoice_event_created: r.stripe_invoice_event_created == null ? null : Number(r.stripe_invoice_event_created),
  paid_through: r.paid_through ?? null,
});

/**
 * One subscription per tenant; a tenant without one is on its starting plan (the default plan, or
 * the operator plan for the operator tenant); the row appears on first use.
 */
/** Every billing table with a tenant's rows. */
const TENANT_TABLES = [
  'billing_usage',
  'billing_usage_alerts',
  'billing_limit_overrides',
  'billing_payments',
  'billing_plan_requests',
  'billing_subscriptions',
];

/** What Subscriptions is built from, passed by name. */
export interface SubscriptionsDeps {
  db: Knex;
  clock: Clock;
  events: EventBus;
  plans: Plans;
  /** The plan a tenant's subscription row starts on when it is first needed. */
  startingPlan: (tenantId: string, trx: Db) => Promise<string>;
  onChange: (tenantId: string) => Promise<void>;
}

export class Subscriptions {
  constructor(private readonly deps: SubscriptionsDeps) {}

  /** A deleted tenant's billing rows (subscription, usage, alerts, overrides) go with it, in one commit. */
  async forgetTenant(tenantId: string): Promise<void> {
    await this.deps.db.transaction(async (trx) => {
      for (const table of TENANT_TABLES) await trx(table).where('tenant_id', tenantId).delete();
    });
  }

  async get(tenantId: string, trx: Db = this.deps.db): Promise<Subscription> {
    const row = await trx('billing_subscriptions').where('tenant_id', tenantId).first();
    if (row) return toSubscription(row);
    const now = this.deps.clock.now();
    const period = periodContaining(now, 'monthly');
    await trx('billing_subscriptions')
      .insert({
        tenant_id: tenantId,
        plan_id: await this.deps.startingPlan(tenantId, trx),
        status: 'active',
        billing_cycle: 'monthly',
        provider: 'manual',
        current_period_start: period.start.toISOString(),
        current_period_end: period.end.toISOString(),
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .onConflict('tenant_id')
      .ignore();
    return toSubscription(await trx('billing_subscriptions').where('tenant_id', tenantId).first());
  }

  /** The subscription that a Stripe customer belongs to; pass the open transaction (SQLite has one connection). */
  async byStripeCustomer(customerId: string, trx: Db = this.deps.db): Promise<Subscription | undefined> {
    const row = await trx('billing_subscriptions').where('stripe_customer_id', customerId).first();
    return row ? toSubscription(row) : undefined;
  }

  /** Tells the rest of billing (limits caches, other instances) that a tenant's subscription changed. */
  changed(tenantId: string): Promise<void> {
    return this.deps.onChange(tenantId);
  }

  /**
   * Changes the plan, cycle or status and reports it; `trx` keeps it atomic with a webhook's
   * idempotency row. With `trx`, the caller calls `changed()` once it has committed (a cache
   * dropped before the commit could be refilled with the old plan by a concurrent read).
   */
  async change(tenantId: string, patch: Partial<Omit<Subscription, 'tenant_id'>>, trx?: Knex.Transaction): Promise<Subscription> {
    const run = async (t: Knex.Transaction) => {
      const before = await this.get(tenantId, t);
      if (patch.plan_id && patch.plan_id !== before.plan_id) await this.deps.plans.get(patch.plan_id, t);
      await t('billing_subscriptions')
        .where('tenant_id', tenantId)
        .update({ ...patch, updated_at: this.deps.clock.now().toISOString() });
      const after = await this.get(tenantId, t);
      if (
        after.plan_id !== before.plan_id ||
        after.status !== before.status ||
        after.billing_cycle !== before.billing_cycle ||
        after.cancel_at_period_end !== before.cancel_at_period_end
      ) {
        await this.deps.events.emit(
          t,
          'billing.subscription.changed',
          {
            tenant_id: tenantId,
            plan_id: after.plan_id,
            previous_plan_id: before.plan_id,
            status: after.status,
            billing_cycle: after.billing_cycle,
            cancel_at_period_end: after.cancel_at_period_end,
          },
          { tenantId },
        );
      }
      return after;
    };
    if (trx) return run(trx);
    const result = await this.deps.db.transaction(run);
    await this.deps.onChange(tenantId);
    return result;
  }

  /** 409 for a tenant paying through Stripe: its plan changes there, not here. */
  private assertManual(current: Subscription): void {
    if (current.provider === 'stripe' && current.stripe_subscription_id && current.status !== 'canceled') {
      throw BillingErrors.managedByStripe();
    }
  }

  /** Throws what `assign` would for this plan (unknown plan 404, Stripe-managed 409), changing nothing. */
  async checkAssign(tenantId: string, planId: string): Promise<void> {
    await this.deps.plans.get(planId);
    const current = await this.get(tenantId);
    if (current.plan_id !== planId) this.assertManual(current);
  }

  /**
   * An admin puts a tenant on a plan (the manual provider), starting a fresh period. With `trx` (an
   * approved plan-change request closes in the same commit) the caller calls `changed()` after it.
   */
  async assign(tenantId: string, input: { plan_id: string; billing_cycle?: Cycle; status?: Status }, trx?: Knex.Transaction): Promise<Subscription> {
    const current = await this.get(tenantId, trx);
    this.assertManual(current);
    const cycle = input.billing_cycle ?? current.billing_cycle;
    const period = periodContaining(this.deps.clock.now(), cycle);
    return this.change(
      tenantId,
      {
        plan_id: input.plan_id,
        billing_cycle: cycle,
        status: input.status ?? 'active',
        provider: 'manual',
        cancel_at_period_end: false,
        current_period_start: period.start.toISOString(),
        current_period_end: period.end.toISOString(),
      },
      trx,
    );
  }
}
