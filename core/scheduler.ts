import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import { CronExpressionParser } from 'cron-parser';
import type { Knex } from 'knex';
import { isUniqueViolation } from './db/connection.js';
import { iso, type Clock } from './clock.js';
import { Leases, type LeasedTable } from './leases.js';
import type { Logger } from './logger.js';
import type { JobMetrics } from './observability/core-metrics.js';

const JOBS: LeasedTable = { table: 'core_jobs', holder: 'lease_owner', until: 'lease_until' };

export type JobTrigger = 'cron' | 'catchup' | 'manual';

export interface JobRunInfo {
  /** The tick this run stands for (for a catch-up: the latest tick that was missed). */
  scheduledFor: Date;
  trigger: JobTrigger;
}

/** What a job run did: stored with the run (`core_job_runs.report`) and shown on the System page's jobs table. */
export interface JobReport {
  /** Rows deleted, per table; a table the job looked in and found nothing to delete shows 0. */
  deleted: Record<string, number>;
  /** Delete batches, each its own transaction. */
  batches?: number;
  /** The slowest batch, in milliseconds: what any other writer may have waited at most. */
  slowestBatchMs?: number;
}

/**
 * The report of the job run in progress, carried across its awaits (an AsyncLocalStorage): the
 * core's `deleteInBatches` adds to it from wherever a job calls it (a plugin's prune helper, the
 * core's own retention), so no signature passes a tally along and no job can forget to. Outside a
 * job run nothing is recorded. As in CauseChain, the storage is switched off while no job runs:
 * before Node 24 an AsyncLocalStorage that has run keeps promise hooks on for the whole process.
 */
class RunReports {
  private readonly storage = new AsyncLocalStorage<JobReport>();
  private running = 0;

  current(): JobReport | undefined {
    return this.storage.getStore();
  }

  async run<T>(report: JobReport, fn: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await this.storage.run(report, fn);
    } finally {
      if (--this.running === 0) this.storage.disable();
    }
  }
}

/** One per process; each run is its own store, so two apps in one process (tests) never mix reports. */
const runReports = new RunReports();

/** Adds rows deleted from `table` to the report of the job run in progress, if any. */
export function reportDeleted(table: string, rows: number): void {
  const report = runReports.current();
  if (report) report.deleted[table] = (report.deleted[table] ?? 0) + rows;
}

/** Counts a delete batch (and how long it took) in the report of the job run in progress, if any. */
export function reportBatch(ms: number): void {
  const report = runReports.current();
  if (!report) return;
  report.batches = (report.batches ?? 0) + 1;
  report.slowestBatchMs = Math.max(report.slowestBatchMs ?? 0, ms);
}

/** What a job's run returned, added to what it reported on the way. */
function merge(report: JobReport, returned: JobReport | undefined): void {
  if (!returned) return;
  for (const [table, rows] of Object.entries(returned.deleted ?? {})) report.deleted[table] = (report.deleted[table] ?? 0) + rows;
  if (returned.batches) report.batches = (report.batches ?? 0) + returned.batches;
  if (returned.slowestBatchMs) report.slowestBatchMs = Math.max(report.slowestBatchMs ?? 0, returned.slowestBatchMs);
}

/** The report's column value: null for a run that reported nothing (most jobs are not prune jobs). */
const stored = (report: JobReport) => (Object.keys(report.deleted).length || report.batches ? JSON.stringify(report) : null);

export interface Job {
  /** Namespaced: `<plugin>.<job>`. */
  name: string;
  /** Cron expression, UTC; five fields, or six with seconds. */
  schedule: string;
  /** May return a report of what it did; `deleteInBatches` adds its deletes to the run's report by itself. */
  run(info: JobRunInfo): Promise<void> | Promise<JobReport>;
  /** Run once at boot when a tick was due while no instance was up. */
  catchUp?: boolean;
}

export type RunOutcome = 'succeeded' | 'failed' | 'skipped';

/** What Scheduler is built from, passed by name. */
export interface SchedulerDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  /** How long a job's lease lasts (renewed every third of it while the job runs). */
  leaseSeconds: number;
  /** Runs, durations and lease takeovers (core/observability). */
  metrics?: JobMetrics | null;
}

/**
 * node-cron fires the ticks; the database decides who runs them. A lease row per job keeps two
 * instances from running one job at once (renewed while the job runs, see core/leases.ts), and a
 * unique (job, scheduled_for, attempt) run row makes each tick run once across instances even when
 * their clocks differ slightly. When a holder dies mid-run, a watcher on every instance takes the
 * job over once its lease has run out: the dead run is closed as `abandoned` with the reason, and
 * a catch-up job runs its tick again.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly tasks = new Map<string, ScheduledTask>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private watcher: NodeJS.Timeout | null = null;
  private readonly leases: Leases;
  readonly instanceId = randomUUID();

  constructor(private readonly deps: SchedulerDeps) {
    this.leases = new Leases({ db: deps.db, clock: deps.clock, logger: deps.logger });
  }

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
    await this.ensureRows([...this.jobs.values()]);
    for (const job of this.jobs.values()) if (job.catchUp) await this.catchUp(job);
    for (const job of this.jobs.values()) {
      const task = cron.schedule(job.schedule, () => this.track(this.runTick(job)), { timezone: 'Etc/UTC', name: job.name, noOverlap: true });
      this.tasks.set(job.name, task);
    }
    // Every half lease: a dead holder's lease runs out at most one lease after its last renewal, so
    // its job is taken over within one and a half lease periods of its death (two, with room to spare).
    this.watcher = setInterval(() => void this.track(this.takeOverAbandoned()), (this.deps.leaseSeconds * 1000) / 2);
    this.watcher.unref();
  }

  /** Stops the ticks and waits for runs in progress. */
  async stop(): Promise<void> {
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = null;
    for (const task of this.tasks.values()) await task.stop();
    this.tasks.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Jobs whose holder stopped renewing (its process died): taken over, their dead runs closed, and
   * a catch-up job's tick run again. Every instance looks every half lease period; one wins each job.
   */
  async takeOverAbandoned(): Promise<void> {
    const stale = (await this.deps.db(JOBS.table).whereNotNull(JOBS.holder).andWhere(JOBS.until, '<', iso(this.deps.clock.now())).pluck('name')) as string[];
    for (const name of stale) {
      const job = this.jobs.get(name);
      if (!job) continue;
      const outcome = job.catchUp ? await this.catchUp(job) : await this.withLease(job, async () => 'skipped' as const);
      if (outcome !== 'skipped') this.deps.logger.info({ job: name, outcome }, 'took over a job whose instance stopped');
    }
  }

  /** The latest tick at or before `at`. */
  previousTick(schedule: string, at: Date): Date {
    const expr = CronExpressionParser.parse(schedule, { currentDate: new Date(at.getTime() + 1), tz: 'UTC' });
    return expr.prev().toDate();
  }

  async runTick(job: Job): Promise<RunOutcome> {
    return this.execute(job, { scheduledFor: this.previousTick(job.schedule, this.deps.clock.now()), trigger: 'cron' });
  }

  async runNow(name: string): Promise<RunOutcome> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named "${name}"`);
    await this.ensureRows([job]);
    return this.track(this.execute(job, { scheduledFor: this.deps.clock.now(), trigger: 'manual' }));
  }

  /** Runs the latest due tick if no run finished for it (none ran, or its run was abandoned). */
  async catchUp(job: Job): Promise<RunOutcome> {
    // Most boots find nothing due. Deciding that without the lease saves two durable writes a job
    // at every boot; a held or left-behind lease still goes the leased way (it may hide a dead run).
    const { createdAt, leased } = await this.jobRow(job.name);
    if (!leased && !(await this.missedTick(job, createdAt))) return 'skipped';
    return this.withLease(job, async () => {
      const due = await this.missedTick(job, createdAt);
      if (!due) return 'skipped';
      this.deps.logger.info({ job: job.name, due: iso(due) }, 'catching up a missed job run');
      return this.runLeased(job, { scheduledFor: due, trigger: 'catchup' });
    });
  }

  private async jobRow(name: string): Promise<{ createdAt: string | undefined; leased: boolean }> {
    const row = await this.deps.db('core_jobs').where('name', name).first('created_at', JOBS.holder);
    return { createdAt: row?.created_at, leased: Boolean(row?.[JOBS.holder]) };
  }

  /** The latest tick due since the job was recorded or last ran for a tick, or null when none was missed. */
  private async missedTick(job: Job, createdAt: string | undefined): Promise<Date | null> {
    const last = (await this.deps
      .db('core_job_runs')
      .where('job', job.name)
      .whereIn('trigger', ['cron', 'catchup'])
      .whereNot('status', 'abandoned')
      .max({ at: 'scheduled_for' })
      .first()) as { at: string | null } | undefined;
    const since = [createdAt, last?.at].filter(Boolean).sort().pop() as string;
    const due = this.previousTick(job.schedule, this.deps.clock.now());
    return iso(due) <= since ? null : due;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    return p;
  }

  /** Records the jobs in one read and at most one insert; a schedule is written only when it changed. */
  private async ensureRows(jobs: Job[]): Promise<void> {
    const rows: Array<{ name: string; schedule: string }> = await this.deps
      .db('core_jobs')
      .whereIn(
        'name',
        jobs.map((j) => j.name),
      )
      .select('name', 'schedule');
    const known = new Map(rows.map((r) => [r.name, r.schedule]));
    const missing = jobs.filter((j) => !known.has(j.name));
    const now = iso(this.deps.clock.now());
    // Another instance booting at the same time may insert the same rows: theirs stand.
    if (missing.length)
      await this.deps
        .db('core_jobs')
        .insert(missing.map((j) => ({ name: j.name, schedule: j.schedule, created_at: now })))
        .onConflict('name')
        .ignore();
    for (const job of jobs) {
      if (known.has(job.name) && known.get(job.name) !== job.schedule)
        await this.deps.db('core_jobs').where('name', job.name).update({ schedule: job.schedule });
    }
  }

  private async execute(job: Job, info: JobRunInfo): Promise<RunOutcome> {
    return this.withLease(job, () => this.runLeased(job, info));
  }

  /**
   * Holds the job's lease around `work`, renewing it meanwhile. Taking it over from a holder that
   * stopped renewing first closes that holder's runs of the job as abandoned.
   */
  private async withLease(job: Job, work: () => Promise<RunOutcome>): Promise<RunOutcome> {
    const lease = await this.leases.take(JOBS, { name: job.name }, this.instanceId, this.deps.leaseSeconds);
    if (!lease.taken) return 'skipped';
    const hold = this.leases.hold(JOBS, this.instanceId, this.deps.leaseSeconds, { name: job.name });
    try {
      if (lease.from) {
        this.deps.metrics?.takeovers.inc({ job: job.name });
        await this.closeAbandoned(job.name, lease.from);
      }
      return await work();
    } finally {
      hold.stop();
      await this.leases.release(JOBS, this.instanceId, { name: job.name });
    }
  }

  private async closeAbandoned(name: string, holder: string): Promise<void> {
    const closed = await this.deps
      .db('core_job_runs')
      .where({ job: name, status: 'running' })
      .whereNot('instance', this.instanceId)
      .update({
        status: 'abandoned',
        finished_at: iso(this.deps.clock.now()),
        error: `abandoned: instance ${holder} stopped renewing the job's lease while running it`,
      });
    if (closed) this.deps.logger.warn({ job: name, holder, runs: closed }, 'closed runs of an instance that stopped');
  }

  /** 0, or one past the tick's last run when that run was abandoned (any other last run makes the insert collide: skipped). */
  private async nextAttempt(name: string, scheduledFor: Date): Promise<number> {
    const last = await this.deps
      .db('core_job_runs')
      .where({ job: name, scheduled_for: iso(scheduledFor) })
      .orderBy('attempt', 'desc')
      .first('attempt', 'status');
    return last?.status === 'abandoned' ? Number(last.attempt) + 1 : 0;
  }

  /** One run row per tick and attempt: a tick whose run was abandoned runs again as the next attempt. */
  private async runLeased(job: Job, info: JobRunInfo): Promise<RunOutcome> {
    let runId: number;
    try {
      const [row] = await this.deps
        .db('core_job_runs')
        .insert({
          job: job.name,
          scheduled_for: iso(info.scheduledFor),
          attempt: await this.nextAttempt(job.name, info.scheduledFor),
          trigger: info.trigger,
          status: 'running',
          instance: this.instanceId,
          started_at: iso(this.deps.clock.now()),
        })
        .returning('id');
      runId = Number(typeof row === 'object' ? (row as { id: number }).id : row);
    } catch (err) {
      if (isUniqueViolation(err)) {
        this.deps.metrics?.runs.inc({ job: job.name, outcome: 'skipped' });
        return 'skipped'; // another instance already ran this tick
      }
      throw err;
    }
    const started = performance.now();
    const done = (outcome: 'succeeded' | 'failed') => {
      this.deps.metrics?.runs.inc({ job: job.name, outcome });
      this.deps.metrics?.duration.observe({ job: job.name, outcome }, (performance.now() - started) / 1000);
      return outcome;
    };
    // A failed run keeps what it reported before it failed: those rows are gone all the same.
    const report: JobReport = { deleted: {} };
    try {
      merge(report, await runReports.run(report, () => job.run(info) as Promise<JobReport | undefined>));
      await this.deps
        .db('core_job_runs')
        .where('id', runId)
        .update({ status: 'succeeded', finished_at: iso(this.deps.clock.now()), report: stored(report) });
      return done('succeeded');
    } catch (err) {
      this.deps.logger.error({ err, job: job.name }, 'job failed');
      await this.deps
        .db('core_job_runs')
        .where('id', runId)
        .update({
          status: 'failed',
          finished_at: iso(this.deps.clock.now()),
          error: String((err as Error).stack ?? err).slice(0, 4000),
          report: stored(report),
        });
      return done('failed');
    }
  }

  /** Each job with its last run, the run's report parsed. */
  async lastRuns(): Promise<Array<{ job: string; schedule: string; last: (Record<string, unknown> & { report: JobReport | null }) | null }>> {
    const out = [];
    for (const job of this.jobs.values()) {
      const last = await this.deps.db('core_job_runs').where('job', job.name).orderBy('id', 'desc').first();
      out.push({ job: job.name, schedule: job.schedule, last: last ? { ...last, report: last.report ? (JSON.parse(last.report) as JobReport) : null } : null });
    }
    return out;
  }
}
