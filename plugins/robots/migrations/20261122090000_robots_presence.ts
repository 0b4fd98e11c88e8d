import type { Knex } from 'knex';

/** Presence shared by instances: a connected robot's row says "online until", refreshed by the instance holding its socket. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('robots_robots', (t) => {
    t.string('presence_until', 24).nullable();
  });
}
