import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { isUniqueViolation } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import { pageQuery, type Page, type PageRequest } from 'plinth/plugin';
import type { AuditLog } from './audit.js';
import type { PrincipalCache } from './principal-cache.js';
import { withOwnAccount } from './scopes.js';
import type { Tenants } from './tenants.js';
import { toPublicUser, type Db, type PublicUser, type RequestMeta, type TenantRole, type UserRow } from './types.js';
import { AuthErrors } from './errors.js';
import type { AdminUserPatch, AuthUsers, NewUser, ProfilePatch } from '../api.js';

export type { AdminUserPatch, NewUser, ProfilePatch } from '../api.js';

const SELF_DELETED = 'user.self_deleted';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Unique-column clashes become a 409 that names the field. */
function conflictOn(err: unknown): never {
  if (isUniqueViolation(err)) {
    // Name the column from the constraint (SQLite: "auth_users.phone"; PostgreSQL: "Key (phone)=…"),
    // never from the SQL text, which lists every column being set.
    const e = err as { message?: string; detail?: string; constraint?: string };
    const source = `${e.constraint ?? ''} ${e.detail ?? ''} ${/constraint failed: (.*)$/m.exec(e.message ?? '')?.[1] ?? ''}`;
    const field = /(email|phone|username)/.exec(source)?.[1];
    throw AuthErrors.fieldTaken(field);
  }
  throw err;
}

/** What Users is built from, passed by name. */
export interface UsersDeps {
  db: Knex;
  clock: Clock;
  audit: AuditLog;
  events: EventBus;
  cache: PrincipalCache;
  tenants: Tenants;
}

export class Users implements AuthUsers {
  constructor(private readonly deps: UsersDeps) {}

  async create(trx: Db, input: NewUser): Promise<UserRow> {
    const now = this.deps.clock.now().toISOString();
    const row: UserRow = {
      id: randomUUID(),
      tenant_id: input.tenantId,
      email: input.email ? normalizeEmail(input.email) : null,
      phone: input.phone ?? null,
      username: input.username ?? null,
      full_name: input.fullName ?? '',
      password_hash: input.passwordHash ?? null,
      role: input.role,
      is_superadmin: Boolean(input.superadmin),
      status: 'active',
      email_verified_at: input.emailVerified ? now : null,
      scope_limit: input.scopeLimit ? JSON.stringify(withOwnAccount(input.scopeLimit)) : null,
      last_login_at: null,
      created_at: now,
      updated_at: now,
    };
    try {
      await trx('auth_users').insert(row);
    } catch (err) {
      conflictOn(err);
    }
    await trx('auth_user_numbers').insert({ user_id: row.id }); // its number: the integer id the seed faces show
    await this.deps.events.emit(trx, 'auth.user.created', { user_id: row.id, email: row.email, phone: row.phone, role: row.role }, { tenantId: row.tenant_id });
    return row;
  }

  /** A new tenant with its owner, in one transaction. */
  async createWithTenant(input: Omit<NewUser, 'tenantId' | 'role'> & { tenantName: string }, trx?: Db): Promise<UserRow> {
    const run = async (t: Db) => {
      const tenantId = await this.deps.tenants.create(t, input.tenantName);
      return this.create(t, { ...input, tenantId, role: 'owner' });
    };
    return trx ? run(trx) : this.deps.db.transaction(run);
  }

  byId(id: string, trx: Db = this.deps.db): Promise<UserRow | undefined> {
    return trx('auth_users').where('id', id).first();
  }

  /** The users' numbers (the integer ids seeds 003 and 004 show), by user id; given at insert, never reused. */
  async numbers(ids: readonly string[]): Promise<Map<string, number>> {
    const rows = ids.length
      ? await this.deps
          .db('auth_user_numbers')
          .whereIn('user_id', [...new Set(ids)])
          .select('number', 'user_id')
      : [];
    return new Map(rows.map((r: { number: unknown; user_id: string }) => [r.user_id, Number(r.number)]));
  }

  /** The id of the user a number names (none: undefined); callers check the tenant as for an id. */
  async idOfNumber(n: number): Promise<string | undefined> {
    // Numbers are a 32-bit serial: a larger one names no one (PostgreSQL would refuse to compare it).
    if (!Number.isSafeInteger(n) || n < 1 || n > 2_147_483_647) return undefined;
    return (await this.deps.db('auth_user_numbers').where('number', n).first('user_id'))?.user_id;
  }

  byEmail(email: string): Promise<UserRow | undefined> {
    return this.deps.db('auth_users').where('email', normalizeEmail(email)).first();
  }

  byUsername(username: string): Promise<UserRow | undefined> {
    return this.deps.db('auth_users').whereRaw('lower(username) = ?', [username.trim().toLowerCase()]).first();
  }

  byPhone(phone: string): Promise<UserRow | undefined> {
    return this.deps.db('auth_users').where('phone', phone).first();
  }

  /**
   * For other plugins' phone logins: the user with this phone, or a new one in `join.tenantId` with
   * `join.role` (default member). An existing user keeps their tenant and role: a phone login
   * never moves anyone, nor makes a tenant.
   */
  async findOrCreateByPhone(phone: string, join: { tenantId: string; role?: TenantRole; scopeLimit?: readonly string[] }): Promise<UserRow> {
    const existing = await this.byPhone(phone);
    if (existing) return existing;
    try {
      return await this.deps.db.transaction((trx) =>
        this.create(trx, { tenantId: join.tenantId, phone, fullName: '', role: join.role ?? 'member', scopeLimit: join.scopeLimit }),
      );
    } catch (err) {
      // Two first logins of one phone at once: the loser reads the winner's row.
      const raced = await this.byPhone(phone);
      if (raced) return raced;
      throw err;
    }
  }

  async get(id: string, scope?: { tenantId: string | null }): Promise<PublicUser> {
    const row = await this.byId(id);
    if (!row || (scope?.tenantId && row.tenant_id !== scope.tenantId)) throw AppError.notFound('user not found');
    return toPublicUser(row);
  }

  async updateProfile(actor: Principal, patch: ProfilePatch, meta: RequestMeta): Promise<PublicUser> {
    return this.applyPatch(actor, actor.id, patch, meta, 'user.profile.updated');
  }

  async adminUpdate(actor: Principal, id: string, patch: AdminUserPatch, meta: RequestMeta): Promise<PublicUser> {
    const before = await this.get(id);
    const roleChanged = patch.role !== undefined && patch.role !== before.role;
    const demoted = patch.is_superadmin === false && before.is_superadmin;
    const action = roleChanged || demoted || (patch.is_superadmin === true && !before.is_superadmin) ? 'admin.user.role_changed' : 'admin.user.updated';
    return this.applyPatch(actor, id, patch, meta, action, async (trx) => {
      if (demoted && (await this.otherActiveSuperadmins(trx, id)) === 0) throw AuthErrors.lastSuperadmin('lose superadmin rights');
      if (roleChanged && before.role === 'owner' && (await this.otherOwners(trx, before.tenant_id, id)) === 0) {
        throw AuthErrors.lastOwnerCannotChangeRole();
      }
    });
  }

  private async otherActiveSuperadmins(trx: Db, id: string): Promise<number> {
    const [{ n }] = await trx('auth_users').where({ is_superadmin: true, status: 'active' }).whereNot('id', id).count({ n: '*' });
    return Number(n);
  }

  private async otherOwners(trx: Db, tenantId: string, id: string): Promise<number> {
    const [{ n }] = await trx('auth_users').where({ tenant_id: tenantId, role: 'owner' }).whereNot('id', id).count({ n: '*' });
    return Number(n);
  }

  private async applyPatch(
    actor: Principal,
    id: string,
    patch: AdminUserPatch,
    meta: RequestMeta,
    action: string,
    check?: (trx: Db) => Promise<void>,
  ): Promise<PublicUser> {
    const row: Record<string, unknown> = { updated_at: this.deps.clock.now().toISOString() };
    if (patch.full_name !== undefined) row.full_name = patch.full_name;
    if (patch.phone !== undefined) row.phone = patch.phone;
    if (patch.username !== undefined) row.username = patch.username;
    if (patch.language !== undefined) row.language = patch.language;
    if (patch.role !== undefined) row.role = patch.role;
    if (patch.is_superadmin !== undefined) row.is_superadmin = patch.is_superadmin;
    const current = await this.byId(id);
    if (!current) throw AppError.notFound('user not found');
    if (patch.scope_limit !== undefined) row.scope_limit = patch.scope_limit && JSON.stringify(withOwnAccount(patch.scope_limit));
    else if ((patch.role === 'owner' || patch.role === 'admin') && current.scope_limit) row.scope_limit = null;
    if (patch.email !== undefined && normalizeEmail(patch.email) !== current.email) {
      row.email = normalizeEmail(patch.email);
      row.email_verified_at = null; // a new address must be verified again
    }
    await this.deps.db.transaction(async (trx) => {
      await check?.(trx);
      try {
        await trx('auth_users').where('id', id).update(row);
      } catch (err) {
        conflictOn(err);
      }
      const { updated_at: _ignored, ...changed } = row;
      await this.deps.audit.record({ action, actor, tenantId: current.tenant_id, target: { type: 'user', id }, meta, details: changed }, trx);
    });
    await this.deps.cache.invalidate('user', id);
    return this.get(id);
  }

  async setStatus(actor: Principal, id: string, status: 'active' | 'suspended', meta: RequestMeta): Promise<PublicUser> {
    const user = await this.get(id);
    if (status === 'suspended' && id === actor.id) throw AuthErrors.cannotSuspendSelf();
    await this.deps.db.transaction(async (trx) => {
      if (status === 'suspended' && user.is_superadmin && (await this.otherActiveSuperadmins(trx, id)) === 0) throw AuthErrors.lastSuperadmin('be suspended');
      await trx('auth_users').where('id', id).update({ status, updated_at: this.deps.clock.now().toISOString() });
      const action = status === 'suspended' ? 'admin.user.suspended' : 'admin.user.activated';
      await this.deps.audit.record({ action, actor, tenantId: user.tenant_id, target: { type: 'user', id }, meta }, trx);
      await this.deps.events.emit(trx, status === 'suspended' ? 'auth.user.suspended' : 'auth.user.activated', { user_id: id }, { tenantId: user.tenant_id });
    });
    await this.deps.cache.invalidate('user', id);
    return this.get(id);
  }

  /** Deleting the last owner of a tenant that has other users, or the last superadmin, is refused. */
  async remove(actor: Principal, id: string, meta: RequestMeta, action = 'admin.user.deleted'): Promise<void> {
    const user = await this.get(id);
    await this.deps.db.transaction(async (trx) => {
      // Another *active* superadmin must remain (a suspended one cannot act, and this one may be suspended itself).
      if (user.is_superadmin && (await this.otherActiveSuperadmins(trx, id)) === 0) throw AuthErrors.lastSuperadmin('be deleted');
      if (user.role === 'owner' && (await this.otherOwners(trx, user.tenant_id, id)) === 0) {
        const [{ others }] = await trx('auth_users').where('tenant_id', user.tenant_id).whereNot('id', id).count({ others: '*' });
        if (Number(others) > 0) throw AuthErrors.lastOwnerCannotBeDeleted();
      }
      await trx('auth_users').where('id', id).delete();
      await this.deps.audit.record({ action, actor, tenantId: user.tenant_id, target: { type: 'user', id }, meta, details: { email: user.email } }, trx);
      await this.deps.events.emit(trx, 'auth.user.deleted', { user_id: id }, { tenantId: user.tenant_id });
      if (action === SELF_DELETED) await this.closeIfEmpty(trx, actor, user.tenant_id, meta);
    });
    await this.deps.cache.invalidate('user', id);
  }

  /** Deleting your own account. The sole user of a tenant closes it too: nobody could reach its data again. */
  removeSelf(actor: Principal, meta: RequestMeta): Promise<void> {
    return this.remove(actor, actor.id, meta, SELF_DELETED);
  }

  private async closeIfEmpty(trx: Db, actor: Principal, tenantId: string, meta: RequestMeta): Promise<void> {
    const tenant = await trx('auth_tenants').where('id', tenantId).first('name', 'is_platform');
    if (!tenant || tenant.is_platform || (await trx('auth_users').where('tenant_id', tenantId).first('id'))) return;
    await this.deps.tenants.deleteRow(trx, tenantId);
    await this.deps.audit.record(
      {
        action: 'tenant.closed',
        actor,
        tenantId,
        target: { type: 'tenant', id: tenantId },
        meta,
        details: { name: tenant.name, reason: 'last user deleted their account' },
      },
      trx,
    );
    await this.deps.events.emit(trx, 'auth.tenant.deleted', { tenant_id: tenantId }, { tenantId });
  }

  /** Users by creation time (`asc`: oldest first) from any offset: a range, not a page reversed. */
  async slice(range: { limit: number; offset: number; order: 'asc' | 'desc' }): Promise<PublicUser[]> {
    const rows: UserRow[] = await this.deps
      .db('auth_users')
      .orderBy([
        { column: 'created_at', order: range.order },
        { column: 'id', order: range.order },
      ])
      .limit(range.limit)
      .offset(range.offset);
    return rows.map(toPublicUser);
  }

  async list(filter: { search?: string; status?: string; tenant_id?: string; role?: string }, page: PageRequest): Promise<Page<PublicUser>> {
    const q = this.deps.db('auth_users');
    if (filter.search) {
      const like = `%${filter.search.toLowerCase()}%`;
      q.where((w) =>
        w
          .whereRaw('lower(email) like ?', [like])
          .orWhereRaw('lower(full_name) like ?', [like])
          .orWhere('phone', 'like', like)
          .orWhereRaw('lower(username) like ?', [like]),
      );
    }
    if (filter.status) q.where('status', filter.status);
    if (filter.tenant_id) q.where('tenant_id', filter.tenant_id);
    if (filter.role) q.where('role', filter.role);
    return pageQuery(q.orderBy('created_at', 'desc').orderBy('id'), page, toPublicUser);
  }

  /** A new superadmin (first start, plinth create-admin), owner in the platform tenant; audited. */
  async createSuperadmin(trx: Db, input: { tenantId: string; email: string; passwordHash: string | null }, via: string): Promise<UserRow> {
    const user = await this.create(trx, { ...input, role: 'owner', superadmin: true, emailVerified: true, fullName: 'Administrator' });
    await this.deps.audit.record(
      { action: 'admin.superadmin.created', tenantId: input.tenantId, target: { type: 'user', id: user.id }, details: { email: user.email, via } },
      trx,
    );
    return user;
  }

  /** Makes an existing user an active superadmin (plinth create-admin); call `forget(id)` after commit. */
  async promoteToSuperadmin(trx: Db, id: string, passwordHash: string | null, via: string): Promise<void> {
    const user = await this.byId(id, trx);
    if (!user) throw AppError.notFound('user not found');
    await trx('auth_users')
      .where('id', id)
      .update({
        is_superadmin: true,
        status: 'active',
        updated_at: this.deps.clock.now().toISOString(),
        ...(passwordHash ? { password_hash: passwordHash } : {}),
      });
    await this.deps.audit.record(
      {
        action: 'admin.user.role_changed',
        tenantId: user.tenant_id,
        target: { type: 'user', id },
        details: { is_superadmin: true, via, ...(passwordHash ? { password: 'set' } : {}) },
      },
      trx,
    );
  }

  /** Drops a user from the principal cache here and on the other instances (after a commit made elsewhere). */
  forget(id: string): Promise<void> {
    return this.deps.cache.invalidate('user', id);
  }

  async setPasswordHash(trx: Db, id: string, hash: string): Promise<void> {
    await trx('auth_users').where('id', id).update({ password_hash: hash, updated_at: this.deps.clock.now().toISOString() });
  }

  async markEmailVerified(trx: Db, id: string): Promise<void> {
    await trx('auth_users').where('id', id).update({ email_verified_at: this.deps.clock.now().toISOString() });
  }
}
