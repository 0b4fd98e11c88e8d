import type { Knex } from 'knex';

/** `awaiting_approval` needs more than 16 characters (SQLite does not enforce varchar lengths; PostgreSQL does). */
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') await knex.raw('ALTER TABLE robots_commands ALTER COLUMN status TYPE varchar(24)');
}
