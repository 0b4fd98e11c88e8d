import type { Knex } from 'knex';

/**
 * The runner's claim takes the due runs in `next_at` order. Through the (status, next_at) index
 * that meant every due run of both live statuses read and sorted to take the first batch, so each
 * claim got slower as a backlog grew. A run has a `next_at` exactly while it is pending or running
 * (its end and a block clear it), so an index of the runs that have one serves the claim in order
 * and holds only live runs. Rows from before that rule held get it now.
 */
export async function up(knex: Knex): Promise<void> {
  await knex('workflows_runs').whereNotIn('status', ['pending', 'running']).whereNotNull('next_at').update({ next_at: null });
  await knex.raw('create index workflows_runs_due on workflows_runs (next_at) where next_at is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index workflows_runs_due');
}
