import type { Knex } from 'knex';

/**
 * Accounts that registered while `settings.auth.registration` was `verify` must follow the
 * emailed link before they may sign in. A flag, not "email_verified_at is null": users who were
 * created before (or by the operator) are not locked out by switching the setting on.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('auth_users', (t) => {
    t.boolean('must_verify_email').notNullable().defaultTo(false);
  });
}
