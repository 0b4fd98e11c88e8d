import type { Knex } from 'knex';

const TS = 24;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('workflows_workflows', (t) => {
    t.string('id', 36).primary(); // uuid
    t.string('tenant_id', 64).notNullable();
    t.string('name', 200).notNullable();
    t.string('description', 2000).notNullable().defaultTo('');
    t.boolean('enabled').notNullable().defaultTo(false);
    t.integer('version').notNullable(); // the current version's number
    t.integer('version_id').notNullable(); // the current version's row
    // Copied from the current version so triggers find their workflows by index.
    t.string('trigger_type', 16).notNullable();
    t.string('trigger_event', 120).nullable();
    t.string('cron_next_at', TS).nullable(); // cron: the next due time
    t.string('webhook_token_hash', 64).nullable().unique(); // sha256 of the secret URL's token
    t.string('webhook_secret', 200).nullable(); // signing secret (write-only, shown once)
    t.text('secrets').notNullable().defaultTo('{}'); // JSON name -> value, write-only, never exported
    t.string('created_by', 64).nullable();
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
    t.index(['tenant_id', 'trigger_event', 'enabled']);
    t.index(['trigger_type', 'enabled', 'cron_next_at']);
  });
  await knex.schema.createTable('workflows_versions', (t) => {
    t.increments('id').primary();
    t.string('workflow_id', 36).notNullable().references('id').inTable('workflows_workflows').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.text('definition').notNullable(); // JSON: trigger, condition, steps
    t.string('created_by', 64).nullable();
    t.string('created_at', TS).notNullable();
    t.unique(['workflow_id', 'version']);
  });
  await knex.schema.createTable('workflows_runs', (t) => {
    t.increments('id').primary();
    t.string('workflow_id', 36).notNullable().references('id').inTable('workflows_workflows').onDelete('CASCADE');
    t.string('tenant_id', 64).notNullable();
    t.integer('version_id').notNullable();
    t.integer('version').notNullable();
    t.string('trigger_type', 16).notNullable(); // event | cron | webhook | manual | rerun
    // What started it, unique per workflow: event:<id>, cron:<time>, webhook:<id>; null for manual runs.
    t.string('trigger_key', 200).nullable();
    t.text('trigger_payload').notNullable();
    t.string('status', 16).notNullable(); // pending | running | succeeded | failed | stopped | blocked
    t.text('reason').nullable(); // why it failed, stopped or was blocked
    t.integer('current_step').notNullable().defaultTo(0);
    t.text('chain').notNullable(); // JSON: the workflow ids that led here, this one last
    t.integer('depth').notNullable();
    t.integer('rerun_of').nullable();
    t.string('next_at', TS).nullable(); // due (to start, resume after a delay, retry a step)
    t.string('lease_owner', 80).nullable();
    t.string('lease_until', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.string('started_at', TS).nullable();
    t.string('finished_at', TS).nullable();
    t.unique(['workflow_id', 'trigger_key']);
    t.index(['status', 'next_at']);
    t.index(['tenant_id', 'id']);
    t.index(['workflow_id', 'created_at']);
  });
  await knex.schema.createTable('workflows_run_steps', (t) => {
    t.increments('id').primary();
    t.integer('run_id').notNullable().references('id').inTable('workflows_runs').onDelete('CASCADE');
    t.integer('idx').notNullable();
    t.string('step_id', 40).notNullable();
    t.string('action', 120).notNullable();
    t.string('status', 16).notNullable(); // running | waiting | retrying | succeeded | failed | stopped
    t.text('input').nullable();
    t.text('output').nullable();
    t.text('error').nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('history').notNullable().defaultTo('[]'); // JSON: each attempt's start, end and error
    t.string('started_at', TS).nullable();
    t.string('finished_at', TS).nullable();
    t.unique(['run_id', 'idx']);
  });
}
