import type { Knex } from 'knex';

const TS = 24;

/**
 * Billing without Stripe: payments an operator records by hand (bank transfer, cash…) with the
 * period they cover, the date a tenant has paid through, and a customer's requests for another plan.
 * At most one open request per tenant, held by a partial unique index (SQLite and PostgreSQL), so two
 * requests sent at once cannot both be open.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('billing_subscriptions', (t) => {
    t.string('paid_through', 10).nullable(); // YYYY-MM-DD, the last day covered by a recorded payment
  });
  await knex.schema.createTable('billing_payments', (t) => {
    t.string('id', 36).primary();
    t.string('tenant_id', 64).notNullable();
    t.bigInteger('amount').notNullable(); // minor units
    t.string('currency', 3).notNullable();
    t.string('method', 32).notNullable();
    t.string('reference', 200).nullable();
    t.string('note', 1000).nullable();
    t.string('period_start', 10).notNullable();
    t.string('period_end', 10).notNullable();
    t.string('plan_id', 64).nullable(); // the plan the tenant was on when it was recorded
    t.string('recorded_by', 64).nullable();
    t.string('created_at', TS).notNullable();
    t.index(['tenant_id', 'created_at']);
  });
  await knex.schema.createTable('billing_plan_requests', (t) => {
    t.string('id', 36).primary();
    t.string('tenant_id', 64).notNullable();
    t.string('status', 16).notNullable(); // open | approved | declined | withdrawn
    t.string('from_plan_id', 64).notNullable();
    t.string('plan_id', 64).notNullable();
    t.string('billing_cycle', 8).nullable();
    t.string('message', 1000).nullable();
    t.string('reason', 500).nullable(); // why it was declined
    t.string('requested_by', 64).nullable();
    t.string('resolved_by', 64).nullable();
    t.string('created_at', TS).notNullable();
    t.string('resolved_at', TS).nullable();
    t.index(['tenant_id', 'created_at']);
    t.index(['status']);
  });
  await knex.raw("CREATE UNIQUE INDEX billing_plan_requests_one_open ON billing_plan_requests (tenant_id) WHERE status = 'open'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('billing_plan_requests');
  await knex.schema.dropTable('billing_payments');
  await knex.schema.alterTable('billing_subscriptions', (t) => {
    t.dropColumn('paid_through');
  });
}
