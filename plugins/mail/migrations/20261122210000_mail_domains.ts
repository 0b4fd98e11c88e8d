import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Domains an operator adds at run time, beside the ones in config/env (which stay read-only).
  // Every instance reads this table, so a domain added on one is accepted by all at once.
  await knex.schema.createTable('mail_domains', (t) => {
    t.increments('id').primary();
    t.string('name', 253).notNullable().unique(); // lower-case ASCII (IDN as punycode)
    t.string('tenant_id', 64).nullable(); // null: offered to every tenant
    t.integer('mailbox_hours').nullable(); // null: settings.mail.mailboxLifetimeHours
    t.string('created_at', 24).notNullable();
    t.index(['tenant_id']);
  });
  // Mailboxes per domain: the admin list's counts and the check before a domain is removed.
  await knex.schema.alterTable('mail_mailboxes', (t) => {
    t.index(['domain']);
  });
}
