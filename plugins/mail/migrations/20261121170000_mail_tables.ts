import type { Knex } from 'knex';

const TS = 24;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_mailboxes', (t) => {
    t.increments('id').primary();
    t.string('tenant_id', 64).nullable();
    t.string('owner_user_id', 64).nullable();
    t.string('address', 320).notNullable().unique(); // lower-case local@domain
    t.string('domain', 255).notNullable();
    t.text('password_hash').nullable();
    t.boolean('can_login').notNullable().defaultTo(false);
    t.boolean('is_pinned').notNullable().defaultTo(false);
    t.boolean('is_favorite').notNullable().defaultTo(false);
    t.string('forward_to', 320).nullable();
    t.string('expires_at', TS).nullable();
    t.string('last_received_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.index(['tenant_id', 'created_at']);
    t.index(['expires_at']);
  });
  await knex.schema.createTable('mail_emails', (t) => {
    t.increments('id').primary();
    t.integer('mailbox_id').notNullable().references('id').inTable('mail_mailboxes').onDelete('CASCADE');
    t.string('tenant_id', 64).nullable();
    t.string('message_id', 998).nullable();
    t.string('sender', 320).notNullable().defaultTo('');
    t.string('sender_name', 320).notNullable().defaultTo('');
    t.text('recipients').notNullable(); // JSON array
    t.string('subject', 998).notNullable().defaultTo('');
    t.string('preview', 400).notNullable().defaultTo('');
    t.text('text_content').nullable();
    t.text('html_content').nullable();
    t.string('verification_code', 16).nullable();
    t.text('attachments').notNullable().defaultTo('[]'); // JSON [{ filename, content_type, size, content_id }]
    t.integer('size').notNullable();
    t.boolean('is_read').notNullable().defaultTo(false);
    t.boolean('forwarded').notNullable().defaultTo(false);
    t.string('received_at', TS).notNullable();
    t.index(['mailbox_id', 'id']);
    t.index(['tenant_id', 'id']);
  });
  // The message exactly as received, byte for byte, in the same transaction as its row, so a
  // 250 (or a 2xx from /receive) always means both are on disk. Kept apart to keep lists light.
  await knex.schema.createTable('mail_raw', (t) => {
    t.integer('email_id').primary().references('id').inTable('mail_emails').onDelete('CASCADE');
    t.binary('raw').notNullable();
  });
}
