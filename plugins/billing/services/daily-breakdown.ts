import type { Knex } from 'knex';
import { queryRows } from 'plinth/plugin';

interface DayRow {
  tenant_id: string;
  metric: string;
  period_key: string;
  used: number;
}

/** Rows at most in one statement; the SQL for each row count is made once (the statement cache finds it by identity). */
const CHUNK = 200;
const sqlByRows = new Map<number, string>();
function upsertSql(rows: number): string {
  let sql = sqlByRows.get(rows);
  if (!sql) {
    const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
    sql = `INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at) VALUES ${values}
         ON CONFLICT (tenant_id, metric, period_key) DO UPDATE SET used = billing_usage.used + excluded.used, updated_at = excluded.updated_at`;
    sqlByRows.set(rows, sql);
  }
  return sql;
}

/**
 * The daily rows of a batch's monthly counters, summed per (tenant, metric, day) and written as
 * one multi-row upsert: a batch of ops costs one statement for their days instead of one each.
 */
export class DailyBreakdown {
  /** By day, tenant and metric (nested maps: no key string built per op). */
  private readonly sums = new Map<string, Map<string, Map<string, DayRow>>>();

  add(tenantId: string, metric: string, day: string, n: number): void {
    let byTenant = this.sums.get(day);
    if (!byTenant) this.sums.set(day, (byTenant = new Map()));
    let byMetric = byTenant.get(tenantId);
    if (!byMetric) byTenant.set(tenantId, (byMetric = new Map()));
    const row = byMetric.get(metric);
    if (row) row.used += n;
    else byMetric.set(metric, { tenant_id: tenantId, metric, period_key: day, used: n });
  }

  async write(trx: Knex.Transaction, nowIso: string): Promise<void> {
    const rows: DayRow[] = [];
    for (const byTenant of this.sums.values()) for (const byMetric of byTenant.values()) for (const row of byMetric.values()) rows.push(row);
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const bindings: unknown[] = [];
      for (const r of chunk) bindings.push(r.tenant_id, r.metric, r.period_key, r.used, nowIso);
      await queryRows(trx, upsertSql(chunk.length), bindings);
    }
  }
}
