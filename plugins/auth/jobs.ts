import type { JobSpec } from 'plinth/plugin';
import type { Retention } from 'plinth/plugin';
import type { AuthSettings } from './config.js';

const DAY = 86_400_000;

export const authJobs: JobSpec<AuthSettings>[] = [
  {
    name: 'purge-expired',
    schedule: '17 3 * * *',
    catchUp: true,
    run: (c, info) => purgeExpired(c.container.resolve('retention'), info.scheduledFor, c.settings.auditRetentionDays),
  },
];

/**
 * Drops what can no longer be used: expired one-time tokens, SMS codes, second-factor challenges
 * and refresh tokens, the refresh tokens of ended sessions, ended sessions (after a week), logged
 * SMS after 30 days, and audit rows after `auditRetentionDays`.
 */
export async function purgeExpired(retention: Retention, now: Date, auditRetentionDays: number): Promise<void> {
  const iso = now.toISOString();
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
  await retention.deleteInBatches('auth_one_time_tokens', 'id', (q) => q.where('expires_at', '<', iso));
  await retention.deleteInBatches('auth_sms_codes', 'id', (q) => q.where('expires_at', '<', iso));
  await retention.deleteInBatches('auth_mfa_challenges', 'id', (q) => q.where('expires_at', '<', iso));
  // A refresh token is a row per refresh. A used one must stay while it could still be presented:
  // its reuse revokes the session (refresh-rotation.ts). Once it has expired, or its session has
  // ended, presenting it is refused as "invalid" before reuse is even looked at, exactly as an
  // unknown token is: the row no longer matters. Tokens of live sessions that are still valid stay.
  await retention.deleteInBatches('auth_refresh_tokens', 'id', (q) =>
    q
      .where('expires_at', '<=', iso)
      .orWhereIn('session_id', (s) => s.select('id').from('auth_sessions').whereNotNull('revoked_at').orWhere('expires_at', '<=', iso)),
  );
  await retention.deleteInBatches('auth_sessions', 'id', (q) => q.where('expires_at', '<', daysAgo(7)).orWhere('revoked_at', '<', daysAgo(7)));
  await retention.deleteInBatches('auth_sms_outbox', 'id', (q) => q.where('created_at', '<', daysAgo(30)));
  await retention.deleteInBatches('auth_audit_logs', 'id', (q) => q.where('created_at', '<', daysAgo(auditRetentionDays)));
}
