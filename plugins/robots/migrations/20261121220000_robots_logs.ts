import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The seed's system log (section 9): API errors and security events of this plugin.
  await knex.schema.createTable('robots_logs', (t) => {
    t.increments('id').primary();
    t.string('tenant_id', 64).nullable(); // null: not attributable to a tenant (e.g. an unknown code)
    t.string('type', 32).notNullable(); // api_error | security
    t.string('level', 8).notNullable(); // info | warn | error
    t.string('message', 1000).notNullable();
    t.text('details').nullable(); // JSON
    t.string('ip', 64).nullable();
    t.string('created_at', 24).notNullable();
    t.index(['tenant_id', 'id']);
    t.index(['type', 'level', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('robots_logs');
}
