import type { Knex } from 'knex';

/**
 * An alert's message for the admin UI (`message`, JSON `{ id, values }`, null for an alert raised
 * without one): the summary is English, and the System page and the Overview say the message in
 * the viewer's language from the raiser's catalogue.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_alerts', (t) => {
    t.text('message').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_alerts', (t) => {
    t.dropColumn('message');
  });
}
