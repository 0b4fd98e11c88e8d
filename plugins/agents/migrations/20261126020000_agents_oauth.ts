import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The OAuth authorization server's state (oidc-provider's models: clients, grants, codes, tokens,
  // interactions), one row each, in the database so that any instance behind the load balancer
  // answers the token request that another instance's authorization started.
  await knex.schema.createTable('agents_oauth_models', (t) => {
    t.string('model', 40).notNullable();
    t.string('id', 300).notNullable();
    t.text('payload').notNullable();
    // Copied out of the payload for lookups: a grant's tokens, an interaction by uid, a user's grants.
    t.string('grant_id', 300).nullable();
    t.string('uid', 300).nullable();
    t.string('user_code', 300).nullable();
    t.string('account_id', 150).nullable();
    t.string('expires_at', 24).nullable();
    t.string('consumed_at', 24).nullable();
    t.primary(['model', 'id']);
    t.index(['grant_id']);
    t.index(['uid']);
    t.index(['model', 'account_id']);
    t.index(['expires_at']);
  });
  // The signing keys (JWKS) and cookie keys, generated once by the first instance and shared by all.
  await knex.schema.createTable('agents_oauth_keys', (t) => {
    t.string('id', 40).primary();
    t.text('jwks').notNullable();
    t.text('cookie_keys').notNullable();
    t.string('created_at', 24).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('agents_oauth_keys');
  await knex.schema.dropTableIfExists('agents_oauth_models');
}
