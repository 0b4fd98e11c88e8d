import type { Knex } from 'knex';
import { pageQuery, type PageRequest } from 'plinth/plugin';
import type { Clock } from 'plinth/plugin';
import { countPerDay, zonedDays } from 'plinth/plugin';
import { WorkflowsErrors } from './errors.js';

export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'stopped' | 'blocked';
export const RUN_STATUSES: RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'stopped', 'blocked'];

export interface RunFilter {
  workflow_id?: string;
  status?: RunStatus;
  trigger_type?: string;
  /** created_at at or after / before (ISO). */
  since?: string;
  until?: string;
}

const parse = (text: string | null) => (text === null || text === undefined ? null : JSON.parse(text));

const summary = (r: Record<string, any>) => ({
  id: Number(r.id),
  workflow_id: r.workflow_id,
  version: Number(r.version),
  trigger: { type: r.trigger_type, key: r.trigger_key },
  status: r.status as RunStatus,
  reason: r.reason,
  reason_code: r.reason_code ?? null,
  reason_args: parse(r.reason_args),
  current_step: Number(r.current_step),
  chain: parse(r.chain),
  depth: Number(r.depth),
  rerun_of: r.rerun_of === null ? null : Number(r.rerun_of),
  next_at: r.status === 'pending' || r.status === 'running' ? r.next_at : null,
  created_at: r.created_at,
  started_at: r.started_at,
  finished_at: r.finished_at,
});

const stepView = (s: Record<string, any>) => ({
  index: Number(s.idx),
  id: s.step_id,
  action: s.action,
  status: s.status,
  input: parse(s.input),
  output: parse(s.output),
  error: s.error,
  attempts: Number(s.attempts),
  history: parse(s.history) ?? [],
  started_at: s.started_at,
  finished_at: s.finished_at,
  duration_ms: s.started_at && s.finished_at ? new Date(s.finished_at).getTime() - new Date(s.started_at).getTime() : null,
});

export interface RunsDeps {
  db: Knex;
  clock: Clock;
}

/** Run history as the API shows it: a tenant's runs, filtered and paged; one run with its steps. */
export class Runs {
  constructor(private readonly deps: RunsDeps) {}

  async list(tenantId: string, filter: RunFilter, page: PageRequest) {
    const q = this.deps.db('workflows_runs').where('tenant_id', tenantId);
    if (filter.workflow_id) q.where('workflow_id', filter.workflow_id);
    if (filter.status) q.where('status', filter.status);
    if (filter.trigger_type) q.where('trigger_type', filter.trigger_type);
    if (filter.since) q.where('created_at', '>=', new Date(filter.since).toISOString());
    if (filter.until) q.where('created_at', '<', new Date(filter.until).toISOString());
    return pageQuery(q.orderBy('id', 'desc'), page, summary);
  }

  /**
   * Runs started per day of `timeZone` (the viewer's: the runs page lists times in it) over the
   * last `days` days, today included, by status: every day is listed, with zeros where nothing ran
   * (the runs page's chart). One tenant's, or every tenant's (null) for a superadmin's overview.
   */
  async daily(tenantId: string | null, days: number, timeZone = 'UTC') {
    const span = zonedDays(this.deps.clock.now(), days, timeZone);
    const q = this.deps.db('workflows_runs').modify((q) => (tenantId === null ? q : q.where('tenant_id', tenantId)));
    const counts = new Map<string, Record<string, number>>();
    for (const r of await countPerDay(this.deps.db, q, 'created_at', span, 'status')) counts.set(r.date, { ...counts.get(r.date), [String(r.key)]: r.n });
    return {
      days: span.map(({ date }) => ({ date, runs: Object.fromEntries(RUN_STATUSES.map((status) => [status, counts.get(date)?.[status] ?? 0])) })),
    };
  }

  async row(tenantId: string, runId: number): Promise<Record<string, any>> {
    const row = await this.deps.db('workflows_runs').where({ tenant_id: tenantId, id: runId }).first();
    if (!row) throw WorkflowsErrors.runNotFound(runId);
    return row;
  }

  async get(tenantId: string, runId: number) {
    const row = await this.row(tenantId, runId);
    const steps = await this.deps.db('workflows_run_steps').where('run_id', runId).orderBy('idx');
    return { ...summary(row), trigger_payload: parse(row.trigger_payload), steps: steps.map(stepView) };
  }
}
