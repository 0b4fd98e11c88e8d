import type { Knex } from 'knex';
import { queryRows } from 'plinth/plugin';

/**
 * The daily rows of a batch's monthly counters, summed per (tenant, metric, day) and written as
 * one multi-row upsert: a batch of ops costs one statement for their days instead of one each.
 */
export class DailyBreakdown {
  private readonly sums = new Map<string, { tenant_id: string; metric: string; period_key: string; used: number }>();

  add(tenantId: string, metric: string, day: string, n: number): void {
    const key = `${tenantId}\u0000${metric}\u0000${day}`;
    const row = this.sums.get(key);
    if (row) row.used += n;
    else this.sums.set(key, { tenant_id: tenantId, metric, period_key: day, used: n });
  }

  async write(trx: Knex.Transaction, nowIso: string): Promise<void> {
    const rows = [...this.sums.values()];
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200);
      const values = chunk.map(() => '(?, ?, ?, ?, ?)').join(', ');
      await queryRows(
        trx,
        `INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at) VALUES ${values}
         ON CONFLICT (tenant_id, metric, period_key) DO UPDATE SET used = billing_usage.used + excluded.used, updated_at = excluded.updated_at`,
        chunk.flatMap((r) => [r.tenant_id, r.metric, r.period_key, r.used, nowIso]),
      );
    }
  }
}
