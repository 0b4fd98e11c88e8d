import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { iso, type Clock } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import { leaseEnd, Leases, type LeasedTable } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { WorkflowsSettings } from '../config.js';
import type { ClaimedRun, RunOutcome, StepRecord } from './step-runner.js';

type RunnerSettings = Pick<WorkflowsSettings, 'leaseSeconds' | 'pollIntervalMs' | 'batchSize' | 'concurrency'>;

/**
 * Claims due runs with a lease (as the event outbox claims events: several instances may share a
 * PostgreSQL database) and works on each until it finishes or parks. The lease is renewed while a
 * run is worked on; when a process dies its runs' leases expire and any instance resumes them.
 */
const RUNS: LeasedTable = { table: 'workflows_runs', holder: 'lease_owner', until: 'lease_until' };

/** What RunClaimLoop is built from, passed by name. */
export interface RunClaimLoopDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  settings: RunnerSettings;
  /** Moves one claimed run forward; `token` is the lease it holds. */
  steps: { advance(run: ClaimedRun, token: string): Promise<RunOutcome> };
}

export class RunClaimLoop {
  readonly instanceId = randomUUID();
  private readonly leases: Leases;
  private claims = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly wakers = new Set<NodeJS.Timeout>();
  private claiming: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  /**
   * Runs held and not yet worked on: claimed, or started here and inserted already leased to this
   * instance (see leaseForNew), worked on without a claim. Up to `concurrency` are worked on at
   * once, each taken as soon as a worker is free: a slow run holds one worker, never the others.
   */
  private readonly queue: Array<ClaimedRun & { token: string }> = [];
  private readonly working = new Set<Promise<void>>();
  private lastClaim = 0;
  /** Someone asked for due runs in the database (a poll, a wake-up, a run inserted without a lease, a full claim). */
  private wantClaim = true;

  constructor(private readonly deps: RunClaimLoopDeps) {
    this.leases = new Leases({ db: deps.db, clock: deps.clock, logger: deps.logger });
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.wakers) clearTimeout(t);
    this.wakers.clear();
    await this.claiming;
    await Promise.all(this.working);
    await this.release(this.queue.splice(0));
  }

  /** Runs held but not started (stopping): their leases are freed, so any instance claims them at once. */
  private async release(runs: Array<ClaimedRun & { token: string }>): Promise<void> {
    for (const run of runs) {
      await this.leases
        .release(RUNS, run.token, { id: run.id })
        .catch((err: unknown) => this.deps.logger.warn({ err, runId: run.id }, 'workflow run lease not released; it runs out on its own'));
    }
  }

  /**
   * Looks for due runs now (coalesced with a claim in progress). Detached from the caller's meta:
   * a kick from inside an event handler must not lend that event's chain to other runs.
   */
  kick(claim = true): void {
    if (claim) this.wantClaim = true;
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.claiming = this.deps.events
      .detached(() => this.claimDue())
      .catch((err) => this.deps.logger.error({ err }, 'workflow runner failed'))
      .finally(() => {
        this.claiming = null;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick(false); // whoever asked for a claim meanwhile has set wantClaim
        } else {
          this.timer = setTimeout(() => this.kick(), this.deps.settings.pollIntervalMs);
          this.timer.unref();
        }
      });
  }

  /**
   * The lease for a run this instance is about to insert, so the runner works on it without
   * claiming it first (two statements and a commit fewer per run). Null when the runner is stopped
   * or already holds enough runs: then the run is inserted free and claimed as usual.
   */
  leaseForNew(): { lease_owner: string; lease_until: string } | null {
    if (this.stopped || this.full) return null;
    return { lease_owner: `${this.instanceId}/${++this.claims}`, lease_until: leaseEnd(this.deps.clock, this.deps.settings.leaseSeconds) };
  }

  /**
   * Workers with nothing to do or to take up: a run handed over now starts at once, so its first
   * step can be recorded running with its insert (a run that would wait in the queue is not: its
   * step would be recorded as started before it was).
   */
  freeWorkers(): number {
    return this.stopped ? 0 : Math.max(0, this.deps.settings.concurrency - this.working.size - this.queue.length);
  }

  /** Works on a run inserted with a lease from leaseForNew (`token` is its lease_owner). */
  adopt(run: ClaimedRun & { token: string }): void {
    if (this.stopped) return void this.release([run]);
    this.queue.push(run);
    this.pump();
  }

  /** A parked run on this instance is due before the next poll: wake up for it. */
  wakeAt(at: Date): void {
    const ms = at.getTime() - this.deps.clock.now().getTime();
    if (ms >= this.deps.settings.pollIntervalMs || this.stopped) return;
    const t = setTimeout(
      () => {
        this.wakers.delete(t);
        this.kick();
      },
      Math.max(0, ms),
    );
    t.unref();
    this.wakers.add(t);
  }

  /** Starts work on queued runs while workers are free. */
  private pump(): void {
    while (!this.stopped && this.working.size < this.deps.settings.concurrency && this.queue.length) {
      const run = this.queue.shift()!;
      const done: Promise<void> = this.deps.events
        .detached(() => this.work(run))
        .finally(() => {
          this.working.delete(done);
          // On the next turn of the loop: the runs whose writes shared a commit end together, and
          // the runs that take their places then start together (their first writes share a commit too).
          setImmediate(() => this.pump());
          if (this.claimWanted()) this.kick(false);
        });
      this.working.add(done);
    }
  }

  /**
   * Whether to ask the database for due runs now. When asked to (a poll, a wake-up, a run inserted
   * free, a full claim), once the workers are about to be free: a claimed run waits in the queue
   * with its lease running down. And at least every poll interval, so that while runs started here
   * keep the workers busy, retries, delays and other instances' leftovers still get their turn.
   */
  private claimWanted(): boolean {
    const overdue = performance.now() - this.lastClaim >= this.deps.settings.pollIntervalMs;
    return !this.stopped && !this.full && ((this.wantClaim && this.queue.length < this.deps.settings.concurrency) || overdue);
  }

  private async claimDue(): Promise<void> {
    this.pump();
    while (this.claimWanted()) {
      this.wantClaim = false;
      const claimed = await this.claim();
      this.queue.push(...claimed);
      this.pump();
      if (claimed.length < this.deps.settings.batchSize) return;
      this.wantClaim = true; // a full claim may have left more behind
    }
  }

  /** As many runs as this instance holds unstarted at most; past it new runs are inserted free and left to any instance. */
  private get full(): boolean {
    return this.queue.length >= this.deps.settings.batchSize * 4;
  }

  private async claim(): Promise<Array<ClaimedRun & { token: string }>> {
    this.lastClaim = performance.now();
    const now = iso(this.deps.clock.now());
    const token = `${this.instanceId}/${++this.claims}`;
    // Due: a run has a next_at only while it is pending or running (the due index holds just those runs, in this order).
    const due = (q: Knex.QueryBuilder) => q.where('next_at', '<=', now);
    // A claimed run is running from its claim (started now, unless it started before a park or a crash).
    const rows = await this.leases.claimRows<Record<string, any>>(RUNS, {
      holder: token,
      seconds: this.deps.settings.leaseSeconds,
      limit: this.deps.settings.batchSize,
      orderBy: 'next_at',
      where: due,
      set: { status: 'running', started_at: this.deps.db.raw('coalesce(??, ?)', ['started_at', now]) },
    });
    if (!rows.length) return [];
    // Their workflows' names and secrets, and their step records, in one read each, not one per run.
    const workflows = new Map<string, { name: string; secrets: Record<string, string> }>();
    const ids = [...new Set(rows.map((r) => r.workflow_id as string))];
    for (const w of await this.deps.db('workflows_workflows').whereIn('id', ids).select('id', 'name', 'secrets'))
      workflows.set(w.id, { name: w.name, secrets: JSON.parse(w.secrets ?? '{}') });
    const records = await this.stepRecordsOf(rows.map((r) => r.id));
    return rows.map((r) => ({
      ...(r as ClaimedRun),
      id: r.id,
      version_id: Number(r.version_id),
      current_step: Number(r.current_step),
      depth: Number(r.depth),
      workflow: workflows.get(r.workflow_id),
      records: records.get(Number(r.id)) ?? [],
      token,
    }));
  }

  /** The step records of the runs, by run (a run not begun yet has none). */
  private async stepRecordsOf(runIds: number[]): Promise<Map<number, StepRecord[]>> {
    const byRun = new Map<number, StepRecord[]>();
    for (const r of await this.deps.db('workflows_run_steps').whereIn('run_id', runIds)) {
      const runId = Number(r.run_id);
      const records = byRun.get(runId) ?? [];
      records.push({ ...r, idx: Number(r.idx), attempts: Number(r.attempts) });
      byRun.set(runId, records);
    }
    return byRun;
  }

  /** Works on one run, renewing its lease meanwhile; an unexpected error leaves the lease to expire (then it is retried). */
  private async work(run: ClaimedRun & { token: string }): Promise<void> {
    const hold = this.leases.hold(RUNS, run.token, this.deps.settings.leaseSeconds, { id: run.id });
    try {
      const { parkedUntil } = await this.deps.steps.advance(run, run.token);
      if (parkedUntil) this.wakeAt(parkedUntil);
    } catch (err) {
      this.deps.logger.error({ err, runId: run.id }, 'workflow run step could not be recorded; it resumes when its lease expires');
    } finally {
      hold.stop();
    }
  }
}
