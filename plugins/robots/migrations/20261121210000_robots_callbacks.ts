import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // A robot's third-party callbacks. The secret signs deliveries, so it is kept (not hashed),
  // and never returned by the API.
  await knex.schema.createTable('robots_callbacks', (t) => {
    t.integer('robot_pk').primary().references('id').inTable('robots_robots').onDelete('CASCADE');
    t.string('message_url', 2000).nullable();
    t.string('result_url', 2000).nullable();
    t.boolean('enable_signature').notNullable().defaultTo(true);
    t.string('secret', 200).nullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.string('disabled_reason', 200).nullable();
    t.string('updated_at', 24).notNullable();
  });
  await knex.schema.createTable('robots_callback_deliveries', (t) => {
    t.increments('id').primary();
    t.integer('robot_pk').notNullable().references('id').inTable('robots_robots').onDelete('CASCADE');
    t.integer('event_id').notNullable();
    t.string('kind', 16).notNullable(); // message | result
    t.string('url', 2000).notNullable();
    t.string('status', 16).notNullable(); // delivered | failed | refused | gone
    t.integer('response_status').nullable();
    t.text('error').nullable();
    t.string('created_at', 24).notNullable();
    t.index(['robot_pk', 'id']);
  });
}
