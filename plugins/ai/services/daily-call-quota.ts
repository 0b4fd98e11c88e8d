import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';

export interface DailyCallQuotaDeps {
  db: Knex;
  clock: Clock;
}

/**
 * A robot's AI calls per UTC day against its daily limit (the seed's aiCallLimitDaily). Taking a
 * call is one guarded upsert — the update applies only while `calls < limit` — so concurrent
 * replies at the edge never overshoot, on SQLite and PostgreSQL alike.
 */
export class DailyCallQuota {
  constructor(private readonly deps: DailyCallQuotaDeps) {}

  private today(): string {
    return this.deps.clock.now().toISOString().slice(0, 10);
  }

  /** Counts one call (in `trx` when given); false (nothing counted) once the robot has used its limit today. */
  async take(tenantId: string, robotId: string, limit: number, trx?: Knex.Transaction): Promise<boolean> {
    if (limit < 1) return false;
    const result = await (trx ?? this.deps.db).raw(
      `INSERT INTO ai_robot_daily_calls (tenant_id, robot_id, day, calls) VALUES (?, ?, ?, 1)
       ON CONFLICT (tenant_id, robot_id, day) DO UPDATE SET calls = ai_robot_daily_calls.calls + 1 WHERE ai_robot_daily_calls.calls < ?
       RETURNING calls`,
      [tenantId, robotId, this.today(), limit],
    );
    const rows = Array.isArray(result) ? result : result.rows;
    return rows.length > 0;
  }

  /** Today's calls of these robots (absent: none). */
  async callsToday(tenantId: string, robotIds: string[]): Promise<Record<string, number>> {
    if (!robotIds.length) return {};
    const rows = await this.deps
      .db('ai_robot_daily_calls')
      .where({ tenant_id: tenantId, day: this.today() })
      .whereIn('robot_id', robotIds)
      .select('robot_id', 'calls');
    return Object.fromEntries(rows.map((r: { robot_id: string; calls: number | string }) => [r.robot_id, Number(r.calls)]));
  }
}
