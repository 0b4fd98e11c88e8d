import type { Knex } from 'knex';

/** The Ed25519 key that signs license files, shared by every instance (see services/signing-key.ts). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('licensing_signing_keys', (t) => {
    t.string('id', 16).primary();
    t.text('public_key').notNullable(); // SPKI PEM
    t.text('private_key').nullable(); // PKCS#8 PEM; null when a key file holds it (settings.licensing.keyFile)
    t.string('source', 16).notNullable(); // generated | key_file | legacy_file
    t.string('created_at', 24).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('licensing_signing_keys');
}
