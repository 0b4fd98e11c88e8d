import type { Knex } from 'knex';

/**
 * A reported message's file lives in the database beside the message (as raw mail does), written
 * in the message's transaction, so every instance can serve it. Files written to one instance's
 * disk before keep their `file_path` and are served from there.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('robots_message_files', (t) => {
    t.string('message_id', 64).primary().references('message_id').inTable('robots_messages').onDelete('CASCADE');
    t.string('tenant_id', 64).notNullable();
    t.binary('bytes').notNullable();
    t.integer('size').notNullable();
    t.string('created_at', 30).notNullable();
  });
  await knex.schema.alterTable('robots_messages', (t) => {
    t.boolean('has_file').notNullable().defaultTo(false);
  });
  await knex('robots_messages').whereNotNull('file_path').update({ has_file: true });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('robots_messages', (t) => {
    t.dropColumn('has_file');
  });
  await knex.schema.dropTable('robots_message_files');
}
