// Over 400 lines: a step's run, retry and outcome, and the group-committed writes that record them
// (one statement on PostgreSQL), are one lease-fenced mechanism; split, the fence would cross files.
import type { Knex } from 'knex';
import type { ActionControl, Actions } from 'plinth/plugin';
import { iso, type Clock } from 'plinth/plugin';
import { GroupCommit, insertRows, queryRows, updateWhere } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { inSpan, spanOf } from 'plinth/plugin';
import type { StepDef } from '../definition.js';
import { backoffMs, retryPolicy } from '../step-retry.js';
import { reasonColumns, reasons, type RunReason } from './reasons.js';
import { redact, type TemplateRenderer, type TemplateView } from './render.js';
import type { VersionRecord, Versions } from './versions.js';

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
  /** The trace the run continues (W3C headers; null for runs from before traces were kept). */
  traceparent?: string | null;
  tracestate?: string | null;
  /** The workflow's name and secrets, when the starter handed the run over with them (one read fewer). */
  workflow?: { name: string; secrets: Record<string, string> };
  /** Its first step, already recorded running with the run's insert (see StepRunner.firstStep). */
  begun?: BegunStep;
  /** Its steps' records as they were when it was taken up (none for a run not begun yet): read once per claim, not per run. */
  records: StepRecord[];
}

/** A step about to run: its input rendered (the schema's defaults filled in), as recorded. */
interface PreparedStep {
  input: Record<string, unknown>;
  problems: Array<{ path: string; message: string }>;
  /** The input as recorded (secrets redacted). */
  stored: string;
  attempt: number;
  history: Array<Record<string, unknown>>;
}

/** A run's first step as the starter recorded it running, in the commit that inserted the run. */
export interface BegunStep {
  prepared: PreparedStep;
}

export interface StepRecord {
  idx: number;
  status: string;
  output: string | null;
  attempts: number;
  history: string;
  started_at: string | null;
}

/** What one step did to its run: go on to the next step, park until a time, or end it. */
type StepOutcome = { next: true } | { parkedUntil: Date } | { done: true };

/** What advancing a run came to: parked until a time (the claim loop wakes up for it), or not. */
export interface RunOutcome {
  parkedUntil: Date | null;
}

const NEXT: StepOutcome = { next: true };
const DONE: StepOutcome = { done: true };

/** One run's change (and its step's record) for the group commit. */
interface RunWrite {
  runId: number;
  token: string;
  stepRow: Record<string, unknown> | null;
  /**
   * The run's fields, written fenced by the lease; null: only the step's record (a step starting,
   * its run's lease taken or written by this worker a moment before).
   */
  fields: Record<string, unknown> | null;
}

/** A write that changes the run's own row (and so is fenced by its lease). */
type FencedWrite = RunWrite & { fields: Record<string, unknown> };

/** 4xx from an action means the input or the target is wrong: retrying the same call cannot help. */
const permanent = (err: unknown) => err instanceof AppError && err.status < 500 && err.status !== 408 && err.status !== 429;

const problemsText = (problems: Array<{ path: string; message: string }>) => problems.map((p) => `${p.path} ${p.message}`).join('; ');

/**
 * Moves one claimed run forward: step by step, each recorded before and after it runs, until the
 * run finishes or parks (an action asked to — `delay` — or a retry's backoff). Every write to the
 * run is fenced by the lease token: a runner that lost its lease (paused past it, another instance
 * took over) stops without writing. A step in progress when a process dies runs again on resume
 * (at least once). Actions steer the run through the control they return (park, stop): no action
 * is special-cased here.
 */
export class StepRunner {
  /** Step records and run changes of the runs worked on at once share commits (see GroupCommit). */
  private readonly writes: GroupCommit<RunWrite, boolean>;

  constructor(
    private readonly deps: {
      db: Knex;
      clock: Clock;
      logger: Logger;
      versions: Versions;
      actions: Actions;
      renderer: TemplateRenderer;
      /** Tells the tenant's admin pages a run ended (the live channel). */
      ended?: (run: ClaimedRun, status: string) => Promise<void>;
    },
  ) {
    this.writes = new GroupCommit({
      db: deps.db,
      logger: deps.logger,
      write: (trx, items) => this.writeBatch(trx, items),
      maxBatch: 64,
      name: 'workflow steps',
      // A run's next step waits for its write: the workers would sit idle through every sync.
      pipeline: true,
      // On PostgreSQL a batch is one statement (writeBatchInOne): no BEGIN and COMMIT around it.
      oneStatement: true,
    });
  }

  private get db() {
    return this.deps.db;
  }

  private get clock() {
    return this.deps.clock;
  }

  private get logger() {
    return this.deps.logger;
  }

  /** In a span of the trace the run continues (the request or event that started it), wherever and whenever it runs. */
  advance(run: ClaimedRun, token: string): Promise<RunOutcome> {
    return inSpan('workflow run', spanOf(run), { 'plinth.workflow.id': run.workflow_id, 'plinth.workflow.run_id': run.id }, () => this.advanceRun(run, token));
  }

  private async advanceRun(run: ClaimedRun, token: string): Promise<RunOutcome> {
    const idle: RunOutcome = { parkedUntil: null };
    const version = await this.deps.versions.byId(run.version_id);
    const wf = run.workflow ?? (await this.workflowOf(run.workflow_id));
    if (!version || !wf) {
      await this.finish(run, token, 'failed', reasons.gone());
      return idle;
    }
    // A run is running once taken up (its claim, or its insert leased to this instance, set it so).
    const records = new Map(run.records.map((r) => [r.idx, r]));
    const steps = version.definition.steps;
    const view = viewOf(run, wf, version);
    for (let i = 0; i < run.current_step && i < steps.length; i++) {
      const output = records.get(i)?.output;
      view.steps[String(i)] = view.steps[steps[i].id] = output ? JSON.parse(output) : null;
    }
    if (run.current_step >= steps.length) {
      await this.finish(run, token, 'succeeded', null, steps.length);
      return idle;
    }
    for (let idx = run.current_step; idx < steps.length; idx++) {
      const outcome = await this.step(run, token, steps[idx], idx, records.get(idx), view, idx === steps.length - 1);
      if ('parkedUntil' in outcome) return { parkedUntil: outcome.parkedUntil };
      if ('done' in outcome) return idle;
    }
    return idle;
  }

  private async workflowOf(id: string): Promise<{ name: string; secrets: Record<string, string> } | null> {
    const row = await this.db('workflows_workflows').where('id', id).first('name', 'secrets');
    return row ? { name: row.name, secrets: JSON.parse(row.secrets ?? '{}') } : null;
  }

  /**
   * One step: recorded as running before its action runs and with its outcome after, the outcome in
   * one commit with the run's own change (the last step's success with the run's end), fenced by the
   * lease.
   */
  private async step(
    run: ClaimedRun,
    token: string,
    step: StepDef,
    idx: number,
    record: StepRecord | undefined,
    view: TemplateView,
    last: boolean,
  ): Promise<StepOutcome> {
    const now = this.clock.now();
    const begun = idx === run.current_step ? run.begun : undefined;
    const { input, problems, stored, attempt, history } = begun?.prepared ?? this.prepare(step, record, view);
    const stepRow = (fields: Record<string, unknown>) => ({
      run_id: run.id,
      idx,
      step_id: step.id,
      action: step.action,
      input: stored,
      history: JSON.stringify(history.slice(-20)),
      ...fields,
    });
    /** The step's record and the run's fields in one commit; nothing is written once the lease is lost. */
    const record_ = (fields: Record<string, unknown>, runFields: Record<string, unknown>) => this.write(run, token, stepRow(fields), runFields);

    if (problems.length) {
      const reason = reasons.invalidInput(step.id, step.action, problemsText(problems));
      if (
        await record_(
          {
            status: 'failed',
            error: `input is invalid: ${problemsText(problems)}`,
            attempts: attempt,
            started_at: record?.started_at ?? iso(now),
            finished_at: iso(now),
          },
          this.ending('failed', reason, idx),
        )
      )
        this.failed(run, reason);
      return DONE;
    }

    if (!begun) {
      const started = this.clock.now();
      history.push({ attempt, started_at: iso(started) });
      const running = stepRow({ status: 'running', attempts: attempt, error: null, started_at: record?.started_at ?? iso(started), finished_at: null });
      // Only the COMMIT is awaited, not the disk: the mark counts the attempt if the process dies
      // during the action (its COMMIT is in the log then), and a power cut that undoes it undoes
      // no more than a crash before the step began would. The step's outcome is written durably.
      await this.writes.submit({ runId: run.id, token, stepRow: running, fields: null }, { wait: 'committed' });
    }
    const call = {
      tenantId: run.tenant_id,
      meta: { workflow: { chain: JSON.parse(run.chain), depth: run.depth, runId: run.id, workflowId: run.workflow_id, step: step.id } },
      logger: this.logger.child({ runId: run.id, step: step.id }),
      actor: `workflow:${run.workflow_id}`,
      resumed: record?.status === 'waiting',
    };
    let output: unknown;
    let control: ActionControl | null;
    try {
      const attributes = { 'plinth.workflow.step': step.id, 'plinth.workflow.action': step.action };
      ({ output, control } = await inSpan(`workflow step ${step.action}`, null, attributes, () => this.deps.actions.step(step.action, input, call)));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const finished = this.clock.now();
      Object.assign(history[history.length - 1], { finished_at: iso(finished), error: message });
      const retry = retryPolicy(step.retry);
      if (permanent(err) || attempt >= retry.attempts) {
        const reason =
          permanent(err) && attempt < retry.attempts
            ? reasons.failedPermanent(step.id, step.action, message)
            : reasons.failed(step.id, step.action, attempt, message);
        if (await record_({ status: 'failed', error: message, finished_at: iso(finished) }, this.ending('failed', reason, idx))) this.failed(run, reason);
        return DONE;
      }
      return this.park(record_, { status: 'retrying', error: message }, idx, new Date(finished.getTime() + backoffMs(attempt, retry)));
    }
    const finished = this.clock.now();
    const result = JSON.stringify(redact(output ?? null, Object.values(view.secrets)));
    if (control?.kind === 'park') {
      // The action asked to wait (a delay): the step waits, and runs again, resumed, when due.
      history.pop();
      return this.park(record_, { status: 'waiting', attempts: record?.attempts ?? 0, output: result }, idx, control.until);
    }
    Object.assign(history[history.length - 1], { finished_at: iso(finished) });
    const succeeded = { status: 'succeeded', output: result, error: null, finished_at: iso(finished) };
    view.steps[String(idx)] = view.steps[step.id] = output ?? null;
    if (control?.kind === 'stop') {
      await record_(succeeded, this.ending('stopped', reasons.stopped(step.id, control.reason), idx + 1));
      return DONE;
    }
    if (last) {
      await record_(succeeded, this.ending('succeeded', null, idx + 1));
      return DONE;
    }
    return (await record_(succeeded, { current_step: idx + 1 })) ? NEXT : DONE;
  }

  /** A step's input rendered and checked (the check fills the schema's defaults in place), and its attempt. */
  private prepare(step: StepDef, record: StepRecord | undefined, view: TemplateView): PreparedStep {
    const input = this.deps.renderer.render(step.input, view) as Record<string, unknown>;
    const problems = this.deps.actions.check(step.action, input);
    const stored = JSON.stringify(redact(input, Object.values(view.secrets)));
    const history: Array<Record<string, unknown>> = record ? JSON.parse(record.history) : [];
    return { input, problems, stored, attempt: (record?.attempts ?? 0) + 1, history };
  }

  /**
   * The running record of a new run's first step, for the starter to write in the commit that
   * inserts the run (leased to this instance, so no one else works on it): one commit fewer per
   * run. The run is handed over with `begun`, so the step goes straight to its action. Null when
   * the step is not to start that way (no step, an input that fails its check): the runner then
   * records it as usual.
   */
  firstStep(
    run: Omit<ClaimedRun, 'records'>,
    wf: { name: string; secrets: Record<string, string> },
    version: VersionRecord,
  ): { row: Record<string, unknown>; begun: BegunStep } | null {
    const step = version.definition.steps[0];
    if (!step || run.current_step !== 0) return null;
    let prepared: PreparedStep;
    try {
      prepared = this.prepare(step, undefined, viewOf(run, wf, version));
    } catch {
      return null; // the runner meets the same error and handles it as it does any other
    }
    if (prepared.problems.length) return null;
    const started = this.clock.now();
    prepared.history.push({ attempt: prepared.attempt, started_at: iso(started) });
    const row = {
      run_id: run.id,
      idx: 0,
      step_id: step.id,
      action: step.action,
      input: prepared.stored,
      history: JSON.stringify(prepared.history),
      status: 'running',
      attempts: prepared.attempt,
      error: null,
      started_at: iso(started),
      finished_at: null,
    };
    return { row, begun: { prepared } };
  }

  /** The step waits (its record) and the run is let go until `until`, when any runner resumes it. */
  private async park(
    record: (fields: Record<string, unknown>, runFields: Record<string, unknown>) => Promise<boolean>,
    fields: Record<string, unknown>,
    idx: number,
    until: Date,
  ): Promise<StepOutcome> {
    const parked = await record(fields, { next_at: iso(until), current_step: idx, lease_owner: null, lease_until: null });
    return parked ? { parkedUntil: until } : DONE;
  }

  /** The run's fields when it ends. */
  private ending(status: 'succeeded' | 'failed' | 'stopped', reason: RunReason | null, currentStep: number): Record<string, unknown> {
    return {
      status,
      ...reasonColumns(reason),
      current_step: currentStep,
      finished_at: iso(this.clock.now()),
      next_at: null,
      lease_owner: null,
      lease_until: null,
    };
  }

  private failed(run: ClaimedRun, reason: RunReason | null): void {
    this.logger.warn({ runId: run.id, workflowId: run.workflow_id, reason: reason?.text ?? 'failed' }, 'workflow run failed');
  }

  private async finish(
    run: ClaimedRun,
    token: string,
    status: 'succeeded' | 'failed' | 'stopped',
    reason: RunReason | null,
    currentStep = run.current_step,
  ): Promise<void> {
    const ended = await this.update(run, token, this.ending(status, reason, currentStep));
    if (ended && status === 'failed') this.failed(run, reason);
  }

  /**
   * A step's record and the run's change in one commit: the run's row is written first, fenced by
   * the lease, and the step only if that held. False when the lease was lost.
   */
  private async write(run: ClaimedRun, token: string, stepRow: Record<string, unknown> | null, fields: Record<string, unknown>): Promise<boolean> {
    const changed = await this.writes.submit({ runId: run.id, token, stepRow, fields });
    if (!changed) this.logger.warn({ runId: run.id }, 'workflow run lease lost; another runner continues it');
    else if (fields?.finished_at && typeof fields.status === 'string') await this.deps.ended?.(run, fields.status);
    return changed;
  }

  /** Writes to the run only while this runner still holds its lease; false when it does not. */
  private update(run: ClaimedRun, token: string, fields: Record<string, unknown>): Promise<boolean> {
    return this.write(run, token, null, fields);
  }

  /**
   * The writes of the runs worked on at once, in one transaction: each run's row (fenced by its own
   * lease), then the step records of the runs whose lease held, one upsert per shape of record. On
   * SQLite a prepared UPDATE per run (no round trip to pay); on PostgreSQL all of it one statement.
   */
  private async writeBatch(trx: Knex.Transaction, items: RunWrite[]): Promise<boolean[]> {
    if (trx.client.config.client === 'pg') return writeBatchInOne(trx, items);
    const ok: boolean[] = [];
    for (const i of items) ok.push(!i.fields || (await updateWhere(trx, 'workflows_runs', i.fields, { id: i.runId, lease_owner: i.token }, ['id'])).length > 0);
    const records = items.filter((i, k) => ok[k] && i.stepRow).map((i) => i.stepRow!);
    for (const rows of groupByShape(records, (r) => r)) await insertRows(trx, 'workflows_run_steps', rows, STEP_RECORD_CONFLICT);
    return ok;
  }
}

/** A step's record is its run's and index's: a later write of it replaces the earlier one. */
const STEP_RECORD_CONFLICT = { columns: ['run_id', 'idx'], action: 'merge' } as const;

/** What a run's step templates see (the steps' outputs are added as they finish). */
function viewOf(run: Omit<ClaimedRun, 'records'>, wf: { name: string; secrets: Record<string, string> }, version: VersionRecord): TemplateView {
  return {
    trigger: JSON.parse(run.trigger_payload),
    steps: {},
    workflow: { id: run.workflow_id, name: wf.name, version: version.version },
    run: { id: run.id, trigger_type: run.trigger_type, created_at: run.created_at },
    secrets: wf.secrets,
  };
}

/**
 * writeBatch on PostgreSQL, where every statement is a round trip: the same writes as one
 * statement. The fenced UPDATE of the runs returns the ids whose lease held, and each shape of
 * step record is upserted from a JSON recordset in a CTE beside it, a fenced run's record only if
 * its run is among those ids (the CTEs share one snapshot, so a record is written exactly when its
 * run's row was).
 */
async function writeBatchInOne(trx: Knex.Transaction, items: RunWrite[]): Promise<boolean[]> {
  const fenced = items.filter((i): i is FencedWrite => i.fields !== null);
  const parts: Array<{ sql: string; bindings: readonly unknown[] }> = [];
  // Runs that set the same fields are updated together; `held` gathers the ids whose lease held.
  const runGroups = groupByShape(fenced, (i) => i.fields);
  runGroups.forEach((group, k) => {
    const columns = Object.keys(group[0].fields);
    parts.push({
      sql: `h${k} as (${runsUpdate(columns, group.length)})`,
      bindings: [JSON.stringify(group.map((i) => ({ ...i.fields, id: i.runId }))), ...group.flatMap((i) => [i.runId, i.token])],
    });
  });
  if (runGroups.length) parts.push({ sql: `held as (${runGroups.map((_, k) => `select id from h${k}`).join(' union all ')})`, bindings: [] });
  for (const [onlyHeld, group] of [
    [true, items.filter((i) => i.fields && i.stepRow)],
    [false, items.filter((i) => !i.fields && i.stepRow)],
  ] as const) {
    for (const rows of groupByShape(
      group.map((i) => i.stepRow!),
      (row) => row,
    )) {
      parts.push({ sql: `s${parts.length} as (${stepRecordsUpsert(trx, Object.keys(rows[0]), onlyHeld)})`, bindings: [JSON.stringify(rows)] });
    }
  }
  const rows = await queryRows<{ id: number | string }>(
    trx,
    `with ${parts.map((p) => p.sql).join(', ')} ${fenced.length ? 'select id from held' : 'select 1 as id where false'}`,
    parts.flatMap((p) => p.bindings),
  );
  const held = new Set(rows.map((r) => Number(r.id)));
  return items.map((i) => !i.fields || held.has(i.runId));
}

/** The upsert of a shape of step records from a JSON recordset (its one `?`), by columns; a fenced run's only if its lease held. */
const upserts = new Map<string, string>();
function stepRecordsUpsert(trx: Knex.Transaction, columns: string[], onlyHeld: boolean): string {
  const key = `${onlyHeld}\n${columns.join()}`;
  let sql = upserts.get(key);
  if (sql === undefined) {
    const list = columns.map(() => '??').join(', ');
    sql = trx
      .raw(
        `insert into workflows_run_steps (${list}) select ${list} from json_populate_recordset(null::workflows_run_steps, ?) as r` +
          `${onlyHeld ? ' where r.run_id in (select id from held)' : ''} on conflict (run_id, idx) ` +
          `do update set ${columns.map(() => '?? = excluded.??').join(', ')}`,
        [...columns, ...columns, '', ...columns.flatMap((c) => [c, c])],
      )
      .toSQL().sql;
    upserts.set(key, sql);
  }
  return sql;
}

/**
 * Sets `columns` of `count` runs from a JSON recordset (its first `?`, each object the run's fields
 * and its `id`), only on rows whose lease is still the writer's (then `count` pairs of id and
 * token), returning the ids written. Built as text once per shape and count, not by knex's builder
 * for every batch. Column names come from the runner's own fields, never from a request.
 */
const runUpdates = new Map<string, string>();
function runsUpdate(columns: string[], count: number): string {
  const key = `${count}\n${columns.join()}`;
  let sql = runUpdates.get(key);
  if (sql === undefined) {
    sql =
      `update workflows_runs as w set ${columns.map((c) => `"${c}" = r."${c}"`).join(', ')} ` +
      'from json_populate_recordset(null::workflows_runs, ?) as r ' +
      `where r.id = w.id and (w.id, w.lease_owner) in (${Array.from({ length: count }, () => '(?, ?)').join(', ')}) returning w.id`;
    runUpdates.set(key, sql);
  }
  return sql;
}

/** Items whose rows have the same columns together: one multi-row write must not set a column some rows lack. */
function groupByShape<T>(items: T[], row: (item: T) => Record<string, unknown>): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const shape = Object.keys(row(item)).sort().join();
    const group = groups.get(shape);
    if (group) group.push(item);
    else groups.set(shape, [item]);
  }
  return [...groups.values()];
}
