import type { Knex } from 'knex';

/** Each running instance and when it was last seen: what `plinth restore` checks before it replaces the database. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_instances', (t) => {
    t.string('id', 36).primary();
    t.string('host', 255).notNullable();
    t.integer('pid').notNullable();
    t.string('version', 50).notNullable();
    t.string('started_at', 30).notNullable();
    t.string('seen_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('core_instances');
}
