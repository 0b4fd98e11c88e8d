import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { pageQuery } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  tenantId?: string | null;
  type: string;
  level: LogLevel;
  message: string;
  details?: Record<string, unknown> | null;
  ip?: string | null;
}

export interface LogRow {
  id: number;
  tenant_id: string | null;
  type: string;
  level: LogLevel;
  message: string;
  details: Record<string, unknown> | null;
  ip: string | null;
  created_at: string;
}

export interface SystemLogsDeps {
  db: Knex;
  clock: Clock;
  logger?: Logger;
}

/** The seed's system log (section 9): a row per API error or security event, listed by admins. */
export class SystemLogs {
  constructor(private readonly deps: SystemLogsDeps) {}

  /** Never throws: a failing log write must not change the response it describes. */
  async record(entry: LogEntry): Promise<void> {
    try {
      await this.deps.db('robots_logs').insert({
        tenant_id: entry.tenantId ?? null,
        type: entry.type.slice(0, 32),
        level: entry.level,
        message: entry.message.slice(0, 1000),
        details: entry.details ? JSON.stringify(entry.details) : null,
        ip: entry.ip ? entry.ip.slice(0, 64) : null,
        created_at: this.deps.clock.now().toISOString(),
      });
    } catch (err) {
      this.deps.logger?.warn?.({ err }, 'robots: could not record a system log');
    }
  }

  /** tenantId null: every tenant's logs (superadmin). */
  async list(
    scope: { tenantId: string | null },
    filter: { type?: string; level?: string },
    page: { page: number; pageSize: number },
  ): Promise<{ total: number; list: LogRow[] }> {
    const q = this.deps.db('robots_logs');
    if (scope.tenantId) q.where('tenant_id', scope.tenantId);
    if (filter.type) q.where('type', filter.type);
    if (filter.level) q.where('level', filter.level);
    const found = await pageQuery(
      q.orderBy('id', 'desc'),
      { page: page.page, page_size: page.pageSize },
      (r) => ({ ...r, id: Number(r.id), details: r.details ? JSON.parse(String(r.details)) : null }) as LogRow,
    );
    return { total: found.total, list: found.items };
  }
}

/** Active robots per user (the seed's robotCount in the admin user list). */
export async function robotCountsOf(db: Knex, userIds: string[]): Promise<Map<string, number>> {
  if (!userIds.length) return new Map();
  const rows = await db('robots_robots').whereIn('user_id', userIds).where('status', 'active').groupBy('user_id').select('user_id').count({ n: '*' });
  return new Map(rows.map((c: Record<string, unknown>) => [String(c.user_id), Number(c.n)]));
}
