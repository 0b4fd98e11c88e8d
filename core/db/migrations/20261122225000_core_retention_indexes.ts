import type { Knex } from 'knex';

/** Retention finds old delivered events and old job runs by these. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_events', (t) => {
    t.index(['status', 'delivered_at'], 'core_events_delivered_idx');
  });
  await knex.schema.alterTable('core_job_runs', (t) => {
    t.index(['job', 'id'], 'core_job_runs_job_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_events', (t) => {
    t.dropIndex(['status', 'delivered_at'], 'core_events_delivered_idx');
  });
  await knex.schema.alterTable('core_job_runs', (t) => {
    t.dropIndex(['job', 'id'], 'core_job_runs_job_idx');
  });
}
