import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // A destructive tool's confirmation: issued with a preview, spent once by the call that carries it.
  // In the database (not memory) so the preview on one instance is confirmed on another.
  await knex.schema.createTable('agents_confirmations', (t) => {
    t.string('token_hash', 64).primary();
    t.string('tenant_id', 64).notNullable();
    t.string('key_id', 64).notNullable();
    t.string('tool', 80).notNullable();
    t.string('args_digest', 64).notNullable();
    t.string('expires_at', 24).notNullable();
    t.string('used_at', 24).nullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('agents_confirmations');
}
