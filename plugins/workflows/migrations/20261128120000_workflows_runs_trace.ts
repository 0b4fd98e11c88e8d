import type { Knex } from 'knex';

/**
 * The trace a run continues (W3C traceparent and tracestate of what started it: the request, or the
 * event a request emitted), so its steps, run later and maybe by another instance, keep the trace.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('workflows_runs', (t) => {
    t.string('traceparent', 55).nullable();
    t.string('tracestate', 512).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('workflows_runs', (t) => {
    t.dropColumn('traceparent');
    t.dropColumn('tracestate');
  });
}
