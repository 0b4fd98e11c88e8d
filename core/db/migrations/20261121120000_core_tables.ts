import type { Knex } from 'knex';

// Timestamps are ISO-8601 UTC strings (fixed width, so they compare as text) on both databases.
const TS = 24;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_events', (t) => {
    t.increments('id').primary();
    t.string('name', 120).notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('tenant_id', 64).nullable();
    t.text('payload').notNullable();
    t.text('meta').nullable();
    t.string('status', 16).notNullable().defaultTo('pending'); // pending | delivered | dead
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('available_at', TS).notNullable();
    t.string('locked_by', 64).nullable();
    t.string('locked_until', TS).nullable();
    t.text('last_error').nullable();
    t.string('created_at', TS).notNullable();
    t.string('delivered_at', TS).nullable();
    t.index(['status', 'available_at'], 'core_events_pending_idx');
    t.index(['name', 'created_at'], 'core_events_name_idx');
  });
  await knex.schema.createTable('core_event_handled', (t) => {
    t.integer('event_id').notNullable().references('id').inTable('core_events').onDelete('CASCADE');
    t.string('handler', 160).notNullable();
    t.string('handled_at', TS).notNullable();
    t.primary(['event_id', 'handler']);
  });
  await knex.schema.createTable('core_jobs', (t) => {
    t.string('name', 160).primary();
    t.string('schedule', 120).notNullable();
    t.string('lease_owner', 64).nullable();
    t.string('lease_until', TS).nullable();
    t.string('created_at', TS).notNullable();
  });
  await knex.schema.createTable('core_job_runs', (t) => {
    t.increments('id').primary();
    t.string('job', 160).notNullable();
    t.string('scheduled_for', TS).notNullable();
    t.string('trigger', 16).notNullable(); // cron | catchup | manual
    t.string('status', 16).notNullable(); // running | succeeded | failed
    t.string('instance', 64).notNullable();
    t.string('started_at', TS).notNullable();
    t.string('finished_at', TS).nullable();
    t.text('error').nullable();
    t.unique(['job', 'scheduled_for'], { indexName: 'core_job_runs_once' });
  });
  await knex.schema.createTable('core_mail_outbox', (t) => {
    t.increments('id').primary();
    t.string('message_id', 255).nullable();
    t.string('from', 320).notNullable();
    t.text('to').notNullable(); // JSON array of addresses
    t.string('subject', 998).notNullable().defaultTo('');
    t.text('text').nullable();
    t.text('html').nullable();
    t.text('raw').notNullable(); // the full RFC 822 message as built by nodemailer
    t.string('transport', 16).notNullable(); // outbox | smtp
    t.string('status', 16).notNullable(); // stored | sent | failed
    t.text('error').nullable();
    t.string('created_at', TS).notNullable();
    t.index(['created_at'], 'core_mail_outbox_created_idx');
  });
}
