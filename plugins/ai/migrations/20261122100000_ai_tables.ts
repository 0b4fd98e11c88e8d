import type { Knex } from 'knex';

const TS = 24;

export async function up(knex: Knex): Promise<void> {
  // The builtin responder's knowledge base: question/answer entries ranked by full-text search,
  // and keyword rules that answer outright when a keyword appears.
  await knex.schema.createTable('ai_knowledge', (t) => {
    t.increments('id').primary();
    t.string('tenant_id', 64).notNullable();
    t.string('kind', 8).notNullable(); // faq | keyword
    t.text('question').notNullable(); // faq: the question; keyword: a label
    t.text('answer').notNullable();
    t.text('keywords').notNullable().defaultTo('[]'); // JSON array of strings
    t.integer('priority').notNullable().defaultTo(0); // higher wins among keyword rules
    t.boolean('enabled').notNullable().defaultTo(true);
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
    t.index(['tenant_id', 'id']);
  });
  // Model providers per tenant. The API key is needed to call the provider, so it is kept (not
  // hashed) and never returned.
  await knex.schema.createTable('ai_providers', (t) => {
    t.increments('id').primary();
    t.string('tenant_id', 64).notNullable();
    t.string('name', 40).notNullable(); // what a robot's aiProvider names: doubao, deepseek, dify…
    t.string('kind', 16).notNullable(); // openai | dify
    t.string('base_url', 500).notNullable();
    t.text('api_key').nullable();
    t.string('model', 100).nullable(); // default model; a robot's aiModel overrides it
    t.integer('timeout_ms').notNullable().defaultTo(15000);
    t.integer('priority').notNullable().defaultTo(0); // fallback order after the robot's own provider
    t.boolean('enabled').notNullable().defaultTo(true);
    t.string('updated_at', TS).notNullable();
    t.unique(['tenant_id', 'name']);
  });
  // Per tenant: the builtin responder's fallback answer (null: the config's).
  await knex.schema.createTable('ai_tenant_settings', (t) => {
    t.string('tenant_id', 64).primary();
    t.text('fallback_answer').nullable();
    t.string('updated_at', TS).notNullable();
  });
  // Every model call (one row per provider tried), so statistics come from real rows.
  await knex.schema.createTable('ai_calls', (t) => {
    t.increments('id').primary();
    t.string('tenant_id', 64).notNullable();
    t.string('robot_id', 64).nullable();
    t.string('message_id', 64).nullable();
    t.string('source', 16).notNullable(); // message | try | workflow
    t.string('provider', 40).notNullable();
    t.string('model', 100).nullable();
    t.integer('tokens_in').notNullable().defaultTo(0);
    t.integer('tokens_out').notNullable().defaultTo(0);
    t.integer('latency_ms').notNullable();
    t.string('outcome', 16).notNullable(); // ok | timeout | rate_limited | error
    t.string('error', 500).nullable();
    t.bigInteger('cost_micros').notNullable().defaultTo(0); // estimated cost, millionths of the config currency
    t.string('created_at', TS).notNullable();
    t.index(['tenant_id', 'id']);
    t.index(['robot_id', 'created_at']);
  });
  // One decision per reported message (also what makes the handler idempotent): answered, or
  // skipped/limited with the reason.
  await knex.schema.createTable('ai_replies', (t) => {
    t.increments('id').primary();
    t.string('message_id', 64).notNullable().unique();
    t.string('tenant_id', 64).notNullable();
    t.string('robot_id', 64).notNullable();
    t.string('conversation', 220).notNullable();
    t.string('status', 16).notNullable(); // answered | skipped | limited
    t.string('reason', 40).nullable();
    t.text('reply').nullable();
    t.string('provider', 40).nullable();
    t.string('command_id', 64).nullable();
    t.string('created_at', TS).notNullable();
    t.index(['robot_id', 'conversation', 'id']);
    t.index(['tenant_id', 'id']);
  });
  // Conversations a human operator took over: no AI replies there until paused_until.
  await knex.schema.createTable('ai_conversations', (t) => {
    t.string('robot_id', 64).notNullable();
    t.string('conversation', 220).notNullable();
    t.string('tenant_id', 64).notNullable();
    t.string('paused_until', TS).nullable();
    t.string('dify_conversation_id', 100).nullable();
    t.string('updated_at', TS).notNullable();
    t.primary(['robot_id', 'conversation']);
  });
}
