import type { Knex } from 'knex';

/**
 * A tick whose run was abandoned (its instance died) runs again as the next attempt, so the
 * once-per-tick key becomes (job, scheduled_for, attempt). Runs can now end `abandoned`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_job_runs', (t) => {
    t.integer('attempt').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('core_job_runs', (t) => {
    t.dropUnique(['job', 'scheduled_for'], 'core_job_runs_once');
    t.unique(['job', 'scheduled_for', 'attempt'], { indexName: 'core_job_runs_once' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_job_runs', (t) => {
    t.dropUnique(['job', 'scheduled_for', 'attempt'], 'core_job_runs_once');
    t.unique(['job', 'scheduled_for'], { indexName: 'core_job_runs_once' });
    t.dropColumn('attempt');
  });
}
