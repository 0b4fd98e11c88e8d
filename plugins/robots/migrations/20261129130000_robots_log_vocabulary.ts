import type { Knex } from 'knex';

/**
 * The system log in seed 004's own words (9.1): a failed API call is `logType: "api"`, `level:
 * "error"` (it was `api_error`, and `warn` below 500), so the document's `?logType=api&level=error`
 * finds the ones logged before too. Security events keep their type and level.
 */
export async function up(knex: Knex): Promise<void> {
  await knex('robots_logs').where('type', 'api_error').update({ type: 'api', level: 'error' });
}
