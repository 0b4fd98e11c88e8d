import type { Knex } from 'knex';
import { iso, type Clock } from '../../../core/clock.js';
import { isUniqueViolation } from '../../../core/db/connection.js';
import type { Logger } from '../../../core/logger.js';
import type { FieldError } from '../../../core/validation.js';
import type { WorkflowsSettings } from '../config.js';
import type { Conditions } from './conditions.js';
import type { ClaimedRun } from './step-runner.js';
import type { Versions } from './versions.js';
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
}

export type StartOutcome =
  | { outcome: 'started'; runId: number }
  | { outcome: 'blocked'; runId: number; reason: string }
  | { outcome: 'not_matched'; errors: FieldError[] }
  | { outcome: 'duplicate'; runId: number };

/** What RunStarter is built from, passed by name. */
export interface RunStarterDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  versions: Versions;
  conditions: Conditions;
  settings: Pick<WorkflowsSettings, 'maxDepth' | 'maxRunsPerMinute'>;
  /** The runner: new runs are handed to it leased (no claim needed), or it is woken to claim them. */
  runner: {
    kick(): void;
    leaseForNew(): { lease_owner: string; lease_until: string } | null;
    adopt(run: ClaimedRun & { token: string }): void;
  };
}

/**
 * Turns a trigger into a run: the version's condition first, then the guards (a loop, a chain too
 * deep, a workflow starting too often), then one row. A guarded trigger is recorded as a blocked
 * run with its reason and logged; it never runs and never retries.
 */
export class RunStarter {
  private readonly db: Knex;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly versions: Versions;
  private readonly conditions: Conditions;
  private readonly settings: RunStarterDeps['settings'];
  private readonly runner: RunStarterDeps['runner'];

  constructor({ db, clock, logger, versions, conditions, settings, runner }: RunStarterDeps) {
    this.db = db;
    this.clock = clock;
    this.logger = logger;
    this.versions = versions;
    this.conditions = conditions;
    this.settings = settings;
    this.runner = runner;
  }

  async start(req: StartRequest): Promise<StartOutcome> {
    const wf = req.workflow;
    const version = await this.versions.byId(wf.version_id);
    if (!version) throw new Error(`workflow ${wf.id} has no version ${wf.version_id}`);
    const match = this.conditions.forVersion(version.id, version.definition.condition, req.payload);
    if (!match.matched) return { outcome: 'not_matched', errors: match.errors };
    const cause = req.cause ?? NO_CAUSE;
    const reason = await this.blockReason(wf, cause, req.automatic);
    const now = iso(this.clock.now());
    const row = {
      workflow_id: wf.id,
      tenant_id: wf.tenant_id,
      version_id: version.id,
      version: version.version,
      trigger_type: req.triggerType,
      trigger_key: req.triggerKey,
      trigger_payload: JSON.stringify(req.payload ?? {}),
      status: reason ? 'blocked' : 'pending',
      reason,
      current_step: 0,
      chain: JSON.stringify([...cause.chain, wf.id]),
      depth: cause.depth + 1,
      rerun_of: req.rerunOf ?? null,
      next_at: reason ? null : now,
      created_at: now,
      finished_at: reason ? now : null,
    };
    const lease = reason ? null : this.runner.leaseForNew();
    let runId: number;
    try {
      const [inserted] = await this.db('workflows_runs')
        .insert({ ...row, ...lease })
        .returning('id');
      runId = Number(typeof inserted === 'object' ? (inserted as { id: number }).id : inserted);
    } catch (err) {
      if (!isUniqueViolation(err) || !req.triggerKey) throw err;
      // Delivered again (the outbox is at least once, webhooks are retried): the first run stands.
      const first = await this.db('workflows_runs').where({ workflow_id: wf.id, trigger_key: req.triggerKey }).first('id');
      return { outcome: 'duplicate', runId: Number(first.id) };
    }
    if (reason) {
      this.logger.warn({ workflowId: wf.id, tenantId: wf.tenant_id, runId, trigger: req.triggerType, reason }, 'workflow run blocked');
      return { outcome: 'blocked', runId, reason };
    }
    if (lease) this.runner.adopt({ ...row, id: runId, version_id: version.id, token: lease.lease_owner });
    else this.runner.kick();
    return { outcome: 'started', runId };
  }

  private async blockReason(wf: WorkflowRow, cause: Cause, automatic: boolean): Promise<string | null> {
    if (cause.chain.includes(wf.id)) {
      return `loop: this workflow is already in the chain of runs that caused the trigger (${cause.chain.join(' -> ')})`;
    }
    if (cause.depth >= this.settings.maxDepth) {
      return `depth: the trigger was caused by a chain of ${cause.depth} workflow runs; the limit is ${this.settings.maxDepth} (settings.workflows.maxDepth)`;
    }
    if (!automatic) return null;
    // A loop that leaves the process (mail sent to a mailbox here, a webhook calling back) carries
    // no chain; a workflow starting more often than this is stopped here instead.
    const since = iso(new Date(this.clock.now().getTime() - 60_000));
    // Counted up to the limit only: a busy workflow's check reads at most maxRunsPerMinute rows.
    const recent = this.db('workflows_runs')
      .select('id')
      .where('workflow_id', wf.id)
      .andWhere('created_at', '>=', since)
      .whereNot('status', 'blocked')
      .limit(this.settings.maxRunsPerMinute);
    const [{ n }] = await this.db.from(recent.as('recent')).count({ n: '*' });
    if (Number(n) >= this.settings.maxRunsPerMinute) {
      return `rate: ${Number(n)} runs in the last minute; the limit is ${this.settings.maxRunsPerMinute} per workflow (settings.workflows.maxRunsPerMinute)`;
    }
    return null;
  }
}
