import type { Knex } from 'knex';

const TS = 24;

/**
 * Passkeys (WebAuthn credentials): several per user, each with its public key and signature
 * counter; and the challenges of the ceremonies under way, kept in the database (any instance may
 * answer the second request of a ceremony), short-lived, single use, stored as SHA-256 of the
 * challenge the browser signs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_passkeys', (t) => {
    t.string('id', 36).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('auth_users').onDelete('CASCADE');
    // base64url of the credential id the authenticator chose (at most 1023 bytes by the spec).
    t.string('credential_id', 1400).notNullable().unique();
    t.text('public_key').notNullable(); // base64url of the COSE key
    // An unsigned 32-bit counter (0 for authenticators that do not count).
    t.bigInteger('counter').notNullable().defaultTo(0);
    t.text('transports').notNullable().defaultTo('[]'); // JSON array
    t.string('device_type', 16).notNullable(); // singleDevice | multiDevice
    t.boolean('backed_up').notNullable().defaultTo(false);
    t.string('aaguid', 36).nullable();
    t.string('name', 100).notNullable();
    t.string('created_at', TS).notNullable();
    t.string('last_used_at', TS).nullable();
    t.index(['user_id', 'created_at']);
  });
  await knex.schema.createTable('auth_passkey_challenges', (t) => {
    t.string('challenge_hash', 64).primary();
    t.string('purpose', 16).notNullable(); // registration | sign_in
    // registration: who asked; sign_in by email: the account it is for (null when none has that email).
    t.string('user_id', 36).nullable().references('id').inTable('auth_users').onDelete('CASCADE');
    // sign_in: only a passkey of user_id answers it (asked by email); otherwise any discoverable one.
    t.boolean('for_user').notNullable().defaultTo(false);
    t.string('expires_at', TS).notNullable();
    t.string('created_at', TS).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('auth_passkey_challenges');
  await knex.schema.dropTableIfExists('auth_passkeys');
}
