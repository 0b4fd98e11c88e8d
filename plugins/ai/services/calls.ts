import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { dayOf, withinDays, WriteSet, zonedDays } from 'plinth/plugin';
import { pageQuery } from 'plinth/plugin';
import type { AiSettings } from '../config.js';
import type { FailureKind } from './providers/types.js';

export interface CallRecord {
  tenantId: string;
  robotId: string | null;
  messageId: string | null;
  source: 'message' | 'try' | 'workflow';
  provider: string;
  model: string | null;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  outcome: 'ok' | FailureKind;
  error?: string | null;
}

const num = (v: unknown) => Number(v ?? 0);

export interface CallsDeps {
  db: Knex;
  clock: Clock;
  settings: AiSettings;
  /** Told of each robot (null: none) whose calls were logged, once committed: the call log and charts follow it live. Never throws. */
  logged: (tenantId: string, robotId: string | null) => void;
}

/** The AI call log: one row per provider tried, with tokens, latency, outcome and estimated cost. */
export class Calls {
  constructor(private readonly deps: CallsDeps) {}

  /** Millionths of the currency: prices are per million tokens, so a token costs `price` micros. */
  costMicros(model: string | null, tokensIn: number, tokensOut: number): number {
    const price = model ? this.deps.settings.prices[model] : undefined;
    return price ? Math.round(tokensIn * price.input + tokensOut * price.output) : 0;
  }

  /** Writes an answer's call-log rows (one statement). */
  async record(records: CallRecord[]): Promise<void> {
    const writes = new WriteSet();
    this.stage(records, writes);
    await writes.run(this.deps.db);
  }

  /** Adds an answer's call-log rows to the caller's writes, to commit with them. */
  stage(records: CallRecord[], writes: WriteSet): void {
    if (!records.length) return;
    writes.insert(
      'ai_calls',
      records.map((c) => this.row(c)),
    );
    const robots = new Map(records.map((c) => [`${c.tenantId}\n${c.robotId ?? ''}`, c]));
    writes.afterCommit(() => {
      for (const c of robots.values()) this.deps.logged(c.tenantId, c.robotId);
    });
  }

  private row(c: CallRecord) {
    return {
      tenant_id: c.tenantId,
      robot_id: c.robotId,
      message_id: c.messageId,
      source: c.source,
      provider: c.provider,
      model: c.model,
      tokens_in: c.tokensIn,
      tokens_out: c.tokensOut,
      latency_ms: Math.round(c.latencyMs),
      outcome: c.outcome,
      error: c.error?.slice(0, 500) ?? null,
      cost_micros: this.costMicros(c.model, c.tokensIn, c.tokensOut),
      created_at: this.deps.clock.now().toISOString(),
    };
  }

  async list(tenantId: string, filter: { robotId?: string; provider?: string; outcome?: string }, page: { page: number; pageSize: number }) {
    const q = this.deps.db('ai_calls').where('tenant_id', tenantId);
    if (filter.robotId) q.where('robot_id', filter.robotId);
    if (filter.provider) q.where('provider', filter.provider);
    if (filter.outcome) q.where('outcome', filter.outcome);
    const found = await pageQuery(q.orderBy('id', 'desc'), { page: page.page, page_size: page.pageSize });
    return {
      total: found.total,
      currency: this.deps.settings.currency,
      list: found.items.map((r) => ({
        id: Number(r.id),
        robotId: r.robot_id,
        messageId: r.message_id,
        source: r.source,
        provider: r.provider,
        model: r.model,
        tokensIn: num(r.tokens_in),
        tokensOut: num(r.tokens_out),
        latencyMs: num(r.latency_ms),
        outcome: r.outcome,
        error: r.error,
        cost: num(r.cost_micros) / 1e6,
        createdAt: r.created_at,
      })),
    };
  }

  /**
   * The calls per day of `timeZone` (the viewer's, as the pages show times) over the last `days`
   * days up to today, oldest first, every day listed: `calls` that answered and their `cost` (as the
   * WorkBot statistics count them), and the attempts that `failed` (timeouts, 429s, errors), for the
   * tenant or for one of its robots.
   */
  async perDay(tenantId: string, robotId: string | null, days: number, timeZone = 'UTC') {
    const span = zonedDays(this.deps.clock.now(), days, timeZone);
    const calls = withinDays(this.deps.db('ai_calls').where('tenant_id', tenantId), 'created_at', span).select({
      date: dayOf(this.deps.db, 'created_at', span),
      outcome: 'outcome',
      cost_micros: 'cost_micros',
    });
    if (robotId) calls.where('robot_id', robotId);
    const q = this.deps.db
      .from(calls.as('c'))
      .select('date')
      .select(
        this.deps.db.raw("sum(case when outcome = 'ok' then 1 else 0 end) as calls"),
        this.deps.db.raw("sum(case when outcome = 'ok' then 0 else 1 end) as failed"),
        this.deps.db.raw("sum(case when outcome = 'ok' then cost_micros else 0 end) as cost"),
      )
      .groupBy('date');
    const rows = new Map(((await q) as Array<{ date: string; calls: unknown; failed: unknown; cost: unknown }>).map((r) => [r.date, r]));
    return {
      currency: this.deps.settings.currency,
      days: span.map(({ date }) => {
        const r = rows.get(date);
        return { date, calls: num(r?.calls), failed: num(r?.failed), cost: num(r?.cost) / 1e6 };
      }),
    };
  }

  /**
   * Successful calls of these robots in [from, to): what the WorkBot statistics report (the
   * `aiApi` other plugins resolve). The cost is the call log's micros summed, not rounded to
   * cents: a month of cheap calls is a fraction of a cent each and must not read as 0.
   */
  async totals(
    tenantId: string,
    robotIds: string[],
    from: string,
    to: string,
  ): Promise<{ calls: number; cost: number; currency: string; avgLatencyMs: number }> {
    const currency = this.deps.settings.currency;
    if (!robotIds.length) return { calls: 0, cost: 0, currency, avgLatencyMs: 0 };
    const [row] = (await this.deps
      .db('ai_calls')
      .where('tenant_id', tenantId)
      .whereIn('robot_id', robotIds)
      .where('outcome', 'ok')
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .count({ n: '*' })
      .sum({ cost: 'cost_micros' })
      .avg({ latency: 'latency_ms' })) as Array<{ n: unknown; cost: unknown; latency: unknown }>;
    return { calls: num(row?.n), cost: num(row?.cost) / 1e6, currency, avgLatencyMs: Math.round(num(row?.latency)) };
  }
}
