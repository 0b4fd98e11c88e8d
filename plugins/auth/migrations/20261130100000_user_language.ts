import type { Knex } from 'knex';

/**
 * The language a user reads (issue 40): the admin UI speaks it and their mails are written in it.
 * Null: no choice made, so the UI follows the browser and mails the server's default.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('auth_users', (t) => {
    t.string('language', 16).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('auth_users', (t) => {
    t.dropColumn('language');
  });
}
