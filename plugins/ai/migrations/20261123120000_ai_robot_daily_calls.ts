import type { Knex } from 'knex';

// A robot's AI calls per day, against its aiCallLimitDaily: the ai plugin's own count (it was a
// column of robots' table, reset by a robots job). One row per robot and UTC day; a new day is a
// new row, so nothing resets, and the prune job forgets old days.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ai_robot_daily_calls', (t) => {
    t.string('tenant_id', 64).notNullable();
    t.string('robot_id', 64).notNullable();
    t.string('day', 10).notNullable(); // YYYY-MM-DD (UTC)
    t.integer('calls').notNullable().defaultTo(0);
    t.primary(['tenant_id', 'robot_id', 'day']);
    t.index(['day']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ai_robot_daily_calls');
}
