import type { PlinthContainer } from 'plinth/plugin';
import type { JobSpec } from 'plinth/plugin';
import type { WorkflowsSettings } from './config.js';
import { workflowsServices } from './services/own.js';

const services = (c: { container: PlinthContainer }) => workflowsServices.of(c);

/** Runs that will not change again (a rerun is a new run). */
const FINISHED = ['succeeded', 'failed', 'stopped', 'blocked'];

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
      // In batches (each its own short transaction, their steps going with them by ON DELETE
      // CASCADE), so a large backlog never holds the runs table in one long delete.
      const removed = await c.container
        .resolve('retention')
        .deleteInBatches('workflows_runs', 'id', (q) => q.whereIn('status', FINISHED).andWhere('finished_at', '<', before));
      if (removed) c.logger.info({ removed }, 'old workflow runs removed');
    },
  },
];
