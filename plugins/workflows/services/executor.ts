import type { Knex } from 'knex';
import type { Actions } from '../../../core/actions.js';
import { iso, type Clock } from '../../../core/clock.js';
import { AppError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { DEFAULT_RETRY, type RetryDef, type StepDef } from '../definition.js';
import { redact, type TemplateRenderer, type TemplateView } from './render.js';
import type { Versions } from './versions.js';

/** A run as the runner claimed it. */
export interface ClaimedRun {
  id: number;
  workflow_id: string;
  tenant_id: string;
  version_id: number;
  status: string;
  current_step: number;
  trigger_type: string;
  trigger_payload: string;
  chain: string;
  depth: number;
  next_at: string | null;
  created_at: string;
}

interface StepRecord {
  idx: number;
  status: string;
  output: string | null;
  attempts: number;
  history: string;
  started_at: string | null;
}

type StepOutcome = 'next' | 'parked' | 'done';

/** 4xx from an action means the input or the target is wrong: retrying the same call cannot help. */
const permanent = (err: unknown) => err instanceof AppError && err.status < 500 && err.status !== 408 && err.status !== 429;

/** Exponential backoff from `backoff_base_ms`, capped at `backoff_max_ms`, with equal jitter (half fixed, half random). */
export function backoffMs(attempt: number, retry: RetryDef, random = Math.random): number {
  const capped = Math.min(retry.backoff_max_ms, retry.backoff_base_ms * 2 ** (attempt - 1));
  return Math.round(capped / 2 + (capped / 2) * random());
}

const problemsText = (problems: Array<{ path: string; message: string }>) => problems.map((p) => `${p.path} ${p.message}`).join('; ');

/**
 * Moves one claimed run forward: step by step, each recorded before and after it runs, until the
 * run finishes or parks (a `delay`, a retry's backoff). Every write to the run is fenced by the
 * lease token: a runner that lost its lease (paused past it, another instance took over) stops
 * without writing. A step in progress when a process dies runs again on resume (at least once).
 */
export class RunExecutor {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly versions: Versions,
    private readonly actions: Actions,
    private readonly renderer: TemplateRenderer,
    /** Called with the time a parked run is due, so a short wait needs no poll. */
    private readonly wakeAt: (at: Date) => void,
  ) {}

  async advance(run: ClaimedRun, token: string): Promise<void> {
    const version = await this.versions.byId(run.version_id);
    const wf = await this.db('workflows_workflows').where('id', run.workflow_id).first('name', 'secrets');
    if (!version || !wf) return void (await this.finish(run, token, 'failed', 'the workflow or its version no longer exists'));
    if (run.status === 'pending' && !(await this.update(run, token, { status: 'running', started_at: iso(this.clock.now()) }))) return;
    const records = new Map<number, StepRecord>();
    for (const r of await this.db('workflows_run_steps').where('run_id', run.id)) records.set(Number(r.idx), { ...r, attempts: Number(r.attempts) } as StepRecord);
    const steps = version.definition.steps;
    const secrets: Record<string, string> = JSON.parse(wf.secrets ?? '{}');
    const view: TemplateView = {
      trigger: JSON.parse(run.trigger_payload),
      steps: {},
      workflow: { id: run.workflow_id, name: wf.name, version: version.version },
      run: { id: run.id, trigger_type: run.trigger_type, created_at: run.created_at },
      secrets,
    };
    for (let i = 0; i < run.current_step && i < steps.length; i++) {
      const output = records.get(i)?.output;
      view.steps[String(i)] = view.steps[steps[i].id] = output ? JSON.parse(output) : null;
    }
    for (let idx = run.current_step; idx < steps.length; idx++) {
      const outcome = await this.step(run, token, steps[idx], idx, records.get(idx), view);
      if (outcome !== 'next') return;
    }
    await this.finish(run, token, 'succeeded', null, steps.length);
  }

  private async step(run: ClaimedRun, token: string, step: StepDef, idx: number, record: StepRecord | undefined, view: TemplateView): Promise<StepOutcome> {
    const now = this.clock.now();
    const input = this.renderer.render(step.input, view) as Record<string, unknown>;
    const problems = this.actions.check(step.action, input); // fills the schema's defaults in place
    const stored = JSON.stringify(redact(input, Object.values(view.secrets)));
    const attempt = (record?.attempts ?? 0) + 1;
    const history: Array<Record<string, unknown>> = record ? JSON.parse(record.history) : [];
    const save = (fields: Record<string, unknown>) =>
      this.db('workflows_run_steps')
        .insert({ run_id: run.id, idx, step_id: step.id, action: step.action, input: stored, history: JSON.stringify(history.slice(-20)), ...fields })
        .onConflict(['run_id', 'idx'])
        .merge();

    if (problems.length) {
      await save({ status: 'failed', error: `input is invalid: ${problemsText(problems)}`, attempts: attempt, started_at: record?.started_at ?? iso(now), finished_at: iso(now) });
      await this.finish(run, token, 'failed', `step ${step.id} (${step.action}): input is invalid: ${problemsText(problems)}`, idx);
      return 'done';
    }
    // A delay parks the run on its first visit; the runner resumes it when due and the step completes.
    if (step.action === 'delay' && record?.status !== 'waiting') {
      const until = new Date(now.getTime() + Number(input.seconds) * 1000);
      await save({ status: 'waiting', attempts: 0, started_at: iso(now), output: JSON.stringify({ until: iso(until) }) });
      if (await this.update(run, token, { next_at: iso(until), current_step: idx, lease_owner: null, lease_until: null })) this.wakeAt(until);
      return 'parked';
    }

    const started = this.clock.now();
    history.push({ attempt, started_at: iso(started) });
    await save({ status: 'running', attempts: attempt, error: null, started_at: record?.started_at ?? iso(started), finished_at: null });
    const call = {
      tenantId: run.tenant_id,
      meta: { workflow: { chain: JSON.parse(run.chain), depth: run.depth, runId: run.id, workflowId: run.workflow_id, step: step.id } },
      logger: this.logger.child({ runId: run.id, step: step.id }),
      actor: `workflow:${run.workflow_id}`,
    };
    let output: unknown;
    try {
      output = await this.actions.run(step.action, input, call);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const finished = this.clock.now();
      Object.assign(history[history.length - 1], { finished_at: iso(finished), error: message });
      const retry = { ...DEFAULT_RETRY, ...step.retry };
      if (permanent(err) || attempt >= retry.attempts) {
        await save({ status: 'failed', error: message, finished_at: iso(finished) });
        const why = permanent(err) && attempt < retry.attempts ? 'failed (not retried: the error is permanent)' : `failed after ${attempt} attempt${attempt === 1 ? '' : 's'}`;
        await this.finish(run, token, 'failed', `step ${step.id} (${step.action}) ${why}: ${message}`, idx);
        return 'done';
      }
      const due = new Date(finished.getTime() + backoffMs(attempt, retry));
      await save({ status: 'retrying', error: message });
      if (await this.update(run, token, { next_at: iso(due), current_step: idx, lease_owner: null, lease_until: null })) this.wakeAt(due);
      return 'parked';
    }
    const finished = this.clock.now();
    Object.assign(history[history.length - 1], { finished_at: iso(finished) });
    const result = JSON.stringify(redact(output ?? null, Object.values(view.secrets)));
    await save({ status: 'succeeded', output: result, error: null, finished_at: iso(finished) });
    view.steps[String(idx)] = view.steps[step.id] = output ?? null;
    const stop = step.action === 'stop_if' ? (output as { stop?: boolean; reason?: string }) : null;
    if (stop?.stop) {
      await this.finish(run, token, 'stopped', `step ${step.id}: ${stop.reason ?? 'stop condition matched'}`, idx + 1);
      return 'done';
    }
    return (await this.update(run, token, { current_step: idx + 1 })) ? 'next' : 'done';
  }

  private async finish(run: ClaimedRun, token: string, status: 'succeeded' | 'failed' | 'stopped', reason: string | null, currentStep = run.current_step): Promise<void> {
    await this.update(run, token, { status, reason, current_step: currentStep, finished_at: iso(this.clock.now()), next_at: null, lease_owner: null, lease_until: null });
    if (status === 'failed') this.logger.warn({ runId: run.id, workflowId: run.workflow_id, reason }, 'workflow run failed');
  }

  /** Writes to the run only while this runner still holds its lease; false when it does not. */
  private async update(run: ClaimedRun, token: string, fields: Record<string, unknown>): Promise<boolean> {
    const changed = await this.db('workflows_runs').where({ id: run.id, lease_owner: token }).update(fields);
    if (!changed) this.logger.warn({ runId: run.id }, 'workflow run lease lost; another runner continues it');
    return Boolean(changed);
  }
}
