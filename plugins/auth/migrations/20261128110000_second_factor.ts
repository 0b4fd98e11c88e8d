import type { Knex } from 'knex';

const TS = 24;

/**
 * The second factor (TOTP, RFC 6238): one authenticator per user, its recovery codes, and the
 * challenges of sign-ins waiting for a code.
 *
 * - `auth_mfa_totp`: the shared secret (base32, kept as is: the server must compute codes from it;
 *   the platform has no secrets-encryption key, see the README), confirmed once a code from the app
 *   came back, and the last time step accepted (a code is refused for its step, or an older one,
 *   once one was accepted: no replay within the 30 s window).
 * - `auth_mfa_recovery_codes`: ten single-use codes, stored as SHA-256.
 * - `auth_mfa_challenges`: a sign-in that passed its first step (password, link, SMS code) and
 *   waits for the code: short-lived, single use, stored as SHA-256, bound to its user and to the
 *   kind of session it opens.
 * - `auth_users.mfa_enabled`: the user has a confirmed factor (on the authentication hot path with
 *   the user's cached row, for the policy).
 * - `auth_sessions.second_factor`: how the session's second step was met (totp, recovery_code,
 *   passkey), null for a session of a user without one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_mfa_totp', (t) => {
    t.string('user_id', 36).primary().references('id').inTable('auth_users').onDelete('CASCADE');
    t.string('secret', 64).notNullable();
    t.string('confirmed_at', TS).nullable();
    t.bigInteger('last_step').nullable();
    t.string('created_at', TS).notNullable();
  });
  await knex.schema.createTable('auth_mfa_recovery_codes', (t) => {
    t.increments('id').primary();
    t.string('user_id', 36).notNullable().references('id').inTable('auth_users').onDelete('CASCADE');
    t.string('code_hash', 64).notNullable().unique();
    t.string('used_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.index(['user_id']);
  });
  await knex.schema.createTable('auth_mfa_challenges', (t) => {
    t.increments('id').primary();
    t.string('token_hash', 64).notNullable().unique();
    t.string('user_id', 36).notNullable().references('id').inTable('auth_users').onDelete('CASCADE');
    t.string('kind', 16).notNullable(); // api | ui: the session it opens
    t.string('method', 32).notNullable(); // the first step: password, magic_link, sms…
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('ip', 64).nullable();
    t.string('user_agent', 512).nullable();
    t.string('expires_at', TS).notNullable();
    t.string('used_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.index(['user_id']);
    t.index(['expires_at']);
  });
  await knex.schema.alterTable('auth_users', (t) => {
    t.boolean('mfa_enabled').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('auth_sessions', (t) => {
    t.string('second_factor', 16).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('auth_sessions', (t) => t.dropColumn('second_factor'));
  await knex.schema.alterTable('auth_users', (t) => t.dropColumn('mfa_enabled'));
  await knex.schema.dropTableIfExists('auth_mfa_challenges');
  await knex.schema.dropTableIfExists('auth_mfa_recovery_codes');
  await knex.schema.dropTableIfExists('auth_mfa_totp');
}
