import type { PlinthContainer } from '../../core/container.js';
import type { JobSpec } from '../../core/plugins/contract.js';
import type { WorkflowsSettings } from './config.js';

const services = (c: { container: PlinthContainer }) => c.container.resolve('workflowsServices');

/** Cron triggers every minute; finished runs pruned after `runRetentionDays`. */
export const workflowsJobs: JobSpec<WorkflowsSettings>[] = [
  {
    name: 'cron',
    schedule: '* * * * *',
    catchUp: true,
    async run(c) {
      await services(c).cron.tick();
    },
  },
  {
    name: 'prune-runs',
    schedule: '41 3 * * *',
    catchUp: true,
    async run(c, info) {
      const before = new Date(info.scheduledFor.getTime() - c.settings.runRetentionDays * 86_400_000).toISOString();
      const removed = await c.db('workflows_runs').whereIn('status', ['succeeded', 'failed', 'stopped', 'blocked']).where('finished_at', '<', before).delete();
      if (removed) c.logger.info({ removed }, 'old workflow runs removed');
    },
  },
];
