import type { Knex } from 'knex';
import type { Clock } from '../../../core/clock.js';
import type { Principal } from '../../../core/http/auth.js';
import { pageOffset, toPage, type Page, type PageRequest } from '../../../core/http/pagination.js';
import type { Db, RequestMeta } from './types.js';

export interface AuditEntry {
  action: string;
  tenantId?: string | null;
  actor?: Principal | null;
  /** For events without a principal (a failed login names the email tried). */
  actorLabel?: string;
  target?: { type: string; id: string | null };
  meta?: RequestMeta;
  details?: Record<string, unknown>;
}

export interface AuditFilter {
  actor_id?: string;
  action?: string;
  target_type?: string;
  target_id?: string;
  tenant_id?: string;
  since?: string;
  until?: string;
}

const actorId = (p: Principal) => (p.kind === 'api_key' ? String(p.attributes?.apiKeyId ?? p.id) : p.id);

/**
 * The platform's audit log: every security event and every admin action. Other plugins resolve
 * `audit` from the container to record theirs. Write it in the same transaction as the change.
 */
export class AuditLog {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
  ) {}

  async record(entry: AuditEntry, trx: Db = this.db): Promise<void> {
    await trx('auth_audit_logs').insert({
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
      created_at: this.clock.now().toISOString(),
    });
  }

  async list(filter: AuditFilter, page: PageRequest): Promise<Page<Record<string, unknown>>> {
    const q = this.db('auth_audit_logs');
    if (filter.actor_id) q.where('actor_id', filter.actor_id);
    if (filter.action) q.where('action', filter.action);
    if (filter.target_type) q.where('target_type', filter.target_type);
    if (filter.target_id) q.where('target_id', filter.target_id);
    if (filter.tenant_id) q.where('tenant_id', filter.tenant_id);
    if (filter.since) q.where('created_at', '>=', new Date(filter.since).toISOString());
    if (filter.until) q.where('created_at', '<', new Date(filter.until).toISOString());
    const [{ n }] = await q.clone().count({ n: '*' });
    const rows = await q.orderBy('id', 'desc').limit(page.page_size).offset(pageOffset(page));
    return toPage(
      rows.map((r: Record<string, unknown>) => ({ ...r, details: r.details ? JSON.parse(String(r.details)) : null })),
      n as number,
      page,
    );
  }
}
