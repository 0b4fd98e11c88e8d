import type { Knex } from 'knex';

/**
 * Which instance last said a robot is online: the one that sees a socket close clears the presence
 * only if it is that instance, so a robot that moved its socket to another instance stays online.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('robots_robots', (t) => {
    t.string('presence_instance', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('robots_robots', (t) => {
    t.dropColumn('presence_instance');
  });
}
