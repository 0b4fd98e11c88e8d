import type { Knex } from 'knex';

const TS = 24;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_sent', (t) => {
    t.increments('id').primary();
    t.string('public_id', 40).notNullable().unique(); // the seed's "resend_id"
    t.string('tenant_id', 64).nullable();
    t.string('user_id', 64).notNullable();
    t.integer('mailbox_id').nullable().references('id').inTable('mail_mailboxes').onDelete('SET NULL');
    t.string('from_addr', 320).notNullable();
    t.string('from_name', 200).nullable();
    t.text('recipients').notNullable(); // JSON array
    t.string('subject', 998).notNullable();
    t.text('html_content').nullable();
    t.text('text_content').nullable();
    t.string('status', 16).notNullable(); // scheduled | sending | sent | failed | canceled
    t.string('scheduled_at', TS).nullable();
    t.string('sent_at', TS).nullable();
    t.text('error').nullable();
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
    t.index(['mailbox_id', 'id']);
    t.index(['status', 'scheduled_at']);
  });
  // Per-user mail rights (the seed's users): how many mailboxes, and whether they may send.
  await knex.schema.createTable('mail_user_settings', (t) => {
    t.string('user_id', 64).primary();
    t.string('tenant_id', 64).nullable();
    t.integer('mailbox_limit').notNullable().defaultTo(10);
    t.boolean('can_send').notNullable().defaultTo(false);
    t.string('updated_at', TS).notNullable();
  });
}
