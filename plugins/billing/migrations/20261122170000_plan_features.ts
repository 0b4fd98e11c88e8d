import type { Knex } from 'knex';
import { OPERATOR_PLAN } from '../config.js';

/**
 * Plans carry features (a JSON list of names; null = every feature, which existing plans keep).
 * An existing install's operator tenant (auth's platform tenant) moves to the internal `operator`
 * plan once, here, unless it pays through Stripe; afterwards the operator's choice stands.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('billing_plans', (t) => {
    t.text('features').nullable();
  });
  const operator = await knex('auth_tenants').where('is_platform', true).first('id');
  if (!operator) return; // a fresh install: the plan is seeded at start and the tenant created on it
  const now = new Date().toISOString();
  const { features, ...plan } = OPERATOR_PLAN;
  await knex('billing_plans')
    .insert({
      ...plan,
      description: plan.description ?? '',
      sort_order: plan.sort_order ?? 0,
      limits: JSON.stringify(plan.limits),
      features: features ? JSON.stringify(features) : null,
      created_at: now,
      updated_at: now,
    })
    .onConflict('id')
    .ignore();
  await knex('billing_subscriptions').where({ tenant_id: operator.id, provider: 'manual' }).update({ plan_id: OPERATOR_PLAN.id, updated_at: now });
}
