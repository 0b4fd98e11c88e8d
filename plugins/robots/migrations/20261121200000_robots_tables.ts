import type { Knex } from 'knex';

const TS = 24;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('robots_robots', (t) => {
    t.increments('id').primary();
    t.string('robot_id', 64).notNullable().unique(); // robot_<ms>_<random>
    t.string('robot_uuid', 36).notNullable().unique();
    t.string('tenant_id', 64).notNullable();
    t.string('user_id', 64).nullable();
    t.string('name', 200).notNullable();
    t.string('status', 16).notNullable().defaultTo('active'); // active | deleted
    t.text('ai').notNullable().defaultTo('{}'); // the seed's AI settings, validated
    t.integer('total_messages').notNullable().defaultTo(0);
    t.integer('ai_calls_today').notNullable().defaultTo(0);
    t.string('last_active_at', TS).nullable();
    t.text('device_info').nullable();
    t.string('license_id', 16).nullable().unique(); // the activation code's license (licensing engine)
    t.string('activation_code', 32).nullable();
    t.string('first_activated_at', TS).nullable();
    t.string('last_activated_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
    t.index(['tenant_id', 'status', 'id']);
  });
  await knex.schema.createTable('robots_tokens', (t) => {
    t.increments('id').primary();
    t.integer('robot_pk').notNullable().references('id').inTable('robots_robots').onDelete('CASCADE');
    t.string('kind', 8).notNullable(); // access | refresh
    t.string('token_hash', 64).notNullable().unique();
    t.string('expires_at', TS).notNullable();
    t.string('revoked_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.index(['robot_pk', 'kind']);
  });
  await knex.schema.createTable('robots_messages', (t) => {
    t.increments('id').primary();
    t.string('message_id', 64).notNullable().unique();
    t.integer('robot_pk').notNullable().references('id').inTable('robots_robots').onDelete('CASCADE');
    t.string('tenant_id', 64).notNullable();
    t.text('spoken').notNullable();
    t.text('raw_spoken').nullable();
    t.string('received_name', 200).nullable();
    t.string('group_name', 200).nullable();
    t.string('group_remark', 200).nullable();
    t.integer('room_type').nullable();
    t.boolean('at_me').notNullable().defaultTo(false);
    t.integer('text_type').nullable();
    t.string('file_path', 500).nullable(); // under the data dir; never the bytes in the row
    t.string('sent_at', TS).nullable(); // the app's timestamp
    t.string('created_at', TS).notNullable();
    t.index(['robot_pk', 'id']);
  });
  await knex.schema.createTable('robots_commands', (t) => {
    t.increments('id').primary();
    t.string('command_id', 64).notNullable().unique();
    t.integer('robot_pk').notNullable().references('id').inTable('robots_robots').onDelete('CASCADE');
    t.string('tenant_id', 64).notNullable();
    t.string('created_by', 64).nullable();
    t.string('command_type', 32).notNullable();
    t.text('params').notNullable();
    t.string('status', 16).notNullable(); // pending | sent | succeeded | failed | expired
    t.text('result').nullable();
    t.string('created_at', TS).notNullable();
    t.string('sent_at', TS).nullable();
    t.string('completed_at', TS).nullable();
    t.string('expires_at', TS).notNullable();
    t.index(['robot_pk', 'status', 'id']);
    t.index(['status', 'expires_at']);
  });
}
