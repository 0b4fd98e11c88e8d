import type { Knex } from 'knex';

/**
 * What a license activates: a software license (`license`, the seed-002 face and the
 * licensing.generate action) or a robot (`robot`, WorkBot's activation codes). Events carry it, so
 * a workflow on license.activated can tell a customer's app activation from a robot's.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('licensing_licenses', (t) => {
    t.string('kind', 16).notNullable().defaultTo('license');
  });
  // Rows from before: WorkBot's codes are the licenses of its product.
  await knex('licensing_licenses').where('product', 'workbot').update({ kind: 'robot' });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('licensing_licenses', (t) => {
    t.dropColumn('kind');
  });
}
