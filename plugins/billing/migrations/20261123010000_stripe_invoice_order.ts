import type { Knex } from 'knex';

/**
 * Stripe events are ordered per Stripe object: a subscription's own updates by
 * `stripe_event_created`, its invoices by their own column, so a newer invoice event no longer
 * makes an older subscription update look stale (or the other way round).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('billing_subscriptions', (t) => {
    t.bigInteger('stripe_invoice_event_created').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('billing_subscriptions', (t) => {
    t.dropColumn('stripe_invoice_event_created');
  });
}
