import type { Knex } from 'knex';

/**
 * What a job run did (rows deleted per table, for the prune jobs), stored with the run and shown
 * on the System page. It replaces the one report `core.retention` kept in core_kv, which goes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_job_runs', (t) => {
    t.text('report').nullable();
  });
  await knex('core_kv').where('key', 'retention.last').delete();
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_job_runs', (t) => {
    t.dropColumn('report');
  });
}
