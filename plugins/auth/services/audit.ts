import type { Knex } from 'knex';
import { iso, type Clock } from 'plinth/plugin';
import { afterCommit } from 'plinth/plugin';
import { GroupCommit, insertRows } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import { pageQuery, type Page, type PageRequest } from 'plinth/plugin';
import type { Db } from './types.js';

export type { AuditEntry, AuditFilter } from '../api.js';
import type { AuditEntry, AuditFilter, AuditSink } from '../api.js';

/**
 * The log's order, newest first: by time, then id. Each filter's index is (column, created_at), so
 * a page walks it backwards and stops; ordered by id alone, every row of the tenant or actor was
 * sorted for each page (SQLite's temporary B-tree), a cost that grew with the log.
 */
export const NEWEST_FIRST: Array<{ column: string; order: 'desc' }> = [
  { column: 'created_at', order: 'desc' },
  { column: 'id', order: 'desc' },
];

const actorId = (p: Principal) => (p.kind === 'api_key' ? String(p.attributes?.apiKeyId ?? p.id) : p.id);

export interface AuditLogDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  /** Told of the tenant (null: none) of each row, once committed: the Audit log page follows it live. Never throws. */
  written: (tenantId: string | null) => void;
}

/**
 * The platform's audit log: every security event and every admin action. Other plugins resolve
 * `audit` from the container to record theirs. Write it in the same transaction as the change.
 */
export class AuditLog implements AuditSink {
  /** Rows written outside a caller's transaction share commits (one fsync for a burst of agent calls or logins). */
  private readonly batches: GroupCommit<Record<string, unknown>, null>;

  constructor(private readonly deps: AuditLogDeps) {
    this.batches = new GroupCommit({
      db: deps.db,
      logger: deps.logger,
      write: async (trx, rows) => {
        // A hot write (a row per agent tool call): one statement on the transaction's connection, past knex's builder.
        await insertRows(trx, 'auth_audit_logs', rows);
        return rows.map(() => null);
      },
      maxBatch: 100,
      oneStatement: true,
      name: 'audit log',
    });
  }

  /** In `trx` when given (written with the change it reports), else durably through the group commit. */
  async record(entry: AuditEntry, trx?: Db): Promise<void> {
    const row = this.row(entry);
    const tenantId = row.tenant_id as string | null;
    if (trx) {
      await trx('auth_audit_logs').insert(row);
      afterCommit(trx, () => this.deps.written(tenantId));
    } else {
      await this.batches.submit(row);
      this.deps.written(tenantId);
    }
  }

  private row(entry: AuditEntry): Record<string, unknown> {
    return {
      tenant_id: entry.tenantId ?? entry.actor?.tenantId ?? null,
      actor_type: entry.actor ? entry.actor.kind : entry.actorLabel ? 'anonymous' : 'system',
      actor_id: entry.actor ? actorId(entry.actor) : null,
      actor_label: entry.actor?.name ?? entry.actorLabel ?? null,
      action: entry.action,
      target_type: entry.target?.type ?? null,
      target_id: entry.target?.id ?? null,
      ip: entry.meta?.ip ?? null,
      user_agent: entry.meta?.userAgent?.slice(0, 512) ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
      created_at: iso(this.deps.clock.now()),
    };
  }

  async list(filter: AuditFilter, page: PageRequest): Promise<Page<Record<string, unknown>>> {
    const q = this.deps.db('auth_audit_logs');
    if (filter.actor_id) q.where('actor_id', filter.actor_id);
    if (filter.action) q.where('action', filter.action);
    if (filter.target_type) q.where('target_type', filter.target_type);
    if (filter.target_id) q.where('target_id', filter.target_id);
    if (filter.tenant_id) q.where('tenant_id', filter.tenant_id);
    if (filter.since) q.where('created_at', '>=', new Date(filter.since).toISOString());
    if (filter.until) q.where('created_at', '<', new Date(filter.until).toISOString());
    return pageQuery(q.orderBy(NEWEST_FIRST), page, (r: Record<string, unknown>) => ({ ...r, details: r.details ? JSON.parse(String(r.details)) : null }));
  }

  /** Rows of one action per UTC day since `since` (ISO), of one tenant or (null) every tenant: the overview's charts. */
  async perDay(action: string, tenantId: string | null, since: string): Promise<Array<{ date: string; n: number }>> {
    const day = this.deps.db.raw('substr(created_at, 1, 10)');
    const q = this.deps.db('auth_audit_logs').where('action', action).where('created_at', '>=', since);
    if (tenantId !== null) q.where('tenant_id', tenantId);
    const rows: Array<{ date: string; n: number | string }> = await q.select({ date: day }).count({ n: '*' }).groupByRaw('substr(created_at, 1, 10)');
    return rows.map((r) => ({ date: r.date, n: Number(r.n) }));
  }
}
