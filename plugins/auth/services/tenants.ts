import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import { pageQuery, type Page, type PageRequest } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { PubSub } from 'plinth/plugin';
import { SharedCache } from 'plinth/plugin';
import type { TenantDeletion, TenantParts } from 'plinth/plugin';
import type { AuditLog } from './audit.js';
import type { PrincipalCache } from './principal-cache.js';
import type { Db, RequestMeta } from './types.js';
import { AuthErrors } from './errors.js';
import type { AuthTenant, TenantDirectory, TenantSettings } from '../api.js';

export type { AuthTenant, TenantSettings } from '../api.js';

export const CONSENT = { type: 'ai_processing', version: '1.0' } as const;

const toTenant = (r: Record<string, unknown>): AuthTenant => ({
  id: r.id as string,
  name: r.name as string,
  status: r.status as string,
  // The operator tenant: the first superadmin's, exactly one (stored as auth_tenants.is_platform).
  is_operator: Boolean(r.is_platform),
  created_at: r.created_at as string,
  updated_at: r.updated_at as string,
  ...(r.user_count !== undefined ? { user_count: Number(r.user_count) } : {}),
});

/** What Tenants is built from, passed by name. */
export interface TenantsDeps {
  db: Knex;
  clock: Clock;
  audit: AuditLog;
  events: EventBus;
  cache: PrincipalCache;
  pubsub: PubSub;
  logger: Logger;
  /** Every plugin's part of a tenant: what deleting one counts and deletes. */
  parts: TenantParts;
}

export class Tenants implements TenantDirectory {
  /** Found once: the operator tenant is made at first start and can be neither deleted nor changed. */
  private operator: string | null = null;

  /** Read on hot paths (every AI reply checks the tenant's AI consent). */
  private readonly settingsCache: SharedCache<TenantSettings>;

  constructor(private readonly deps: TenantsDeps) {
    this.settingsCache = new SharedCache({ name: 'auth.tenant-settings', pubsub: deps.pubsub, logger: deps.logger, max: 10_000, ttlMs: 60_000 });
  }

  /** Listens for other instances' changes to tenant settings. */
  start(): Promise<void> {
    return this.settingsCache.start();
  }

  async create(trx: Db, name: string, options: { platform?: boolean } = {}): Promise<string> {
    const id = randomUUID();
    const now = this.deps.clock.now().toISOString();
    await trx('auth_tenants').insert({ id, name, status: 'active', is_platform: Boolean(options.platform), created_at: now, updated_at: now });
    await trx('auth_tenant_settings').insert({ tenant_id: id, updated_at: now });
    await this.deps.events.emit(trx, 'auth.tenant.created', { tenant_id: id, name }, { tenantId: id });
    return id;
  }

  /**
   * The operator tenant's id (null before the first start made it). Other plugins ask through the
   * container (`tenants`); `trx` for callers inside a transaction (SQLite has one connection).
   */
  async operatorId(trx: Db = this.deps.db): Promise<string | null> {
    this.operator ??= ((await trx('auth_tenants').where('is_platform', true).first('id'))?.id as string | undefined) ?? null;
    return this.operator;
  }

  /** Whether a tenant exists (inside the caller's transaction when given: SQLite has one connection). */
  async exists(id: string, trx: Db = this.deps.db): Promise<boolean> {
    return Boolean(await trx('auth_tenants').where('id', id).first('id'));
  }

  async get(id: string) {
    const row = await this.deps
      .db('auth_tenants as t')
      .where('t.id', id)
      .first('t.*', this.deps.db('auth_users').count('*').where('tenant_id', this.deps.db.ref('t.id')).as('user_count'));
    if (!row) throw AppError.notFound('tenant not found');
    return toTenant(row);
  }

  /** Tenant names by id, for lists that name each row's tenant. */
  async names(ids: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map();
    const rows: Array<{ id: string; name: string }> = await this.deps.db('auth_tenants').whereIn('id', unique).select('id', 'name');
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async list(search: string | undefined, page: PageRequest): Promise<Page<AuthTenant>> {
    const q = this.deps
      .db('auth_tenants as t')
      .select('t.*', this.deps.db('auth_users').count('*').where('tenant_id', this.deps.db.ref('t.id')).as('user_count'))
      .orderBy('t.created_at', 'desc')
      .orderBy('t.id'); // tenants created in the same millisecond still page without overlap
    if (search) q.whereRaw('lower(t.name) like ?', [`%${search.toLowerCase()}%`]);
    return pageQuery(q, page, toTenant);
  }

  /** `audited`: what the audit entry lists, when the request changed more than these columns (settings, plan). */
  async update(
    actor: Principal,
    id: string,
    patch: { name?: string; status?: 'active' | 'suspended' },
    meta: RequestMeta,
    audited: Record<string, unknown> = patch,
  ) {
    const tenant = await this.get(id);
    if (tenant.is_operator && patch.status === 'suspended') throw AppError.conflict('the operator tenant cannot be suspended');
    const columns = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const details = Object.fromEntries(Object.entries(audited).filter(([, v]) => v !== undefined));
    // What it was, for a rename or a status change: the audit entry then reads "from → to" by name.
    if (patch.name !== undefined && patch.name !== tenant.name) details.previous_name = tenant.name;
    if (patch.status !== undefined && patch.status !== tenant.status) details.previous_status = tenant.status;
    await this.deps.db.transaction(async (trx) => {
      if (patch.status === 'suspended') {
        await this.keepsASuperadmin(trx, id, 'suspended');
        if (tenant.status !== 'suspended' && actor.tenantId === id) {
          throw AuthErrors.ownTenantSuspend();
        }
      }
      await trx('auth_tenants')
        .where('id', id)
        .update({ ...columns, updated_at: this.deps.clock.now().toISOString() });
      await this.deps.audit.record({ action: 'admin.tenant.updated', actor, tenantId: id, target: { type: 'tenant', id }, meta, details }, trx);
    });
    if (patch.status) await this.deps.cache.invalidate('all');
    return this.get(id);
  }

  /**
   * What deleting the tenant would delete, by plugin, and why it cannot be deleted (null: it can):
   * the confirmation the admin UI shows before the DELETE.
   */
  async deletion(actor: Principal, id: string): Promise<{ tenant: ReturnType<typeof toTenant>; blocked: string | null; goes: TenantDeletion[] }> {
    const tenant = await this.get(id);
    let blocked: string | null = null;
    try {
      await this.deletable(actor, tenant, this.deps.db);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      blocked = err.message;
    }
    return { tenant, blocked, goes: await this.deps.parts.owned(id, this.deps.db) };
  }

  /** Refuses the operator tenant, the actor's own and the one holding the last active superadmin. */
  private async deletable(actor: Principal, tenant: { id: string; is_operator: boolean }, trx: Db): Promise<void> {
    if (tenant.is_operator) throw AppError.conflict('the operator tenant cannot be deleted');
    await this.keepsASuperadmin(trx, tenant.id, 'deleted');
    if (actor.tenantId === tenant.id) throw AuthErrors.ownTenantDelete();
  }

  /**
   * Deletes the tenant and, in the same transaction, every plugin's rows of it (each plugin's
   * `tenant.remove`, core/overview/tenant.ts): all of it goes, or nothing does. The audit entry
   * names the tenant and counts what went.
   */
  async remove(actor: Principal, id: string, meta: RequestMeta): Promise<void> {
    const tenant = await this.get(id);
    await this.deps.db.transaction(async (trx) => {
      await this.deletable(actor, tenant, trx);
      const goes = await this.deps.parts.owned(id, trx);
      await this.deleteRow(trx, id);
      const deleted = Object.fromEntries(goes.flatMap((p) => p.rows.map((r) => [`${p.plugin}: ${r.label}`, r.count])));
      await this.deps.audit.record(
        { action: 'admin.tenant.deleted', actor, tenantId: id, target: { type: 'tenant', id }, meta, details: { name: tenant.name, deleted } },
        trx,
      );
      await this.deps.events.emit(trx, 'auth.tenant.deleted', { tenant_id: id }, { tenantId: id });
    });
    await this.deps.cache.invalidate('all');
  }

  /**
   * The other plugins' rows of the tenant (their `tenant.remove`), then its row and with it
   * (cascade) auth's own, settings included; within the caller's transaction.
   */
  async deleteRow(trx: Db, id: string): Promise<void> {
    await this.deps.parts.remove(id, trx);
    await trx('auth_tenants').where('id', id).delete();
    this.settingsCache.invalidateAfter(trx, id);
  }

  /** A tenant holding the only active superadmins (promoted users live in their own tenants) cannot go. */
  private async keepsASuperadmin(trx: Db, id: string, what: string): Promise<void> {
    const superadmins = (q: Knex.QueryBuilder) => q.where({ is_superadmin: true, status: 'active' }).first('id');
    const inside = await superadmins(trx('auth_users').where('tenant_id', id));
    if (inside && !(await superadmins(trx('auth_users').whereNot('tenant_id', id)))) {
      throw AuthErrors.tenantHoldsLastSuperadmin(what);
    }
  }

  /** Cached, except inside a transaction (which must see its own writes). */
  async settings(tenantId: string, trx: Db = this.deps.db): Promise<TenantSettings> {
    const settings =
      trx === this.deps.db ? await this.settingsCache.get(tenantId, () => this.readSettings(tenantId, trx)) : await this.readSettings(tenantId, trx);
    if (!settings) throw AppError.notFound('tenant not found');
    // A copy: callers may change what they are given, the cached entry must not.
    return { ...settings, allowed_numbers: [...settings.allowed_numbers] };
  }

  private async readSettings(tenantId: string, trx: Db): Promise<TenantSettings | null> {
    const row = await trx('auth_tenant_settings').where('tenant_id', tenantId).first();
    if (!row) return null;
    return {
      allowed_numbers: JSON.parse(row.allowed_numbers),
      require_approval: Boolean(row.require_approval),
      ai_consent_enabled: Boolean(row.ai_consent_enabled),
    };
  }

  /** Partial update; switching AI consent on or off records a consent row (kept as history). */
  async updateSettings(actor: Principal, tenantId: string, patch: Partial<TenantSettings>, meta: RequestMeta): Promise<TenantSettings> {
    return this.deps.db.transaction(async (trx) => {
      const before = await this.settings(tenantId, trx);
      const now = this.deps.clock.now().toISOString();
      const row: Record<string, unknown> = { updated_at: now };
      if (patch.allowed_numbers !== undefined) row.allowed_numbers = JSON.stringify([...new Set(patch.allowed_numbers)]);
      if (patch.require_approval !== undefined) row.require_approval = patch.require_approval;
      if (patch.ai_consent_enabled !== undefined) row.ai_consent_enabled = patch.ai_consent_enabled;
      await trx('auth_tenant_settings').where('tenant_id', tenantId).update(row);
      this.settingsCache.invalidateAfter(trx, tenantId);
      if (patch.ai_consent_enabled !== undefined && patch.ai_consent_enabled !== before.ai_consent_enabled) {
        await trx('auth_consents').insert({
          tenant_id: tenantId,
          user_id: actor.kind === 'root' ? null : actor.id,
          type: CONSENT.type,
          version: CONSENT.version,
          granted: patch.ai_consent_enabled,
          ip: meta.ip,
          user_agent: meta.userAgent.slice(0, 512),
          created_at: now,
        });
      }
      await this.deps.audit.record({ action: 'tenant.settings.updated', actor, tenantId, target: { type: 'tenant', id: tenantId }, meta, details: patch }, trx);
      const after = await this.settings(tenantId, trx);
      await this.deps.events.emit(trx, 'auth.tenant.settings_updated', { tenant_id: tenantId, settings: { ...after } }, { tenantId });
      return after;
    });
  }

  consents(tenantId: string) {
    return this.deps.db('auth_consents').where('tenant_id', tenantId).orderBy('id', 'desc');
  }
}
