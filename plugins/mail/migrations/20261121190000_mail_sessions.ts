import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Sessions of the temp-mail face's own principals: a mailbox signed in with its password, or the guest.
  await knex.schema.createTable('mail_sessions', (t) => {
    t.increments('id').primary();
    t.string('token_hash', 64).notNullable().unique();
    t.string('kind', 16).notNullable(); // mailbox | guest
    t.integer('mailbox_id').nullable().references('id').inTable('mail_mailboxes').onDelete('CASCADE');
    t.string('expires_at', 24).notNullable();
    t.string('created_at', 24).notNullable();
  });
}
