import type { JobSpec } from 'plinth/plugin';
import type { AiSettings } from './config.js';

/** The call log, decisions and idle conversations pruned after `logRetentionDays`; daily call counts after a week. */
export const aiJobs: JobSpec<AiSettings>[] = [
  {
    name: 'prune-logs',
    schedule: '33 3 * * *',
    catchUp: true,
    async run(c, info) {
      const before = new Date(info.scheduledFor.getTime() - c.settings.logRetentionDays * 86_400_000).toISOString();
      const retention = c.container.resolve('retention');
      await retention.deleteInBatches('ai_calls', 'id', (q) => q.where('created_at', '<', before));
      await retention.deleteInBatches('ai_replies', 'id', (q) => q.where('created_at', '<', before));
      // A conversation's row holds a takeover pause and a provider's thread id: idle ones are forgotten.
      await retention.deleteInBatches('ai_conversations', 'updated_at', (q) => q.where('updated_at', '<', before));
      // Daily call counts matter for their day only: a week is kept for the robot pages.
      const lastWeek = new Date(info.scheduledFor.getTime() - 7 * 86_400_000).toISOString().slice(0, 10);
      await retention.deleteInBatches('ai_robot_daily_calls', 'day', (q) => q.where('day', '<', lastWeek));
    },
  },
];
