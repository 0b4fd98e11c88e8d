import type { Knex } from 'knex';

const DAY = 86_400_000;

/** Drops what can no longer be used: expired one-time tokens, SMS codes and ended sessions (after a week). */
export async function purgeExpired(db: Knex, now: Date): Promise<void> {
  const iso = now.toISOString();
  const weekAgo = new Date(now.getTime() - 7 * DAY).toISOString();
  await db('auth_one_time_tokens').where('expires_at', '<', iso).delete();
  await db('auth_sms_codes').where('expires_at', '<', iso).delete();
  await db('auth_sessions').where((q) => q.where('expires_at', '<', weekAgo).orWhere('revoked_at', '<', weekAgo)).delete();
}
