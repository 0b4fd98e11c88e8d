import type { Knex } from 'knex';
import { insertRows, insertRowsReturning, iso, type Clock } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { childOf, currentTraceHeaders, traceHeadersOf, type TraceHeaders } from 'plinth/plugin';
import type { FieldError } from 'plinth/plugin';
import type { WorkflowsSettings } from '../config.js';
import type { RunsPerMinute } from './circuit-breaker.js';
import type { Conditions } from './conditions.js';
import { reasonColumns, reasons, type RunReason } from './reasons.js';
import type { BegunStep, ClaimedRun } from './step-runner.js';
import type { VersionRecord, Versions } from './versions.js';
import type { WorkflowRow } from './workflows.js';

/** Where an event came from, as runs record it in the meta of everything they cause. */
export interface Cause {
  chain: string[];
  depth: number;
}

export const NO_CAUSE: Cause = { chain: [], depth: 0 };

/** The workflow chain an event carries (`meta.workflow`), or none. */
export function causeOf(meta: Record<string, unknown>): Cause {
  const w = meta.workflow as { chain?: unknown; depth?: unknown } | undefined;
  const chain = Array.isArray(w?.chain) ? w.chain.filter((x): x is string => typeof x === 'string') : [];
  return { chain, depth: typeof w?.depth === 'number' ? w.depth : chain.length };
}

export type RunTriggerType = 'event' | 'cron' | 'webhook' | 'manual' | 'rerun';

export interface StartRequest {
  workflow: WorkflowRow;
  triggerType: RunTriggerType;
  /** Unique per workflow (`event:<id>`, `cron:<time>`, `webhook:<id>`): the same trigger never starts two runs. */
  triggerKey: string | null;
  payload: unknown;
  cause?: Cause;
  /** Automatic triggers count against the per-workflow circuit breaker; people do not. */
  automatic: boolean;
  rerunOf?: number;
  /** The trace the run continues (an event's); the caller's (a request's) when absent, else a new one. */
  trace?: TraceHeaders | null;
}

export type StartOutcome =
  | { outcome: 'started'; runId: number }
  | { outcome: 'blocked'; runId: number; reason: string }
  | { outcome: 'not_matched'; errors: FieldError[] }
  | { outcome: 'duplicate'; runId: number };

/** A run's row as the starter writes it (the lease, when it has one, is added beside). */
type RunRow = Omit<ClaimedRun, 'id' | 'records'> & {
  version: number;
  trigger_key: string | null;
  reason: string | null;
  reason_code: string | null;
  reason_args: string | null;
  rerun_of: number | null;
  started_at: string | null;
  finished_at: string | null;
};
type RunLease = { lease_owner: string; lease_until: string };

const workflowOf = (req: StartRequest) => ({ name: req.workflow.name, secrets: req.workflow.secrets });

/** The run's trace columns: every run has one, so all its steps (resumed later, anywhere) share one trace id. */
function runTrace(trace: TraceHeaders | null | undefined): { traceparent: string; tracestate: string | null } {
  const t = trace ?? currentTraceHeaders() ?? traceHeadersOf(childOf(null));
  return { traceparent: t.traceparent, tracestate: t.tracestate ?? null };
}

/** What RunStarter is built from, passed by name. */
export interface RunStarterDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  versions: Versions;
  conditions: Conditions;
  settings: Pick<WorkflowsSettings, 'maxDepth' | 'maxRunsPerMinute'>;
  /** The circuit breaker's count of each workflow's runs of the last minute. */
  runsPerMinute: RunsPerMinute;
  /** The runner: new runs are handed to it leased (no claim needed), or it is woken to claim them. */
  runner: {
    kick(): void;
    leaseForNew(): RunLease | null;
    freeWorkers(): number;
    adopt(run: ClaimedRun & { token: string }): void;
  };
  /** A new run's first step recorded running, to write with the run (see StepRunner.firstStep). */
  steps: {
    firstStep(
      run: Omit<ClaimedRun, 'records'>,
      wf: { name: string; secrets: Record<string, string> },
      version: VersionRecord,
    ): { row: Record<string, unknown>; begun: BegunStep } | null;
  };
  /** Told of each tenant that has new runs, once they are committed (the admin pages' live channel). */
  started?: (tenantId: string) => void;
}

/** A run to insert: its row, its lease when this instance works on it at once, its version. */
interface Insert {
  req: StartRequest;
  row: RunRow;
  lease: RunLease | null;
  version: VersionRecord;
  /** Whether its first step is recorded running with it (a leased run a worker takes up at once). */
  begin: boolean;
  /** That step, once recorded. */
  begun?: BegunStep;
}

/**
 * Turns a trigger into a run: the version's condition first, then the guards (a loop, a chain too
 * deep, a workflow starting too often), then one row. A guarded trigger is recorded as a blocked
 * run with its reason and logged; it never runs and never retries.
 */
export class RunStarter {
  constructor(private readonly deps: RunStarterDeps) {}

  async start(req: StartRequest): Promise<StartOutcome> {
    const [outcome] = await this.startMany([req]);
    return outcome;
  }

  /**
   * Several triggers at once (a batch of events): each is checked as start() checks one, and the
   * runs are written in one commit; the same trigger key again (a redelivery) keeps the first run.
   */
  async startMany(reqs: StartRequest[]): Promise<StartOutcome[]> {
    const outcomes: StartOutcome[] = new Array(reqs.length);
    const inserts: Array<Insert & { i: number }> = [];
    const at = this.deps.clock.now();
    const now = iso(at);
    let free = this.deps.runner.freeWorkers();
    for (const [i, req] of reqs.entries()) {
      const planned = await this.rowFor(req, at);
      if ('outcome' in planned) outcomes[i] = planned;
      else {
        const lease = planned.row.reason ? null : this.deps.runner.leaseForNew();
        // A run leased to this instance is taken up with its insert (as a claim takes one up): running
        // from then on. One a free worker here starts at once has its first step recorded with it.
        if (lease) Object.assign(planned.row, { status: 'running', started_at: now });
        const begin = lease !== null && free-- > 0;
        inserts.push({ i, req, ...planned, lease, begin });
      }
    }
    if (!inserts.length) return outcomes;
    const ids = await this.deps.db.transaction((trx) => this.insertRuns(trx, inserts));
    let kick = false;
    for (const [k, { i, req, row, lease, begun }] of inserts.entries()) {
      const runId = ids[k];
      if (runId === null) {
        // Delivered again (the outbox is at least once, webhooks are retried): the first run stands.
        const first = await this.deps.db('workflows_runs').where({ workflow_id: row.workflow_id, trigger_key: req.triggerKey }).first('id');
        outcomes[i] = { outcome: 'duplicate', runId: Number(first.id) };
      } else if (row.reason) {
        this.deps.logger.warn(
          { workflowId: row.workflow_id, tenantId: row.tenant_id, runId, trigger: req.triggerType, reason: row.reason },
          'workflow run blocked',
        );
        outcomes[i] = { outcome: 'blocked', runId, reason: row.reason };
      } else {
        if (lease) this.deps.runner.adopt({ ...row, id: runId, token: lease.lease_owner, workflow: workflowOf(req), begun, records: [] });
        else kick = true;
        outcomes[i] = { outcome: 'started', runId };
      }
    }
    if (kick) this.deps.runner.kick();
    for (const tenantId of new Set(inserts.filter((_, k) => ids[k] !== null).map(({ row }) => row.tenant_id))) this.deps.started?.(tenantId);
    return outcomes;
  }

  /**
   * The runs of a batch, a multi-row insert per 50; a trigger key the workflow already has is
   * skipped (null: a redelivery). Which row got which id: a keyed row by its key (the first of a
   * key within the batch wins), the unkeyed ones (never skipped) in id order, which is row order.
   * Then the first steps of the runs to begin, recorded running (`begun` set on each insert).
   */
  private async insertRuns(trx: Knex.Transaction, inserts: Insert[]): Promise<Array<number | null>> {
    const ids: Array<number | null> = new Array(inserts.length).fill(null);
    const keyOf = (workflowId: string, triggerKey: string) => `${workflowId}\n${triggerKey}`;
    for (let from = 0; from < inserts.length; from += 50) {
      const chunk = inserts.slice(from, from + 50);
      const returned = await insertRowsReturning<{ id: number | string; workflow_id: string; trigger_key: string | null }>(
        trx,
        'workflows_runs',
        chunk.map(({ row, lease }) => ({ ...row, lease_owner: lease?.lease_owner ?? null, lease_until: lease?.lease_until ?? null })),
        ['id', 'workflow_id', 'trigger_key'],
        { columns: ['workflow_id', 'trigger_key'], action: 'ignore' },
      );
      const keyed = new Map<string, number>();
      const unkeyed: number[] = [];
      chunk.forEach(({ row }, k) => {
        if (row.trigger_key === null) unkeyed.push(from + k);
        else if (!keyed.has(keyOf(row.workflow_id, row.trigger_key))) keyed.set(keyOf(row.workflow_id, row.trigger_key), from + k);
      });
      for (const r of [...returned].sort((a, b) => Number(a.id) - Number(b.id))) {
        const at = r.trigger_key === null ? unkeyed.shift() : keyed.get(keyOf(r.workflow_id, r.trigger_key));
        if (at !== undefined) ids[at] = Number(r.id);
      }
    }
    const steps: Array<Record<string, unknown>> = [];
    for (const [k, insert] of inserts.entries()) {
      const id = ids[k];
      if (id === null || !insert.begin) continue;
      const first = this.deps.steps.firstStep({ ...insert.row, id }, workflowOf(insert.req), insert.version);
      if (!first) continue;
      steps.push(first.row);
      insert.begun = first.begun;
    }
    for (let from = 0; from < steps.length; from += 50) await insertRows(trx, 'workflows_run_steps', steps.slice(from, from + 50));
    return ids;
  }

  /** The run a trigger starts (blocked, with its reason, when a guard stops it) with its version, or not_matched. */
  private async rowFor(req: StartRequest, at: Date): Promise<{ row: RunRow; version: VersionRecord } | StartOutcome> {
    const now = iso(at);
    const wf = req.workflow;
    const version = await this.deps.versions.byId(wf.version_id);
    if (!version) throw new Error(`workflow ${wf.id} has no version ${wf.version_id}`);
    const match = this.deps.conditions.forVersion(version.id, version.definition.condition, req.payload);
    if (!match.matched) return { outcome: 'not_matched', errors: match.errors };
    const cause = req.cause ?? NO_CAUSE;
    const reason = await this.blockReason(wf, cause, req.automatic, at);
    const row: RunRow = {
      workflow_id: wf.id,
      tenant_id: wf.tenant_id,
      version_id: version.id,
      version: version.version,
      trigger_type: req.triggerType,
      trigger_key: req.triggerKey,
      trigger_payload: JSON.stringify(req.payload ?? {}),
      status: reason ? 'blocked' : 'pending',
      ...reasonColumns(reason),
      current_step: 0,
      chain: JSON.stringify([...cause.chain, wf.id]),
      depth: cause.depth + 1,
      rerun_of: req.rerunOf ?? null,
      ...runTrace(req.trace),
      next_at: reason ? null : now,
      created_at: now,
      started_at: null,
      finished_at: reason ? now : null,
    };
    return { row, version };
  }

  /** Why a trigger must not start a run, or null; a run it may start is counted at once (the next trigger of a batch sees it). */
  private async blockReason(wf: WorkflowRow, cause: Cause, automatic: boolean, at: Date): Promise<RunReason | null> {
    if (cause.chain.includes(wf.id)) {
      return reasons.loop(cause.chain);
    }
    if (cause.depth >= this.deps.settings.maxDepth) {
      return reasons.depth(cause.depth, this.deps.settings.maxDepth);
    }
    if (!automatic) return null;
    const n = await this.deps.runsPerMinute.of(wf.id, at);
    if (n >= this.deps.settings.maxRunsPerMinute) {
      return reasons.rate(n, this.deps.settings.maxRunsPerMinute);
    }
    this.deps.runsPerMinute.started(wf.id);
    return null;
  }
}
