import type { Knex } from 'knex';
import { iso } from 'plinth/plugin';
import type { WorkflowsSettings } from '../config.js';

/** How long a workflow's count read from the database serves, with the runs started here since added. */
const RECOUNT_MS = 1_000;

interface Count {
  /** Its runs of the last minute: as the database counted them at `at`, and those started here since. */
  n: number;
  at: number;
}

/** What RunsPerMinute is built from, passed by name. */
export interface RunsPerMinuteDeps {
  db: Knex;
  settings: Pick<WorkflowsSettings, 'maxRunsPerMinute'>;
}

/**
 * The circuit breaker's count: each workflow's runs of the last minute, blocked ones aside. A loop
 * that leaves the process (mail sent to a mailbox here, a webhook calling back) carries no chain; a
 * workflow starting more often than `maxRunsPerMinute` is stopped by this count instead.
 *
 * The database counts up to the limit, so a check reads at most that many rows: with the limit
 * raised for a busy workflow (thousands of runs a minute), a count read per batch of events was a
 * scan of every run of the last minute. So a workflow's count is read at most once a second and the
 * runs started here are added to it meanwhile. Another instance's runs of the last second are not in
 * it yet, and runs that left the window since are still in it: a loop is stopped within a second of
 * reaching the limit, whichever instances it runs on.
 */
export class RunsPerMinute {
  private readonly counts = new Map<string, Count>();

  constructor(private readonly deps: RunsPerMinuteDeps) {}

  /** The workflow's runs of the minute before `at` (a batch of triggers asks at one time, so its count is not read anew midway). */
  async of(workflowId: string, at: Date): Promise<number> {
    const now = at.getTime();
    const known = this.counts.get(workflowId);
    if (known && now - known.at >= 0 && now - known.at < RECOUNT_MS) return known.n;
    const n = await this.counted(workflowId, now);
    // Entries of workflows that stopped starting runs are dropped with the rest once there are many.
    if (this.counts.size >= 10_000) this.counts.clear();
    this.counts.set(workflowId, { n, at: now });
    return n;
  }

  /** A run of the workflow started here (counted from `of`'s last answer). */
  started(workflowId: string): void {
    const known = this.counts.get(workflowId);
    if (known) known.n++;
  }

  /** Counted up to the limit only: a busy workflow's check reads at most maxRunsPerMinute rows. */
  private async counted(workflowId: string, now: number): Promise<number> {
    const recent = this.deps
      .db('workflows_runs')
      .select('id')
      .where('workflow_id', workflowId)
      .andWhere('created_at', '>=', iso(new Date(now - 60_000)))
      .whereNot('status', 'blocked')
      .limit(this.deps.settings.maxRunsPerMinute);
    const [{ n }] = await this.deps.db.from(recent.as('recent')).count({ n: '*' });
    return Number(n);
  }
}
