import type { Knex } from 'knex';
import { AppError } from '../../../core/errors.js';
import { pageOffset, toPage, type PageRequest } from '../../../core/http/pagination.js';

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

/** Run history as the API shows it: a tenant's runs, filtered and paged; one run with its steps. */
export class Runs {
  constructor(private readonly db: Knex) {}

  async list(tenantId: string, filter: RunFilter, page: PageRequest) {
    const q = this.db('workflows_runs').where('tenant_id', tenantId);
    if (filter.workflow_id) q.where('workflow_id', filter.workflow_id);
    if (filter.status) q.where('status', filter.status);
    if (filter.trigger_type) q.where('trigger_type', filter.trigger_type);
    if (filter.since) q.where('created_at', '>=', new Date(filter.since).toISOString());
    if (filter.until) q.where('created_at', '<', new Date(filter.until).toISOString());
    const [{ n }] = await q.clone().count({ n: '*' });
    const rows = await q.orderBy('id', 'desc').limit(page.page_size).offset(pageOffset(page));
    return toPage(rows.map(summary), n as number, page);
  }

  async row(tenantId: string, runId: number): Promise<Record<string, any>> {
    const row = await this.db('workflows_runs').where({ tenant_id: tenantId, id: runId }).first();
    if (!row) throw AppError.notFound(`run ${runId} not found`, 'run_not_found');
    return row;
  }

  async get(tenantId: string, runId: number) {
    const row = await this.row(tenantId, runId);
    const steps = await this.db('workflows_run_steps').where('run_id', runId).orderBy('idx');
    return { ...summary(row), trigger_payload: parse(row.trigger_payload), steps: steps.map(stepView) };
  }
}
