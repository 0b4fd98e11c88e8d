import type { Knex } from 'knex';

/**
 * For AI replies: a command may wait until `not_before` (a reply delay); a message knows its
 * conversation (the group, or the contact in a private chat) and whether a human operator sent it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('robots_commands', (t) => {
    t.string('not_before', 24).nullable();
    t.index(['not_before']);
  });
  await knex.schema.alterTable('robots_messages', (t) => {
    t.string('conversation', 220).nullable();
    t.boolean('from_operator').notNullable().defaultTo(false);
    t.index(['robot_pk', 'conversation', 'id']);
  });
}
