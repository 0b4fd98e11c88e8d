import type { Knex } from 'knex';

/** Facts of the deployment every instance must read alike (its id, which namespaces Redis). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_kv', (t) => {
    t.string('key', 100).primary();
    t.text('value').notNullable();
    t.string('created_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('core_kv');
}
