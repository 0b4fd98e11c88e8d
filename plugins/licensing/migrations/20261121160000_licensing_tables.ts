import type { Knex } from 'knex';

const TS = 24;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('licensing_licenses', (t) => {
    t.increments('id').primary();
    t.string('license_id', 16).notNullable().unique(); // LIC-XXXXXXXX
    t.string('tenant_id', 64).notNullable();
    t.string('product', 40).notNullable().defaultTo('default');
    t.string('activation_code', 32).notNullable().unique();
    t.string('email', 320).nullable();
    t.string('plan', 16).notNullable(); // monthly | yearly | lifetime | custom
    t.integer('device_cap').notNullable();
    t.integer('active_devices').notNullable().defaultTo(0); // kept with the device rows, in one transaction
    t.string('issued_at', TS).notNullable();
    t.string('valid_until', TS).nullable(); // null: never expires
    t.string('user_hint', 500).nullable();
    t.string('status', 16).notNullable().defaultTo('active'); // active | revoked | expired | disabled
    t.string('status_reason', 500).nullable();
    t.bigInteger('price').nullable(); // minor units
    t.string('currency', 3).nullable();
    t.string('bound_user_id', 64).nullable();
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
    t.index(['tenant_id', 'status', 'id']);
    t.index(['status', 'valid_until']);
  });
  await knex.schema.createTable('licensing_devices', (t) => {
    t.increments('id').primary();
    t.integer('license_pk').notNullable().references('id').inTable('licensing_licenses').onDelete('CASCADE');
    t.string('device_id', 200).notNullable();
    t.string('device_name', 200).nullable();
    t.string('ip_address', 64).nullable();
    t.string('status', 16).notNullable().defaultTo('active'); // active | deactivated
    t.string('first_seen_at', TS).notNullable();
    t.string('last_seen_at', TS).notNullable();
    t.string('deactivated_at', TS).nullable();
    t.unique(['license_pk', 'device_id']);
  });
}
