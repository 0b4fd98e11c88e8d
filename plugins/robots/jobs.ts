import type { PlinthContainer } from 'plinth/plugin';
import type { JobSpec } from 'plinth/plugin';
import type { Retention } from 'plinth/plugin';
import type { RobotsSettings } from './config.js';
import { robotsServices } from './services/own.js';

/** Commands that will not change again: pruned with the logs. */
const FINISHED_COMMANDS = ['succeeded', 'failed', 'expired', 'rejected'];
const DAY = 86_400_000;

const services = (c: { container: PlinthContainer }) => robotsServices.of(c);

export const robotsJobs: JobSpec<RobotsSettings>[] = [
  {
    name: 'expire-commands',
    schedule: '* * * * *',
    async run(c) {
      await services(c).commands.expireDue();
    },
  },
  {
    name: 'prune-logs',
    schedule: '23 3 * * *',
    catchUp: true,
    run: (c, info) => pruneRobotLogs(c.container.resolve('retention'), info.scheduledFor, c.settings),
  },
];

/**
 * Logs, callback deliveries and finished commands after `logRetentionDays`; reported messages (with
 * their files) after `messageRetentionDays`; tokens once revoked or expired. Unfinished commands
 * stay whatever their age.
 */
export async function pruneRobotLogs(
  retention: Retention,
  now: Date,
  settings: Pick<RobotsSettings, 'logRetentionDays' | 'messageRetentionDays'>,
): Promise<void> {
  const daysBefore = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
  const before = daysBefore(settings.logRetentionDays);
  await retention.deleteInBatches('robots_logs', 'id', (q) => q.where('created_at', '<', before));
  await retention.deleteInBatches('robots_callback_deliveries', 'id', (q) => q.where('created_at', '<', before));
  await retention.deleteInBatches('robots_commands', 'id', (q) => q.whereIn('status', FINISHED_COMMANDS).andWhere('created_at', '<', before));
  const messagesBefore = daysBefore(settings.messageRetentionDays);
  await retention.deleteInBatches('robots_messages', 'id', (q) => q.where('created_at', '<', messagesBefore));
  // Every token refresh revokes the robot's access token and adds a row. A token is only ever looked
  // up unrevoked and unexpired (tokens.ts robotOf), so a revoked or expired one is refused exactly
  // as an unknown one is: its row no longer matters. Valid tokens stay.
  const nowIso = now.toISOString();
  await retention.deleteInBatches('robots_tokens', 'id', (q) => q.whereNotNull('revoked_at').orWhere('expires_at', '<=', nowIso));
}
