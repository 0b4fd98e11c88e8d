import type { Knex } from 'knex';

const TS = 24;

/**
 * The operator's alerts (core/alerts): one row per raising, open while `cleared_at` is null. At
 * most one open row per key, whichever instance raises it: a partial unique index (SQLite and
 * PostgreSQL both have them), so two instances evaluating at once cannot both raise one alert.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_alerts', (t) => {
    t.increments('id').primary();
    t.string('key', 200).notNullable(); // events.dead, jobs.failing:<job>, …
    t.string('condition', 120).nullable(); // the condition that reports it; null: raised by alerts.raise()
    t.string('severity', 16).notNullable(); // warning | critical
    t.string('summary', 500).notNullable();
    t.text('details').notNullable().defaultTo('{}'); // JSON object
    t.string('raised_at', TS).notNullable();
    t.string('cleared_at', TS).nullable();
    t.string('notified_at', TS).nullable(); // the raise mail went out
    t.string('clear_notified_at', TS).nullable(); // the clear mail went out
    t.index(['cleared_at'], 'core_alerts_cleared_idx');
  });
  await knex.raw('CREATE UNIQUE INDEX core_alerts_open_key ON core_alerts ("key") WHERE cleared_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('core_alerts');
}
