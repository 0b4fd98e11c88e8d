// Over 400 lines: check-and-consume, the group-committed month and day writes, thresholds and the
// limit lookups are one mechanism whose parts share the batch's lock order; split, they would pass it around.
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import { queryRows } from 'plinth/plugin';
import { GroupCommit } from 'plinth/plugin';
import { DailyBreakdown } from './daily-breakdown.js';
import { AppError } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { PubSub } from 'plinth/plugin';
import { SharedCache } from 'plinth/plugin';
import type { MetricInfo, UsageItem, UsageMeter } from 'plinth/plugin';
import { missingFeatureForMetric, type FeatureInfo } from 'plinth/plugin';
import { dayKey, GAUGE_KEY, lastMonths, momentOf, monthKey, type Moment } from './periods.js';
import type { Limits, Plans } from './plans.js';
import type { Subscriptions } from './subscriptions.js';
import { usageWords } from './wording.js';
import { BillingErrors } from './errors.js';

const THRESHOLDS = [80, 100] as const;

// The hot statement, as fixed SQL (valid on SQLite >= 3.35 and PostgreSQL): the conflict update
// applies only while the result stays within the limit, so a refused consume changes nothing.
// Constant strings, so the connection's prepared-statement cache finds them by identity.
const UPSERT = `INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, metric, period_key) DO UPDATE SET used = billing_usage.used + ?, updated_at = ?`;
const INCREMENT = `${UPSERT} RETURNING used`;
const GUARDED_INCREMENT = `${UPSERT} WHERE billing_usage.used + ? <= ? RETURNING used`;

/**
 * A batch's increments of distinct rows under one limit, as one statement: each row's conflict
 * update is guarded on its own, exactly as GUARDED_INCREMENT (INCREMENT without a limit), and a
 * refused row is missing from what it returns. One statement instead of one a consume: the
 * statement's own path (bindings, driver call, events) cost more than SQLite's work for the row.
 * RUN_ROWS rows at most, so the SQL texts (one per row count) stay few in the statement cache.
 */
const RUN_ROWS = 64;
const runSql = new Map<string, string>();
function incrementRunSql(rows: number, guarded: boolean): string {
  const id = `${rows}${guarded ? 'g' : ''}`;
  let sql = runSql.get(id);
  if (!sql) {
    const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
    sql = `INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at) VALUES ${values}
  ON CONFLICT (tenant_id, metric, period_key) DO UPDATE SET used = billing_usage.used + excluded.used, updated_at = excluded.updated_at${
    guarded ? ' WHERE billing_usage.used + excluded.used <= ?' : ''
  } RETURNING tenant_id, metric, used`;
    runSql.set(id, sql);
  }
  return sql;
}

type Row = { used: number | string };

export interface Effective {
  tenant_id: string;
  plan_id: string;
  /** The plan's features (null: all); cached here with the limits, invalidated with them. */
  features: string[] | null;
  plan_limits: Limits;
  overrides: Limits;
  limits: Limits;
}

type Db = Knex | Knex.Transaction;

/** A refused consume: what the tenant had used in the period `key` when it was refused. */
interface Refused {
  used: number;
  key: string;
}

interface ConsumeOp {
  tenantId: string;
  metric: string;
  n: number;
  spec: MetricInfo;
  limit: number | null;
  planId: string;
}

const compareOps = (a: ConsumeOp, b: ConsumeOp): number =>
  a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0;

/** What Meter is built from, passed by name. */
export interface MeterDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  pubsub: PubSub;
  /** The metrics the enabled plugins declare. */
  metrics: Map<string, MetricInfo>;
  plans: Plans;
  /** The subscriptions service, read per call. */
  subscriptions: () => Subscriptions;
  /** The plugins' feature catalogue (a metric may need a feature of the plan). */
  features: Map<string, FeatureInfo>;
}

/**
 * The billing plugin's `usage` service. Check-and-consume is one upsert whose update only applies
 * while `used + n <= limit`, so concurrent consumers at the edge of a limit never overshoot, on
 * SQLite and PostgreSQL alike. Limits are cached per tenant and invalidated on every change.
 */
export class Meter implements UsageMeter {
  /** Each tenant's limits: read on every consume, changed with a plan, subscription or override. */
  private readonly cache: SharedCache<Effective>;
  /** Consumes that arrive while a transaction is written share the next one (one fsync for the batch). */
  private readonly batches: GroupCommit<ConsumeOp, Refused | null>;
  /** lackingFeature's answers, by the plan feature list they were worked out for. */
  private readonly lacking = new WeakMap<string[], Map<string, string | null>>();

  constructor(private readonly deps: MeterDeps) {
    this.batches = new GroupCommit({ db: deps.db, logger: deps.logger, write: (trx, ops) => this.applyBatch(trx, ops), maxBatch: 256, name: 'usage' });
    this.cache = new SharedCache({ name: 'billing.limits', pubsub: deps.pubsub, logger: deps.logger, max: 10_000, ttlMs: 60_000 });
  }

  init(): Promise<void> {
    return this.cache.start();
  }

  /** After a plan, subscription or override change has committed (null: every tenant). */
  invalidate(tenantId: string | null): Promise<void> {
    return this.cache.invalidate(tenantId ?? undefined);
  }

  /**
   * The tenant's plan limits with its overrides applied. `trx`: read through the caller's
   * transaction (on SQLite's single connection, reading beside an open transaction would wait
   * for it forever).
   */
  effective(tenantId: string, trx?: Knex.Transaction): Promise<Effective> {
    // The loader never answers null, so neither does the cache.
    return this.cache.get(tenantId, async () => {
      const db: Db = trx ?? this.deps.db;
      const sub = await this.deps.subscriptions().get(tenantId, db);
      const plan = await this.deps.plans.get(sub.plan_id, db);
      const rows: Array<{ metric: string; value: number | string | null }> = await db('billing_limit_overrides').where('tenant_id', tenantId);
      const overrides = Object.fromEntries(rows.map((r) => [r.metric, r.value === null ? null : Number(r.value)]));
      return {
        tenant_id: tenantId,
        plan_id: plan.id,
        features: plan.features,
        plan_limits: plan.limits,
        overrides,
        limits: { ...plan.limits, ...overrides },
      };
    }) as Promise<Effective>;
  }

  private spec(metric: string): MetricInfo {
    const spec = this.deps.metrics.get(metric);
    if (!spec) throw new Error(`metric "${metric}" is not declared by any enabled plugin`);
    return spec;
  }

  private keyFor(spec: MetricInfo, at: Moment): string {
    if (spec.kind === 'gauge') return GAUGE_KEY;
    return spec.period === 'day' ? at.day : at.month;
  }

  /**
   * The 402 says what is true for the metric's kind: a gauge frees up only when something is
   * removed, a counter with its next period (named, with the day it starts).
   */
  private refusal({ metric, spec, limit, planId, n }: ConsumeOp, { used, key }: Refused): AppError {
    const words = usageWords(spec, key, used, limit!);
    const short = used < limit! ? ` (${n} more do not fit)` : '';
    const details = { metric, limit, used, plan_id: planId, kind: words.kind, period: words.kind === 'gauge' ? null : key, resets_on: words.resets_on };
    return BillingErrors.usageLimitReached(metric, planId, `${words.summary}${short}; ${words.advice}`, details);
  }

  async consume(tenantId: string, metric: string, n = 1, trx?: Knex.Transaction, actor?: Principal | null): Promise<void> {
    const spec = this.checked(metric, n);
    const op = this.opFor(tenantId, metric, spec, n, await this.effective(tenantId, trx), actor?.roles.includes('superadmin') ?? false);
    const refused = trx ? await this.apply(trx, op) : await this.batches.submit(op);
    if (refused) throw this.refusal(op, refused);
  }

  async consumeEach(items: ReadonlyArray<UsageItem>, trx: Knex.Transaction): Promise<Array<AppError | null>> {
    const out: Array<AppError | null> = new Array(items.length).fill(null);
    const ops: Array<{ i: number; op: ConsumeOp }> = [];
    for (const [i, { tenantId, metric, n = 1 }] of items.entries()) {
      const spec = this.checked(metric, n);
      try {
        ops.push({ i, op: this.opFor(tenantId, metric, spec, n, await this.effective(tenantId, trx)) });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        out[i] = err;
      }
    }
    const checked = ops.map(({ op }) => op);
    const refused = await this.applyBatch(trx, checked);
    for (const [k, { i, op }] of ops.entries()) if (refused[k]) out[i] = this.refusal(op, refused[k]);
    return out;
  }

  /** The metric's declaration, for a whole positive amount (a caller's bug otherwise, thrown before anything is read). */
  private checked(metric: string, n: number): MetricInfo {
    if (!Number.isInteger(n) || n < 1) throw new Error(`consume needs a positive whole amount, got ${n}`);
    return this.spec(metric);
  }

  /** What a consume takes, checked against the plan's features (402 when the plan lacks the metric's). */
  private opFor(tenantId: string, metric: string, spec: MetricInfo, n: number, { limits, plan_id, features }: Effective, superadmin = false): ConsumeOp {
    // A superadmin is never stopped by a plan (it still counts, so gauges stay true).
    const lacking = superadmin ? null : this.lackingFeature(features, metric);
    if (lacking) {
      // 402 like a used-up limit (callers already treat that as "the plan does not allow it"), named.
      throw BillingErrors.featureNotInPlan(plan_id, lacking, metric);
    }
    return { tenantId, metric, n, spec, limit: superadmin ? null : (limits[metric] ?? null), planId: plan_id };
  }

  /**
   * The feature the plan lacks for the metric, or null: every consume asks, and the answer walks
   * the whole feature catalogue, so it is kept per plan feature list (the array of a cached
   * Effective, forgotten with it) and metric.
   */
  private lackingFeature(features: string[] | null, metric: string): string | null {
    if (features === null) return null;
    let byMetric = this.lacking.get(features);
    if (!byMetric) this.lacking.set(features, (byMetric = new Map()));
    let lacking = byMetric.get(metric);
    if (lacking === undefined) byMetric.set(metric, (lacking = missingFeatureForMetric(this.deps.features, features, metric)));
    return lacking;
  }

  /**
   * A batch of consumes in one transaction, each with its own atomic limit check (null when taken,
   * what was used when refused). Rows are locked in (tenant, metric) order, so two instances'
   * batches cannot deadlock on PostgreSQL; the monthly counters' daily rows are written once.
   */
  private async applyBatch(trx: Knex.Transaction, ops: ConsumeOp[]): Promise<Array<Refused | null>> {
    const order = ops.map((_, i) => i).sort((a, b) => compareOps(ops[a], ops[b]) || a - b);
    const now = momentOf(this.deps.clock.now());
    // Every guarded increment is queued at once, in lock order, on the transaction's one connection
    // (incrementAll): PostgreSQL's driver pipelines them instead of waiting a round trip for each. A driver need not
    // run queued statements in the order queued, so what each op got is settled in the order the
    // counter really moved (refusals last): the 80% alert then always comes before the 100% one.
    const increments = await this.incrementAll(trx, ops, order, now);
    // Only ops of one (tenant, metric), adjacent in lock order, can need reordering.
    const settleOrder = [...order.keys()];
    if (order.some((i, k) => k > 0 && compareOps(ops[order[k - 1]], ops[i]) === 0)) {
      const usedAfter = (k: number) => (increments[k].length ? Number(increments[k][0].used) : Number.POSITIVE_INFINITY);
      settleOrder.sort((x, y) => compareOps(ops[order[x]], ops[order[y]]) || usedAfter(x) - usedAfter(y) || x - y);
    }
    const out: Array<Refused | null> = new Array(ops.length);
    const days = new DailyBreakdown();
    for (const k of settleOrder) {
      const op = ops[order[k]];
      // Most consumes are taken without crossing a threshold: settled here, with no await each.
      out[order[k]] = this.takenQuietly(op, increments[k], now, days) ? null : await this.settleIncrement(trx, op, increments[k], now, days);
    }
    await days.write(trx, now.iso);
    return out;
  }

  /**
   * Every op's guarded increment, by position in `order` (the lock order): consecutive ops of
   * distinct rows under the same limit share one statement (a run), so rows are still locked in
   * order, one statement after another. Awaited in turn: a connection runs one statement at a time
   * anyway, and node-postgres deprecates queueing a second on a busy client (gone in pg 9).
   */
  private async incrementAll(trx: Knex.Transaction, ops: ConsumeOp[], order: number[], now: Moment): Promise<Row[][]> {
    const increments: Row[][] = new Array(order.length);
    const runs: Array<{ limit: number | null; ks: number[] }> = [];
    let run: { limit: number | null; ks: number[] } | null = null;
    for (let k = 0; k < order.length; k++) {
      const op = ops[order[k]];
      if (op.limit !== null && op.n > op.limit) {
        increments[k] = []; // n alone is over the limit: refused without a statement
        continue;
      }
      // A second op of a row starts a new run (one statement may not update a row twice on PostgreSQL).
      if (!run || run.limit !== op.limit || run.ks.length >= RUN_ROWS || compareOps(ops[order[run.ks[run.ks.length - 1]]], op) === 0) {
        run = { limit: op.limit, ks: [] };
        runs.push(run);
      }
      run.ks.push(k);
    }
    for (const { limit, ks } of runs) {
      const bindings: unknown[] = [];
      for (const k of ks) {
        const { tenantId, metric, n, spec } = ops[order[k]];
        bindings.push(tenantId, metric, this.keyFor(spec, now), n, now.iso);
      }
      if (limit !== null) bindings.push(limit);
      const rows = await queryRows<{ tenant_id: string; metric: string; used: number | string }>(trx, incrementRunSql(ks.length, limit !== null), bindings);
      // SQLite returns the rows in the order given; where every one came back so, no lookup is needed.
      if (rows.length === ks.length && ks.every((k, j) => rows[j].tenant_id === ops[order[k]].tenantId && rows[j].metric === ops[order[k]].metric)) {
        for (const [j, k] of ks.entries()) increments[k] = [rows[j]];
        continue;
      }
      const used = new Map<string, Row>();
      for (const row of rows) used.set(`${row.tenant_id}\u0000${row.metric}`, row);
      for (const k of ks) {
        const row = used.get(`${ops[order[k]].tenantId}\u0000${ops[order[k]].metric}`);
        increments[k] = row ? [row] : [];
      }
    }
    return increments;
  }

  /** A consume taken without crossing a threshold: its daily row added to `days`; false for anything else (settleIncrement's). */
  private takenQuietly({ tenantId, metric, n, spec, limit }: ConsumeOp, rows: Array<{ used: number | string }>, now: Moment, days: DailyBreakdown): boolean {
    if (rows.length === 0) return false;
    if (limit !== null && limit > 0) {
      const used = Number(rows[0].used);
      for (const threshold of THRESHOLDS) if (used * 100 >= threshold * limit && (used - n) * 100 < threshold * limit) return false;
    }
    if (spec.kind === 'counter' && spec.period === 'month') days.add(tenantId, metric, now.day, n);
    return true;
  }

  /** One consume alone inside the caller's transaction; null when taken, what was used when the limit refused it. */
  private async apply(trx: Knex.Transaction, op: ConsumeOp): Promise<Refused | null> {
    const now = momentOf(this.deps.clock.now());
    return this.settleIncrement(trx, op, await this.tryIncrement(trx, op, now), now);
  }

  /** The op's guarded increment: the row as it now is, none when the limit refused it (or `n` alone is over it). */
  private tryIncrement(trx: Knex.Transaction, { tenantId, metric, n, spec, limit }: ConsumeOp, now: Moment): Promise<Array<{ used: number | string }>> {
    if (limit !== null && n > limit) return Promise.resolve([]);
    return this.increment(trx, tenantId, metric, this.keyFor(spec, now), n, now.iso, limit);
  }

  /**
   * After the increment: a refusal says what was used; a taken monthly counter adds its daily row
   * (to `days`, written once for the batch, or at once when alone); a crossed threshold alerts.
   */
  private async settleIncrement(
    trx: Knex.Transaction,
    { tenantId, metric, n, spec, limit }: ConsumeOp,
    rows: Array<{ used: number | string }>,
    now: Moment,
    days?: DailyBreakdown,
  ): Promise<Refused | null> {
    const key = this.keyFor(spec, now);
    if (rows.length === 0) return { used: await this.refused(trx, tenantId, spec, key, limit!), key };
    // The daily breakdown of a monthly counter: informational, never limited.
    if (spec.kind === 'counter' && spec.period === 'month') {
      if (days) days.add(tenantId, metric, now.day, n);
      else await this.increment(trx, tenantId, metric, now.day, n, now.iso, null);
    }
    if (limit !== null && limit > 0) {
      const used = Number(rows[0].used);
      for (const threshold of THRESHOLDS) {
        if (used * 100 >= threshold * limit && (used - n) * 100 < threshold * limit) await this.alert(trx, tenantId, spec, key, threshold, used, limit);
      }
    }
    return null;
  }

  /** GUARDED_INCREMENT (INCREMENT when there is no limit): the row as it now is, none when refused. */
  private increment(
    trx: Knex.Transaction,
    tenantId: string,
    metric: string,
    key: string,
    n: number,
    nowIso: string,
    limit: number | null,
  ): Promise<Array<{ used: number | string }>> {
    return limit === null
      ? queryRows<{ used: number | string }>(trx, INCREMENT, [tenantId, metric, key, n, nowIso, n, nowIso])
      : queryRows<{ used: number | string }>(trx, GUARDED_INCREMENT, [tenantId, metric, key, n, nowIso, n, nowIso, n, limit]);
  }

  /**
   * A refused consume reports the 100% threshold only when the tenant really is at (or, after a
   * lowered limit, over) it, with what it used: a request larger than what is left is no crossing.
   * Returns what the tenant has used, for the refusal's words.
   */
  private async refused(trx: Knex.Transaction, tenantId: string, spec: MetricInfo, key: string, limit: number): Promise<number> {
    const row = await trx('billing_usage').where({ tenant_id: tenantId, metric: spec.name, period_key: key }).first('used');
    const used = Number(row?.used ?? 0);
    if (used >= limit) await this.alert(trx, tenantId, spec, key, 100, used, limit);
    return used;
  }

  /**
   * Records a threshold crossing once per period and emits `usage.limit_reached` with it, with the
   * words a mail needs (a workflow template has no conditionals: a gauge's and a counter's differ).
   */
  private async alert(trx: Knex.Transaction, tenantId: string, spec: MetricInfo, key: string, threshold: 80 | 100, used: number, limit: number): Promise<void> {
    const metric = spec.name;
    const inserted = await trx('billing_usage_alerts')
      .insert({ tenant_id: tenantId, metric, period_key: key, threshold, created_at: this.deps.clock.now().toISOString() })
      .onConflict(['tenant_id', 'metric', 'period_key', 'threshold'])
      .ignore()
      .returning('threshold');
    if (!(inserted as unknown[]).length) return;
    const words = usageWords(spec, key, used, limit);
    const payload = { tenant_id: tenantId, metric, period: key, threshold, used, limit, ...words };
    await this.deps.events.emit(trx, 'usage.limit_reached', payload, { tenantId });
  }

  async release(tenantId: string, metric: string, n = 1, trx?: Knex.Transaction): Promise<void> {
    const spec = this.spec(metric);
    if (spec.kind !== 'gauge') throw new Error(`only gauges can be released; "${metric}" is a counter`);
    await (trx ?? this.deps.db)('billing_usage')
      .where({ tenant_id: tenantId, metric, period_key: GAUGE_KEY })
      .update({ used: this.deps.db.raw('CASE WHEN used >= ? THEN used - ? ELSE 0 END', [n, n]), updated_at: this.deps.clock.now().toISOString() });
  }

  currentMonth(): string {
    return monthKey(this.deps.clock.now());
  }

  /** What the tenant used in the current periods, by metric. */
  async current(tenantId: string): Promise<Record<string, number>> {
    const now = momentOf(this.deps.clock.now());
    const rows: Array<{ metric: string; period_key: string; used: number | string }> = await this.deps
      .db('billing_usage')
      .where('tenant_id', tenantId)
      .whereIn('period_key', [GAUGE_KEY, now.month, now.day]);
    const out: Record<string, number> = {};
    for (const [name, spec] of this.deps.metrics) {
      const row = rows.find((r) => r.metric === name && r.period_key === this.keyFor(spec, now));
      out[name] = row ? Number(row.used) : 0;
    }
    return out;
  }

  /**
   * Usage by month, newest first: a monthly counter's month row, and a daily counter's days added
   * up into their month (monthly counters' daily breakdown rows are not counted twice).
   */
  async history(tenantId: string, months: number): Promise<Array<{ period: string; usage: Record<string, number> }>> {
    const keys = lastMonths(this.deps.clock.now(), months);
    const daily = new Set([...this.deps.metrics.values()].filter((m) => m.kind === 'counter' && m.period === 'day').map((m) => m.name));
    const rows: Array<{ metric: string; period_key: string; used: number | string }> = await this.deps
      .db('billing_usage')
      .where('tenant_id', tenantId)
      .where((w) => {
        w.whereIn('period_key', keys);
        if (daily.size)
          w.orWhere((d) =>
            d
              .whereIn('metric', [...daily])
              .where('period_key', '>=', keys[0])
              .where('period_key', '<', `${keys[keys.length - 1]}-99`),
          );
      });
    const byMonth = new Map<string, Record<string, number>>(keys.map((k) => [k, {}]));
    for (const r of rows) {
      const month = byMonth.get(r.period_key.slice(0, 7));
      if (!month) continue;
      if (r.period_key.length === 7 && !daily.has(r.metric)) month[r.metric] = Number(r.used);
      else if (r.period_key.length === 10 && daily.has(r.metric)) month[r.metric] = (month[r.metric] ?? 0) + Number(r.used);
    }
    return [...byMonth].reverse().map(([period, usage]) => ({ period, usage }));
  }

  async daily(tenantId: string): Promise<{ month: string; days: Array<{ date: string; usage: Record<string, number> }> }> {
    const now = this.deps.clock.now();
    const month = monthKey(now);
    const rows: Array<{ metric: string; period_key: string; used: number | string }> = await this.deps
      .db('billing_usage')
      .where('tenant_id', tenantId)
      .where('period_key', 'like', `${month}-%`)
      .orderBy('period_key');
    const days = new Map<string, Record<string, number>>();
    for (let d = 1; d <= now.getUTCDate(); d++) days.set(`${month}-${String(d).padStart(2, '0')}`, {});
    for (const r of rows) {
      const day = days.get(r.period_key);
      if (day) day[r.metric] = Number(r.used); // (a row dated after today only appears if the clock went back)
    }
    return { month, days: [...days].map(([date, usage]) => ({ date, usage })) };
  }

  /**
   * Zeroes the tenant's counters of the current periods (gauges count real things and stay): this
   * month's rows of monthly counters together with their daily breakdown (so the daily view still
   * adds up to the month), and today's rows of daily counters. Earlier periods are history.
   */
  async resetTenant(tenantId: string): Promise<number> {
    const now = this.deps.clock.now();
    const month = monthKey(now);
    const today = dayKey(now);
    const monthly = [...this.deps.metrics.values()].filter((m) => m.kind === 'counter' && m.period === 'month').map((m) => m.name);
    return this.deps.db.transaction(async (trx) => {
      await trx('billing_usage_alerts').where('tenant_id', tenantId).whereIn('period_key', [month, today]).delete();
      return Number(
        await trx('billing_usage')
          .where('tenant_id', tenantId)
          .where((w) => {
            w.whereIn('period_key', [month, today]);
            if (monthly.length) w.orWhere((b) => b.whereIn('metric', monthly).where('period_key', 'like', `${month}-%`));
          })
          .update({ used: 0, updated_at: now.toISOString() }),
      );
    });
  }
}
