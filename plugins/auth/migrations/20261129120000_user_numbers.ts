import type { Knex } from 'knex';

/**
 * Every user gets a number: the integer id the seed faces show where their documents show one
 * (seed 003's `/api/users` `id`, seed 004's `userId`), while the platform keeps its UUIDs inside.
 * Numbers are given at insert, in order, and never reused (SQLite AUTOINCREMENT, a PostgreSQL
 * sequence): a deleted user's number names no one ever again. Existing users are numbered here in
 * the order they were made.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_user_numbers', (t) => {
    t.increments('number').primary();
    // No foreign key: a deleted user keeps their number (a code bound to them still names them), and it never names anyone else.
    t.string('user_id', 36).notNullable().unique();
  });
  const ids: string[] = (
    await knex('auth_users')
      .orderBy([{ column: 'created_at' }, { column: 'id' }])
      .select('id')
  ).map((r: { id: string }) => r.id);
  for (let i = 0; i < ids.length; i += 500) {
    await knex('auth_user_numbers').insert(ids.slice(i, i + 500).map((userId, j) => ({ number: i + j + 1, user_id: userId })));
  }
  // Numbers given explicitly do not move PostgreSQL's sequence (SQLite's AUTOINCREMENT follows the largest).
  if (ids.length && knex.client.config.client === 'pg') {
    await knex.raw(`select setval(pg_get_serial_sequence('auth_user_numbers', 'number'), ?)`, [ids.length]);
  }
}
