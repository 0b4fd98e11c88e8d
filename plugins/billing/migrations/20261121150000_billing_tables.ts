import type { Knex } from 'knex';

const TS = 24;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('billing_plans', (t) => {
    t.string('id', 64).primary();
    t.string('display_name', 120).notNullable();
    t.string('description', 500).notNullable().defaultTo('');
    t.bigInteger('price_monthly').notNullable().defaultTo(0); // minor units
    t.bigInteger('price_yearly').notNullable().defaultTo(0);
    t.string('currency', 3).notNullable().defaultTo('usd');
    t.boolean('is_public').notNullable().defaultTo(true);
    t.integer('sort_order').notNullable().defaultTo(0);
    t.text('limits').notNullable().defaultTo('{}'); // { metric: number | null (unlimited) }
    t.string('stripe_product_id', 255).nullable();
    t.string('stripe_price_monthly', 255).nullable();
    t.string('stripe_price_yearly', 255).nullable();
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
  });
  await knex.schema.createTable('billing_subscriptions', (t) => {
    t.string('tenant_id', 64).primary();
    t.string('plan_id', 64).notNullable().references('id').inTable('billing_plans');
    t.string('status', 16).notNullable(); // active | trialing | past_due | canceled
    t.string('billing_cycle', 8).notNullable(); // monthly | yearly
    t.string('provider', 16).notNullable(); // manual | stripe
    t.string('current_period_start', TS).notNullable();
    t.string('current_period_end', TS).notNullable();
    t.boolean('cancel_at_period_end').notNullable().defaultTo(false);
    t.string('stripe_customer_id', 255).nullable().unique();
    t.string('stripe_subscription_id', 255).nullable().unique();
    t.bigInteger('stripe_event_created').nullable(); // the newest Stripe event applied, to ignore older ones
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
    t.index(['plan_id']);
    t.index(['provider', 'billing_cycle', 'current_period_end']);
  });
  await knex.schema.createTable('billing_limit_overrides', (t) => {
    t.string('tenant_id', 64).notNullable();
    t.string('metric', 64).notNullable();
    t.bigInteger('value').nullable(); // null = unlimited
    t.string('updated_at', TS).notNullable();
    t.primary(['tenant_id', 'metric']);
  });
  // One row per tenant, metric and period: 'YYYY-MM' (monthly counters), 'YYYY-MM-DD' (daily
  // counters, and the daily breakdown of monthly ones), '-' (gauges). History and daily views
  // read the same rows the limits are checked on.
  await knex.schema.createTable('billing_usage', (t) => {
    t.string('tenant_id', 64).notNullable();
    t.string('metric', 64).notNullable();
    t.string('period_key', 10).notNullable();
    t.bigInteger('used').notNullable().defaultTo(0);
    t.string('closed_at', TS).nullable();
    t.string('updated_at', TS).notNullable();
    t.primary(['tenant_id', 'metric', 'period_key']);
    t.index(['closed_at', 'period_key'], 'billing_usage_open_idx');
  });
  await knex.schema.createTable('billing_usage_alerts', (t) => {
    t.string('tenant_id', 64).notNullable();
    t.string('metric', 64).notNullable();
    t.string('period_key', 10).notNullable();
    t.integer('threshold').notNullable(); // 80 | 100
    t.string('created_at', TS).notNullable();
    t.primary(['tenant_id', 'metric', 'period_key', 'threshold']);
  });
  await knex.schema.createTable('billing_stripe_events', (t) => {
    t.string('id', 255).primary();
    t.string('type', 80).notNullable();
    t.bigInteger('created').notNullable();
    t.string('outcome', 16).notNullable(); // applied | ignored
    t.string('processed_at', TS).notNullable();
  });
}
