import type { Knex } from 'knex';

/**
 * A user may be held to fewer scopes than their role gives (a JSON array; null = the role's).
 * Phone users of the WorkBot app join the operator's tenant as members, and a member there would
 * otherwise read its billing, make mailboxes on the unlimited operator plan and mint API keys.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('auth_users', (t) => {
    t.text('scope_limit').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('auth_users', (t) => {
    t.dropColumn('scope_limit');
  });
}
