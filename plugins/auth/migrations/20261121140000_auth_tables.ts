import type { Knex } from 'knex';

const TS = 24;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_tenants', (t) => {
    t.string('id', 36).primary();
    t.string('name', 200).notNullable();
    t.string('status', 16).notNullable().defaultTo('active'); // active | suspended
    t.boolean('is_platform').notNullable().defaultTo(false);
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
    t.index(['created_at']);
  });
  await knex.schema.createTable('auth_tenant_settings', (t) => {
    t.string('tenant_id', 36).primary().references('id').inTable('auth_tenants').onDelete('CASCADE');
    t.text('allowed_numbers').notNullable().defaultTo('[]');
    t.boolean('require_approval').notNullable().defaultTo(false);
    t.boolean('ai_consent_enabled').notNullable().defaultTo(false);
    t.string('updated_at', TS).notNullable();
  });
  await knex.schema.createTable('auth_users', (t) => {
    t.string('id', 36).primary();
    t.string('tenant_id', 36).notNullable().references('id').inTable('auth_tenants').onDelete('CASCADE');
    t.string('email', 320).nullable().unique();
    t.string('phone', 32).nullable().unique();
    t.string('username', 64).nullable().unique();
    t.string('full_name', 200).notNullable().defaultTo('');
    t.text('password_hash').nullable();
    t.string('role', 16).notNullable(); // owner | admin | member
    t.boolean('is_superadmin').notNullable().defaultTo(false);
    t.string('status', 16).notNullable().defaultTo('active'); // active | suspended
    t.string('email_verified_at', TS).nullable();
    t.string('last_login_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
    t.index(['tenant_id', 'created_at']);
  });
  await knex.schema.createTable('auth_consents', (t) => {
    t.increments('id').primary();
    t.string('tenant_id', 36).notNullable().references('id').inTable('auth_tenants').onDelete('CASCADE');
    t.string('user_id', 36).nullable();
    t.string('type', 40).notNullable();
    t.string('version', 16).notNullable();
    t.boolean('granted').notNullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 512).nullable();
    t.string('created_at', TS).notNullable();
    t.index(['tenant_id', 'created_at']);
  });
  // A session is one login: its refresh tokens form a family that rotates; revoking the
  // session ends the family and every access token that names it (sid claim).
  await knex.schema.createTable('auth_sessions', (t) => {
    t.string('id', 36).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('auth_users').onDelete('CASCADE');
    t.string('kind', 16).notNullable(); // api | ui
    t.string('ip', 64).nullable();
    t.string('user_agent', 512).nullable();
    t.string('created_at', TS).notNullable();
    t.string('expires_at', TS).notNullable(); // absolute lifetime
    t.string('revoked_at', TS).nullable();
    t.string('revoked_reason', 40).nullable();
    t.index(['user_id']);
  });
  await knex.schema.createTable('auth_refresh_tokens', (t) => {
    t.increments('id').primary();
    t.string('session_id', 36).notNullable().references('id').inTable('auth_sessions').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.string('expires_at', TS).notNullable();
    t.string('used_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.index(['session_id']);
  });
  await knex.schema.createTable('auth_one_time_tokens', (t) => {
    t.increments('id').primary();
    t.string('user_id', 36).notNullable().references('id').inTable('auth_users').onDelete('CASCADE');
    t.string('purpose', 24).notNullable(); // magic_link | password_reset | email_verification
    t.string('token_hash', 64).notNullable().unique();
    t.string('email', 320).nullable(); // the address being verified
    t.string('expires_at', TS).notNullable();
    t.string('used_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.index(['user_id', 'purpose', 'created_at']);
  });
  await knex.schema.createTable('auth_api_keys', (t) => {
    t.string('id', 36).primary();
    t.string('tenant_id', 36).notNullable().references('id').inTable('auth_tenants').onDelete('CASCADE');
    t.string('user_id', 36).notNullable().references('id').inTable('auth_users').onDelete('CASCADE');
    t.string('name', 120).notNullable();
    t.string('key_prefix', 16).notNullable();
    t.string('key_hash', 64).notNullable().unique();
    t.text('scopes').notNullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.string('expires_at', TS).nullable();
    t.string('last_used_at', TS).nullable();
    t.string('revoked_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
    t.index(['tenant_id', 'created_at']);
  });
  await knex.schema.createTable('auth_audit_logs', (t) => {
    t.increments('id').primary();
    t.string('tenant_id', 36).nullable();
    t.string('actor_type', 16).notNullable(); // user | api_key | root | system | anonymous
    t.string('actor_id', 64).nullable();
    t.string('actor_label', 320).nullable();
    t.string('action', 80).notNullable();
    t.string('target_type', 40).nullable();
    t.string('target_id', 64).nullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 512).nullable();
    t.text('details').nullable();
    t.string('created_at', TS).notNullable();
    t.index(['created_at']);
    t.index(['actor_id', 'created_at']);
    t.index(['action', 'created_at']);
    t.index(['target_id', 'created_at']);
    t.index(['tenant_id', 'created_at']);
  });
  await knex.schema.createTable('auth_sms_codes', (t) => {
    t.increments('id').primary();
    t.string('phone', 32).notNullable();
    t.string('purpose', 24).notNullable();
    t.string('code_hash', 64).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('expires_at', TS).notNullable();
    t.string('used_at', TS).nullable();
    t.string('ip', 64).nullable();
    t.string('created_at', TS).notNullable();
    t.index(['phone', 'purpose', 'created_at']);
  });
  await knex.schema.createTable('auth_sms_outbox', (t) => {
    t.increments('id').primary();
    t.string('phone', 32).notNullable();
    t.text('body').notNullable();
    t.string('provider', 16).notNullable();
    t.string('status', 16).notNullable(); // stored | sent | failed
    t.text('error').nullable();
    t.string('created_at', TS).notNullable();
    t.index(['phone', 'created_at']);
  });
  await knex.schema.createTable('auth_signing_keys', (t) => {
    t.string('id', 36).primary();
    t.text('secret').notNullable();
    t.string('created_at', TS).notNullable();
  });
}
