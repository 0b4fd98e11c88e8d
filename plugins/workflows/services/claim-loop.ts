import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { iso, type Clock } from '../../../core/clock.js';
import type { EventBus } from '../../../core/events/outbox.js';
import { leaseEnd, Leases, type LeasedTable } from '../../../core/leases.js';
import type { Logger } from '../../../core/logger.js';
import type { WorkflowsSettings } from '../config.js';
import type { ClaimedRun, RunOutcome } from './step-runner.js';

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
  private readonly db: Knex;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly events: EventBus;
  private readonly settings: RunnerSettings;
  private readonly steps: RunClaimLoopDeps['steps'];
  private readonly leases: Leases;
  private claims = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly wakers = new Set<NodeJS.Timeout>();
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  /** Runs this instance just started, inserted already leased to it (see leaseForNew): worked on without a claim. */
  private readonly adopted: Array<ClaimedRun & { token: string }> = [];
  private lastClaim = 0;
  /** Someone asked for due runs in the database (a poll, a wake-up, a run inserted without a lease). */
  private wantClaim = true;

  constructor({ db, clock, logger, events, settings, steps }: RunClaimLoopDeps) {
    this.db = db;
    this.clock = clock;
    this.logger = logger;
    this.events = events;
    this.settings = settings;
    this.steps = steps;
    this.leases = new Leases(db, clock, logger);
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
    await this.running;
    await this.release(this.adopted.splice(0));
  }

  /** Runs held but not started (stopping): their leases are freed, so any instance claims them at once. */
  private async release(runs: Array<ClaimedRun & { token: string }>): Promise<void> {
    for (const run of runs) {
      await this.leases
        .release(RUNS, run.token, { id: run.id })
        .catch((err: unknown) => this.logger.warn({ err, runId: run.id }, 'workflow run lease not released; it runs out on its own'));
    }
  }

  /**
   * Looks for due runs now (coalesced with a pass in progress). Detached from the caller's meta:
   * a kick from inside an event handler must not lend that event's chain to other runs.
   */
  kick(claim = true): void {
    if (claim) this.wantClaim = true;
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.events
      .detached(() => this.drain())
      .catch((err) => this.logger.error({ err }, 'workflow runner failed'))
      .finally(() => {
        this.running = null;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick(false); // whoever asked for a claim meanwhile has set wantClaim
        } else {
          this.timer = setTimeout(() => this.kick(), this.settings.pollIntervalMs);
          this.timer.unref();
        }
      });
  }

  /**
   * The lease for a run this instance is about to insert, so the runner works on it without
   * claiming it first (two statements and a commit fewer per run). Null when the runner is stopped
   * or already holds enough adopted runs: then the run is inserted free and claimed as usual.
   */
  leaseForNew(): { lease_owner: string; lease_until: string } | null {
    if (this.stopped || this.adopted.length >= this.settings.batchSize * 4) return null;
    return { lease_owner: `${this.instanceId}/${++this.claims}`, lease_until: leaseEnd(this.clock, this.settings.leaseSeconds) };
  }

  /** Works on a run inserted with a lease from leaseForNew (`token` is its lease_owner). */
  adopt(run: ClaimedRun & { token: string }): void {
    if (this.stopped) return void this.release([run]);
    this.adopted.push(run);
    this.kick(false);
  }

  /** A parked run on this instance is due before the next poll: wake up for it. */
  wakeAt(at: Date): void {
    const ms = at.getTime() - this.clock.now().getTime();
    if (ms >= this.settings.pollIntervalMs || this.stopped) return;
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

  private async drain(): Promise<void> {
    for (;;) {
      // Runs started here come leased already; the database is asked for due runs (retries, delays,
      // runs inserted without a lease, other instances' leftovers) when something wants it (a poll,
      // a wake-up, a run inserted free) and at least every poll interval while adopted runs keep coming.
      const adopted = this.adopted.splice(0, this.settings.batchSize);
      const ask = this.wantClaim || performance.now() - this.lastClaim >= this.settings.pollIntervalMs;
      this.wantClaim = false;
      const claimed = ask ? await this.claim() : [];
      // A full claim may have left more due runs behind: claim again on the next pass, not at the next poll.
      if (claimed.length >= this.settings.batchSize) this.wantClaim = true;
      const batch = [...adopted, ...claimed];
      if (!batch.length) return;
      let next = 0;
      const worker = async () => {
        while (next < batch.length && !this.stopped) await this.work(batch[next++]);
      };
      await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, batch.length) }, worker));
      if (this.stopped) {
        this.adopted.push(...batch.slice(next)); // released by stop()
        return;
      }
    }
  }

  private async claim(): Promise<Array<ClaimedRun & { token: string }>> {
    this.lastClaim = performance.now();
    const now = iso(this.clock.now());
    const token = `${this.instanceId}/${++this.claims}`;
    const due = (q: Knex.QueryBuilder) => q.whereIn('status', ['pending', 'running']).andWhere('next_at', '<=', now);
    const claimed = await this.leases.claim(RUNS, {
      holder: token,
      seconds: this.settings.leaseSeconds,
      limit: this.settings.batchSize,
      orderBy: 'next_at',
      where: due,
    });
    if (!claimed) return [];
    const rows = await this.db('workflows_runs').where('lease_owner', token).orderBy('id');
    // Their workflows' names and secrets in one read, not one per run.
    const workflows = new Map<string, { name: string; secrets: Record<string, string> }>();
    const ids = [...new Set(rows.map((r: { workflow_id: string }) => r.workflow_id))];
    for (const w of await this.db('workflows_workflows').whereIn('id', ids).select('id', 'name', 'secrets'))
      workflows.set(w.id, { name: w.name, secrets: JSON.parse(w.secrets ?? '{}') });
    return rows.map((r: Record<string, any>) => ({
      ...(r as ClaimedRun),
      id: Number(r.id),
      version_id: Number(r.version_id),
      current_step: Number(r.current_step),
      depth: Number(r.depth),
      workflow: workflows.get(r.workflow_id),
      token,
    }));
  }

  /** Works on one run, renewing its lease meanwhile; an unexpected error leaves the lease to expire (then it is retried). */
  private async work(run: ClaimedRun & { token: string }): Promise<void> {
    const hold = this.leases.hold(RUNS, run.token, this.settings.leaseSeconds, { id: run.id });
    try {
      const { parkedUntil } = await this.steps.advance(run, run.token);
      if (parkedUntil) this.wakeAt(parkedUntil);
    } catch (err) {
      this.logger.error({ err, runId: run.id }, 'workflow run step could not be recorded; it resumes when its lease expires');
    } finally {
      hold.stop();
    }
  }
}
