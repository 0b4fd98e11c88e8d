import type { Knex } from 'knex';

/**
 * Each of the outbox's queries reads events of one status: the due ones (claims), the delivered
 * ones past the retention window, the dead ones (the operator's list and alert). Partial indexes
 * hold each status's rows only, so an event is in one index at a time: an event written
 * delivered (no handler takes it, as received mail's is without workflows) is in one index where it
 * was in three, and a delivered mark moves an event from one index to another where it rewrote
 * two. The (name, created_at) index had no query.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_events', (t) => {
    t.dropIndex([], 'core_events_pending_idx');
    t.dropIndex([], 'core_events_name_idx');
    t.dropIndex([], 'core_events_delivered_idx');
  });
  await knex.raw("create index core_events_pending_idx on core_events (available_at, id) where status = 'pending'");
  await knex.raw("create index core_events_delivered_idx on core_events (delivered_at) where status = 'delivered'");
  await knex.raw("create index core_events_dead_idx on core_events (id) where status = 'dead'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index core_events_pending_idx');
  await knex.raw('drop index core_events_delivered_idx');
  await knex.raw('drop index core_events_dead_idx');
  await knex.schema.alterTable('core_events', (t) => {
    t.index(['status', 'available_at'], 'core_events_pending_idx');
    t.index(['name', 'created_at'], 'core_events_name_idx');
    t.index(['status', 'delivered_at'], 'core_events_delivered_idx');
  });
}
