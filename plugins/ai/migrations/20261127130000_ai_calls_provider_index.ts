import type { Knex } from 'knex';

/** The `ai.failover` alert counts a provider's recent failures (services/failover-alert.ts) by these. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ai_calls', (t) => {
    t.index(['provider', 'created_at'], 'ai_calls_provider_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ai_calls', (t) => {
    t.dropIndex(['provider', 'created_at'], 'ai_calls_provider_idx');
  });
}
