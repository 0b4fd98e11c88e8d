import type { Knex } from 'knex';

/**
 * When an open alert was last reported (`seen_at`), and for a condition about one instance (its
 * disk, its traffic, its certificate) which host reported it (`host`): instances evaluating in turn
 * leave each other's per-instance alerts alone, and an alert nobody has reported for an hour (its
 * plugin disabled, its instance gone) is cleared.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_alerts', (t) => {
    t.string('host', 255).nullable();
    t.string('seen_at', 24).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_alerts', (t) => {
    t.dropColumn('host');
    t.dropColumn('seen_at');
  });
}
