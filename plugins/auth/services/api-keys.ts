import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import { hasRole, hasScope, type Principal, type TenantPrincipal } from 'plinth/plugin';
import type { UsageMeter } from 'plinth/plugin';
import type { AuditLog } from './audit.js';
import type { PrincipalCache } from './principal-cache.js';
import { isPlatformScope, type RoleScopes } from './scopes.js';
import { randomToken, sha256 } from 'plinth/plugin';
import type { RequestMeta } from './types.js';
import { AuthErrors } from './errors.js';

export type { ApiKeyView } from '../api.js';
import type { ApiKeyIssuer, ApiKeyView } from '../api.js';

const toView = (r: Record<string, any>): ApiKeyView => ({
  id: r.id,
  name: r.name,
  key_prefix: r.key_prefix,
  scopes: JSON.parse(r.scopes),
  user_id: r.user_id,
  expires_at: r.expires_at,
  created_at: r.created_at,
  last_used_at: r.last_used_at,
  is_active: Boolean(r.is_active),
});

/** What ApiKeys is built from, passed by name. */
export interface ApiKeysDeps {
  db: Knex;
  clock: Clock;
  prefix: string;
  roleScopes: RoleScopes;
  audit: AuditLog;
  events: EventBus;
  cache: PrincipalCache;
  /** Resolved per call: the billing plugin replaces the core's unmetered one after auth registers. */
  usage: UsageMeter;
}

/**
 * Tenant API keys: the raw key is returned once and stored as SHA-256. Members see and manage
 * their own keys; owners and admins every key of their tenant. A key never gets a scope its
 * creator lacks, and is checked against the scopes the enabled plugins registered.
 */
export class ApiKeys implements ApiKeyIssuer {
  constructor(private readonly deps: ApiKeysDeps) {}

  private visible(principal: Principal) {
    const q = this.deps.db('auth_api_keys').where('tenant_id', principal.tenantId ?? '');
    if (!hasRole(principal, 'admin')) q.where('user_id', principal.id);
    return q;
  }

  private newKey(): { raw: string; prefix: string; hash: string } {
    const raw = `${this.deps.prefix}${randomToken(32)}`;
    return { raw, prefix: raw.slice(0, this.deps.prefix.length + 4), hash: sha256(raw) };
  }

  async list(principal: Principal): Promise<ApiKeyView[]> {
    return (await this.visible(principal).orderBy('created_at', 'desc')).map(toView);
  }

  async get(principal: Principal, id: string): Promise<ApiKeyView> {
    const row = await this.visible(principal).where('id', id).first();
    if (!row) throw AppError.notFound('API key not found');
    return toView(row);
  }

  /** A key of the caller's own, in its tenant: the route's tenant guard (actingTenant) gives the principal. */
  async create(
    principal: TenantPrincipal,
    input: { name: string; scopes: string[]; expires_in_days?: number },
    meta: RequestMeta,
  ): Promise<ApiKeyView & { raw_key: string }> {
    const scopes = [...new Set(input.scopes)];
    const unknown = scopes.filter((s) => !this.deps.roleScopes.known(s));
    if (unknown.length) {
      throw AppError.validation(unknown.map((s) => ({ path: 'body.scopes', message: `"${s}" is not a scope of any enabled plugin` })));
    }
    const lacking = scopes.filter((s) => !hasScope(principal, s) || (isPlatformScope(s) && !hasRole(principal, 'superadmin')));
    if (lacking.length) throw AuthErrors.scopesNotHeld(lacking);
    const now = this.deps.clock.now();
    const key = this.newKey();
    const row = {
      id: randomUUID(),
      tenant_id: principal.tenantId,
      user_id: principal.id,
      name: input.name,
      key_prefix: key.prefix,
      key_hash: key.hash,
      scopes: JSON.stringify(scopes),
      is_active: true,
      expires_at: input.expires_in_days ? new Date(now.getTime() + input.expires_in_days * 86_400_000).toISOString() : null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await this.deps.db.transaction(async (trx) => {
      await this.deps.usage.consume(principal.tenantId!, 'max_api_keys', 1, trx, principal);
      await trx('auth_api_keys').insert(row);
      await this.deps.audit.record(
        { action: 'api_key.created', actor: principal, target: { type: 'api_key', id: row.id }, meta, details: { name: row.name, scopes } },
        trx,
      );
      await this.deps.events.emit(trx, 'auth.api_key.created', { api_key_id: row.id, user_id: principal.id, scopes }, { tenantId: principal.tenantId });
    });
    return { ...toView({ ...row, last_used_at: null }), raw_key: key.raw };
  }

  async revoke(principal: Principal, id: string, meta: RequestMeta): Promise<void> {
    const row = await this.visible(principal).where('id', id).first();
    if (!row) throw AppError.notFound('API key not found');
    if (!row.is_active) return;
    await this.deps.db.transaction(async (trx) => {
      const now = this.deps.clock.now().toISOString();
      await trx('auth_api_keys').where('id', id).update({ is_active: false, revoked_at: now, updated_at: now });
      await this.deps.usage.release(row.tenant_id, 'max_api_keys', 1, trx);
      await this.deps.audit.record({ action: 'api_key.revoked', actor: principal, target: { type: 'api_key', id }, meta, details: { name: row.name } }, trx);
      await this.deps.events.emit(trx, 'auth.api_key.revoked', { api_key_id: id }, { tenantId: row.tenant_id });
    });
    await this.deps.cache.invalidate('key', row.key_hash);
  }

  /** A new secret for the same key record; the old secret stops working at once. */
  async rotate(principal: Principal, id: string, meta: RequestMeta): Promise<ApiKeyView & { raw_key: string }> {
    const row = await this.visible(principal).where('id', id).first();
    if (!row) throw AppError.notFound('API key not found');
    if (!row.is_active) throw AuthErrors.keyRevoked();
    const key = this.newKey();
    await this.deps.db.transaction(async (trx) => {
      await trx('auth_api_keys')
        .where('id', id)
        .update({ key_prefix: key.prefix, key_hash: key.hash, last_used_at: null, updated_at: this.deps.clock.now().toISOString() });
      await this.deps.audit.record({ action: 'api_key.rotated', actor: principal, target: { type: 'api_key', id }, meta, details: { name: row.name } }, trx);
      await this.deps.events.emit(trx, 'auth.api_key.rotated', { api_key_id: id }, { tenantId: row.tenant_id });
    });
    await this.deps.cache.invalidate('key', row.key_hash);
    return { ...(await this.get(principal, id)), raw_key: key.raw };
  }
}
