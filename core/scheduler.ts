import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import { CronExpressionParser } from 'cron-parser';
import type { Knex } from 'knex';
import { affected, isUniqueViolation } from './db/connection.js';
import { iso, type Clock } from './clock.js';
import type { Logger } from './logger.js';

export type JobTrigger = 'cron' | 'catchup' | 'manual';

export interface JobRunInfo {
  /** The tick this run stands for (for a catch-up: the latest tick that was missed). */
  scheduledFor: Date;
  trigger: JobTrigger;
}

export interface Job {
  /** Namespaced: `<plugin>.<job>`. */
  name: string;
  /** Cron expression, UTC; five fields, or six with seconds. */
  schedule: string;
  run(info: JobRunInfo): Promise<void>;
  /** Run once at boot when a tick was due while no instance was up. */
  catchUp?: boolean;
}

export type RunOutcome = 'succeeded' | 'failed' | 'skipped';

/**
 * node-cron fires the ticks; the database decides who runs them. A lease row per job keeps two
 * instances from running one job at once, and a unique (job, scheduled_for) run row makes each
 * tick run once across instances even when their clocks differ slightly.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly tasks = new Map<string, ScheduledTask>();
  private readonly inFlight = new Set<Promise<unknown>>();
  readonly instanceId = randomUUID();

  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly leaseSeconds: number,
  ) {}

  /** Registering a name again replaces the job. The schedule is validated here, at boot. */
  add(job: Job): void {
    if (!cron.validate(job.schedule)) throw new Error(`job "${job.name}" has an invalid cron schedule "${job.schedule}"`);
    this.jobs.set(job.name, job);
  }

  remove(name: string): void {
    this.jobs.delete(name);
    this.tasks.get(name)?.stop();
    this.tasks.delete(name);
  }

  list(): Job[] {
    return [...this.jobs.values()];
  }

  /** Records each job, runs catch-ups that are due, then starts the cron ticks. */
  async start(): Promise<void> {
    for (const job of this.jobs.values()) await this.ensureRow(job);
    for (const job of this.jobs.values()) if (job.catchUp) await this.catchUp(job);
    for (const job of this.jobs.values()) {
      const task = cron.schedule(job.schedule, () => this.track(this.runTick(job)), { timezone: 'Etc/UTC', name: job.name, noOverlap: true });
      this.tasks.set(job.name, task);
    }
  }

  /** Stops the ticks and waits for runs in progress. */
  async stop(): Promise<void> {
    for (const task of this.tasks.values()) await task.stop();
    this.tasks.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** The latest tick at or before `at`. */
  previousTick(schedule: string, at: Date): Date {
    const expr = CronExpressionParser.parse(schedule, { currentDate: new Date(at.getTime() + 1), tz: 'UTC' });
    return expr.prev().toDate();
  }

  async runTick(job: Job): Promise<RunOutcome> {
    return this.execute(job, { scheduledFor: this.previousTick(job.schedule, this.clock.now()), trigger: 'cron' });
  }

  async runNow(name: string): Promise<RunOutcome> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named "${name}"`);
    await this.ensureRow(job);
    return this.track(this.execute(job, { scheduledFor: this.clock.now(), trigger: 'manual' }));
  }

  async catchUp(job: Job): Promise<RunOutcome> {
    const row = await this.db('core_jobs').where('name', job.name).first('created_at');
    const last = (await this.db('core_job_runs')
      .where('job', job.name)
      .whereIn('trigger', ['cron', 'catchup'])
      .max({ at: 'scheduled_for' })
      .first()) as { at: string | null } | undefined;
    const since = [row?.created_at, last?.at].filter(Boolean).sort().pop() as string;
    const due = this.previousTick(job.schedule, this.clock.now());
    if (iso(due) <= since) return 'skipped';
    this.logger.info({ job: job.name, due: iso(due), since }, 'catching up a missed job run');
    return this.execute(job, { scheduledFor: due, trigger: 'catchup' });
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    return p;
  }

  private async ensureRow(job: Job): Promise<void> {
    const existing = await this.db('core_jobs').where('name', job.name).first('name');
    if (existing) {
      await this.db('core_jobs').where('name', job.name).update({ schedule: job.schedule });
      return;
    }
    try {
      await this.db('core_jobs').insert({ name: job.name, schedule: job.schedule, created_at: iso(this.clock.now()) });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  private async acquireLease(name: string): Promise<boolean> {
    const now = this.clock.now();
    const taken = await this.db('core_jobs')
      .where('name', name)
      .andWhere((q) => q.whereNull('lease_until').orWhere('lease_until', '<', iso(now)).orWhere('lease_owner', this.instanceId))
      .update({ lease_owner: this.instanceId, lease_until: iso(new Date(now.getTime() + this.leaseSeconds * 1000)) });
    return affected(taken) === 1;
  }

  private async releaseLease(name: string): Promise<void> {
    await this.db('core_jobs').where({ name, lease_owner: this.instanceId }).update({ lease_owner: null, lease_until: null });
  }

  private async execute(job: Job, info: JobRunInfo): Promise<RunOutcome> {
    if (!(await this.acquireLease(job.name))) return 'skipped';
    try {
      let runId: number;
      try {
        const [row] = await this.db('core_job_runs')
          .insert({
            job: job.name,
            scheduled_for: iso(info.scheduledFor),
            trigger: info.trigger,
            status: 'running',
            instance: this.instanceId,
            started_at: iso(this.clock.now()),
          })
          .returning('id');
        runId = Number(typeof row === 'object' ? (row as { id: number }).id : row);
      } catch (err) {
        if (isUniqueViolation(err)) return 'skipped'; // another instance already ran this tick
        throw err;
      }
      try {
        await job.run(info);
        await this.db('core_job_runs').where('id', runId).update({ status: 'succeeded', finished_at: iso(this.clock.now()) });
        return 'succeeded';
      } catch (err) {
        this.logger.error({ err, job: job.name }, 'job failed');
        await this.db('core_job_runs')
          .where('id', runId)
          .update({ status: 'failed', finished_at: iso(this.clock.now()), error: String((err as Error).stack ?? err).slice(0, 4000) });
        return 'failed';
      }
    } finally {
      await this.releaseLease(job.name);
    }
  }

  async lastRuns(): Promise<Array<{ job: string; schedule: string; last: Record<string, unknown> | null }>> {
    const out = [];
    for (const job of this.jobs.values()) {
      const last = await this.db('core_job_runs').where('job', job.name).orderBy('id', 'desc').first();
      out.push({ job: job.name, schedule: job.schedule, last: last ?? null });
    }
    return out;
  }
}
