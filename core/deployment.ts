import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * The deployment's id: made once by whichever instance boots first, read by every other from the
 * database. Two deployments on one Redis get different ids, so their channels and keys never meet.
 */
export async function deploymentId(db: Knex): Promise<string> {
  await db('core_kv')
    .insert({ key: 'deployment_id', value: randomBytes(6).toString('hex'), created_at: new Date().toISOString() })
    .onConflict('key')
    .ignore();
  const row = await db('core_kv').where('key', 'deployment_id').first('value');
  return row.value as string;
}
