import type { Knex } from 'knex';

/**
 * Sessions a user can tell apart and end (issue 38): when each was last used (written at most once
 * a minute, see Principals.touchSession), beside the address and user agent stored at sign-in. And a
 * flag for a user whose password was not chosen by them (the first start's generated one): the admin
 * UI asks them to set their own before anything else.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('auth_sessions', (t) => {
    t.string('last_used_at', 24).nullable();
  });
  await knex.schema.alterTable('auth_users', (t) => {
    t.boolean('must_change_password').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('auth_users', (t) => {
    t.dropColumn('must_change_password');
  });
  await knex.schema.alterTable('auth_sessions', (t) => {
    t.dropColumn('last_used_at');
  });
}
