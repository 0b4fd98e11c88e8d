import type { Knex } from 'knex';
import { iso, type Clock } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { nextCronTime, previousCronTime } from './definitions.js';
import type { RunStarter } from './starter.js';
import type { Versions } from './versions.js';
import { toWorkflowRow } from './workflows.js';

/** Counting missed times stops here (a minutely workflow down for a month is "1000+"). */
const MISSED_CAP = 1000;

/** What CronTrigger is built from, passed by name. */
export interface CronTriggerDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  versions: Versions;
  starter: RunStarter;
}

/**
 * Cron triggers, driven by the `workflows.cron` job (each minute, one instance at a time by the
 * scheduler's lease). Each enabled cron workflow keeps its next due time; when it has passed, one
 * run starts for the latest due time (`cron:<time>` is unique per workflow, so a tick handled
 * twice starts one run). Catch-up: after downtime, only the most recent missed time runs; the
 * payload's `missed` counts the earlier ones that were skipped.
 */
export class CronTrigger {
  constructor(private readonly deps: CronTriggerDeps) {}

  async tick(): Promise<number> {
    const now = this.deps.clock.now();
    const rows = await this.deps.db('workflows_workflows').where({ trigger_type: 'cron', enabled: true }).andWhere('cron_next_at', '<=', iso(now));
    let started = 0;
    for (const raw of rows) {
      const workflow = toWorkflowRow(raw);
      const version = await this.deps.versions.byId(workflow.version_id);
      const expression = version?.definition.trigger.cron;
      if (!expression) continue;
      const due = previousCronTime(expression, now);
      const missed = this.countBetween(expression, new Date(workflow.cron_next_at!), due);
      // Start first, then move the next due time: a crash in between repeats the start, which the unique key absorbs.
      const outcome = await this.deps.starter.start({
        workflow,
        triggerType: 'cron',
        triggerKey: `cron:${iso(due)}`,
        payload: { scheduled_for: iso(due), missed },
        automatic: true,
      });
      if (outcome.outcome === 'started') started++;
      await this.deps
        .db('workflows_workflows')
        .where({ id: workflow.id, cron_next_at: workflow.cron_next_at })
        .update({ cron_next_at: iso(nextCronTime(expression, now)) });
      if (missed) this.deps.logger.info({ workflowId: workflow.id, due: iso(due), missed }, 'cron workflow caught up; earlier missed times skipped');
    }
    return started;
  }

  /** Cron times in [from, to), counted up to MISSED_CAP. */
  private countBetween(expression: string, from: Date, to: Date): number {
    let n = 0;
    for (let t = new Date(from.getTime() - 1); n < MISSED_CAP; n++) {
      t = nextCronTime(expression, t);
      if (t >= to) break;
    }
    return n;
  }
}
