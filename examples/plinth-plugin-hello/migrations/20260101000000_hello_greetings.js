// Tables are named after the plugin (hello_…); migrations are recorded as
// hello/<file> and run by Plinth's migrate.
/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('hello_greetings', (t) => {
    t.increments('id').primary();
    t.string('tenant_id', 64).notNullable();
    t.string('recipient', 100).notNullable();
    t.string('text', 300).notNullable();
    t.string('created_at', 24).notNullable();
    t.index(['tenant_id', 'id']);
  });
}
