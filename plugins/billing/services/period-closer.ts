import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import { addMonths, dayKey, GAUGE_KEY, monthKey, periodContaining } from './periods.js';

/** pg_advisory_xact_lock key of the period closer (any fixed bigint). */
const CLOSER_LOCK = 7_301_842_001;

export interface CloseResult {
  closedRows: number;
  closedMonths: string[];
  rolledSubscriptions: number;
  downgraded: number;
}

/** What PeriodCloser is built from, passed by name. */
export interface PeriodCloserDeps {
  db: Knex;
  clock: Clock;
  events: EventBus;
  defaultPlan: string;
  /** Drops cached limits (null: every tenant) once a downgrade has committed. */
  onChange: (tenantId: string | null) => Promise<void>;
}

/**
 * Closes every finished usage period and rolls manual subscriptions into their current period,
 * in a handful of set-based statements (no per-tenant loop), so 100,000 tenants take seconds.
 * Idempotent: a second run at the same time finds nothing left. New periods need no rows: a
 * counter starts at zero the first time it is used in its period.
 */
export class PeriodCloser {
  constructor(private readonly deps: PeriodCloserDeps) {}

  async close(now: Date = this.deps.clock.now()): Promise<CloseResult> {
    const month = monthKey(now);
    const day = dayKey(now);
    const nowIso = now.toISOString();
    const finished = (q: Knex.QueryBuilder) =>
      q
        .whereNull('closed_at')
        .whereNot('period_key', GAUGE_KEY)
        .where((w) =>
          w
            .where((m) => m.whereRaw('length(period_key) = 7').where('period_key', '<', month))
            .orWhere((d) => d.whereRaw('length(period_key) = 10').where('period_key', '<', day)),
        );

    const pg = this.deps.db.client.config.client === 'pg';
    const result = await this.deps.db.transaction(async (trx) => {
      // Two closers at once (a manual run beside the cron one) must not both count the same rows.
      if (pg) await trx.raw('SELECT pg_advisory_xact_lock(?)', [CLOSER_LOCK]);
      // Each finished month with the tenants that used it, and the rows closed. The usage rows can
      // be millions: PostgreSQL closes and counts them in one pass (the update's RETURNING feeds the
      // count); SQLite, without data-modifying CTEs, counts first, then closes.
      let closedRows = 0;
      let tenantsPerMonth: Array<{ month: string; tenants: number }>;
      if (pg) {
        const closed = finished(trx('billing_usage')).update({ closed_at: nowIso }).returning(['period_key', 'tenant_id']);
        const rows: Array<{ month: string | null; closed: number | string; tenants: number | string }> = await trx
          .with('closed', closed)
          .from('closed')
          .select(
            trx.raw('CASE WHEN length(period_key) = 7 THEN period_key END AS month'),
            trx.raw('count(*) AS closed'),
            trx.raw('count(DISTINCT tenant_id) FILTER (WHERE length(period_key) = 7) AS tenants'),
          )
          .groupByRaw('1');
        for (const r of rows) closedRows += Number(r.closed);
        tenantsPerMonth = rows.flatMap((r) => (r.month ? [{ month: r.month, tenants: Number(r.tenants) }] : []));
      } else {
        const rows: Array<{ period_key: string; tenants: number | string }> = await finished(trx('billing_usage'))
          .whereRaw('length(period_key) = 7')
          .select('period_key')
          .countDistinct({ tenants: 'tenant_id' })
          .groupBy('period_key');
        tenantsPerMonth = rows.map((r) => ({ month: r.period_key, tenants: Number(r.tenants) }));
        closedRows = await finished(trx('billing_usage')).update({ closed_at: nowIso });
      }
      tenantsPerMonth.sort((a, b) => a.month.localeCompare(b.month));
      const months = tenantsPerMonth.map((r) => r.month);

      // Cancellations take effect at the period end: back to the default plan, reported like any
      // other plan change (there are few of these; the usage rows above can be millions).
      const canceling = () => trx('billing_subscriptions').where({ provider: 'manual', cancel_at_period_end: true }).where('current_period_end', '<=', nowIso);
      const leaving: Array<{ tenant_id: string; plan_id: string }> = await canceling().select('tenant_id', 'plan_id').orderBy('tenant_id');
      let downgraded = 0;
      for (let i = 0; i < leaving.length; i += 500) {
        const ids = leaving.slice(i, i + 500).map((r) => r.tenant_id);
        downgraded += await canceling()
          .whereIn('tenant_id', ids)
          .update({ plan_id: this.deps.defaultPlan, status: 'active', billing_cycle: 'monthly', cancel_at_period_end: false, updated_at: nowIso });
      }
      for (const row of leaving) {
        await this.deps.events.emit(
          trx,
          'billing.subscription.changed',
          {
            tenant_id: row.tenant_id,
            plan_id: this.deps.defaultPlan,
            previous_plan_id: row.plan_id,
            status: 'active',
            billing_cycle: 'monthly',
            cancel_at_period_end: false,
          },
          { tenantId: row.tenant_id },
        );
      }

      let rolled = 0;
      for (const cycle of ['monthly', 'yearly'] as const) {
        const period = periodContaining(now, cycle);
        rolled += await trx('billing_subscriptions')
          .where({ provider: 'manual', billing_cycle: cycle })
          .where('current_period_end', '<=', nowIso)
          .update({ current_period_start: period.start.toISOString(), current_period_end: period.end.toISOString(), updated_at: nowIso });
      }

      for (const row of tenantsPerMonth) {
        await this.deps.events.emit(trx, 'usage.period_closed', {
          period: row.month,
          tenants: row.tenants,
          next_period: monthKey(addMonths(new Date(`${row.month}-01T00:00:00Z`), 1)),
        });
      }
      return { closedRows, closedMonths: months, rolledSubscriptions: rolled, downgraded };
    });
    // After the commit: a cache dropped earlier could be refilled with the old plan meanwhile.
    if (result.downgraded > 0) await this.deps.onChange(null);
    return result;
  }
}
