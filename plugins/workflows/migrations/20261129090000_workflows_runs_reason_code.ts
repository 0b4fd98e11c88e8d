import type { Knex } from 'knex';

/**
 * A run's reason as a stable code with its values (services/reasons.ts), beside the sentence in
 * `reason`, so the admin UI says it in the reader's language. Runs from before have none: their
 * sentence shows as it is.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('workflows_runs', (t) => {
    t.string('reason_code', 40).nullable();
    t.text('reason_args').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('workflows_runs', (t) => {
    t.dropColumn('reason_code');
    t.dropColumn('reason_args');
  });
}
