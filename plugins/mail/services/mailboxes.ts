import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { windowQuery } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { isUniqueViolation } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { PubSub } from 'plinth/plugin';
import { SharedCache } from 'plinth/plugin';
import type { UsageMeter } from 'plinth/plugin';
import type { MailDomain, MailSettings } from '../config.js';
import type { MailboxScope } from './access.js';
import type { MailDomains } from './domains.js';
import { MailErrors } from './errors.js';

export interface Mailbox {
  id: number;
  tenant_id: string | null;
  owner_user_id: string | null;
  address: string;
  domain: string;
  can_login: boolean;
  is_pinned: boolean;
  is_favorite: boolean;
  forward_to: string | null;
  expires_at: string | null;
  last_received_at: string | null;
  created_at: string;
  password_is_default: boolean;
}

/**
 * What storing received mail needs of a mailbox. Cached per address on every instance (each RCPT
 * reads it) and dropped whenever one of these changes or the mailbox goes; nothing else of the
 * mailbox is kept, so nothing else can go stale.
 */
export type DeliveryMailbox = Pick<Mailbox, 'id' | 'tenant_id' | 'address' | 'forward_to'>;

const LOCAL = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$/;
const LOCAL_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
export const DEFAULT_MAILBOX_LIMIT = 10;

const toDeliveryMailbox = (r: Record<string, any>): DeliveryMailbox => ({
  id: Number(r.id),
  tenant_id: r.tenant_id,
  address: r.address,
  forward_to: r.forward_to,
});

const toMailbox = (r: Record<string, any>): Mailbox => ({
  id: Number(r.id),
  tenant_id: r.tenant_id,
  owner_user_id: r.owner_user_id,
  address: r.address,
  domain: r.domain,
  can_login: Boolean(r.can_login),
  is_pinned: Boolean(r.is_pinned),
  is_favorite: Boolean(r.is_favorite),
  forward_to: r.forward_to,
  expires_at: r.expires_at,
  last_received_at: r.last_received_at,
  created_at: r.created_at,
  password_is_default: r.password_hash === null || r.password_hash === undefined,
});

/** Mailboxes deleted per transaction by the expiry job (with their mail): short locks, bounded memory. */
export const EXPIRY_BATCH = 200;

/** What Mailboxes is built from, passed by name. */
export interface MailboxesDeps {
  db: Knex;
  clock: Clock;
  settings: MailSettings;
  usage: UsageMeter;
  domains: MailDomains;
  pubsub: PubSub;
  logger: Logger;
  /** Told of a tenant (null: none) whose mailboxes changed, once committed (the admin pages' live channel); never throws. */
  changed?: (tenantId: string | null) => void;
}

export class Mailboxes {
  /**
   * Mailboxes by address for delivery. Only found mailboxes are kept (anyone can name an
   * address at RCPT); a stale entry can only name a mailbox just deleted elsewhere, and its mail
   * then fails the foreign key and gets a 451, never a wrong mailbox.
   */
  private readonly deliveries: SharedCache<DeliveryMailbox>;

  constructor(private readonly deps: MailboxesDeps) {
    this.deliveries = new SharedCache({ name: 'mail.delivery', pubsub: deps.pubsub, logger: deps.logger, max: 10_000, ttlMs: 60_000, keepMisses: false });
  }

  /** Listens for other instances' changes to mailboxes; before the receiver starts. */
  init(): Promise<void> {
    return this.deliveries.start();
  }

  /** After a change to mailboxes' tenant, forwarding or existence has committed (many at once: all, one message to the other instances). */
  private async forget(addresses: string[]): Promise<void> {
    if (addresses.length > 20) await this.deliveries.invalidate();
    else await Promise.all(addresses.map((a) => this.deliveries.invalidate(a)));
  }

  /**
   * The one expiry model: every mailbox (named, generated, or made on first mail) lives its
   * domain's mailboxHours, or settings.mailboxLifetimeHours, from creation.
   */
  expiryFor(domain: MailDomain, from: Date = this.deps.clock.now()): string {
    return new Date(
      from.getTime() + (domain.mailboxHours ?? this.deps.settings.generatedMailboxHours ?? this.deps.settings.mailboxLifetimeHours) * 3_600_000,
    ).toISOString();
  }

  /** Rows the scope may see. */
  visible(scope: MailboxScope, trx: Knex | Knex.Transaction = this.deps.db) {
    const q = trx('mail_mailboxes');
    if (scope.role === 'mailbox') return q.where('id', scope.mailboxId ?? -1);
    if (scope.role !== 'strictAdmin') q.where('tenant_id', scope.tenantId);
    if (scope.role === 'user') q.where('owner_user_id', scope.userId);
    return q;
  }

  /** The domain mail for `address` is accepted at (config or database), or null. */
  acceptsDomain(address: string): Promise<MailDomain | null> {
    return this.deps.domains.forAddress(address);
  }

  /** The mailbox mail for `address` goes to: existing, created on first mail if its domain says so, or null. */
  forDelivery(address: string): Promise<DeliveryMailbox | null> {
    const normalized = address.trim().toLowerCase();
    return this.deliveries.get(normalized, () => this.findOrCreateForDelivery(normalized));
  }

  private async findOrCreateForDelivery(normalized: string): Promise<DeliveryMailbox | null> {
    const columns = ['id', 'tenant_id', 'address', 'forward_to'];
    const row = await this.deps.db('mail_mailboxes').where('address', normalized).first(columns);
    if (row) return toDeliveryMailbox(row);
    const domain = await this.acceptsDomain(normalized);
    const local = normalized.split('@')[0];
    if (!domain?.createOnFirstMail || !LOCAL.test(local)) return null;
    try {
      await this.deps.db('mail_mailboxes').insert({
        tenant_id: domain.tenantId,
        address: normalized,
        domain: domain.name,
        expires_at: this.expiryFor(domain),
        created_at: this.deps.clock.now().toISOString(),
      });
      this.deps.changed?.(domain.tenantId ?? null);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    return toDeliveryMailbox(await this.deps.db('mail_mailboxes').where('address', normalized).first(columns));
  }

  async create(scope: MailboxScope, local: string, domain: MailDomain): Promise<Mailbox> {
    if (scope.role === 'mailbox') throw MailErrors.mailboxHasOnlyItsOwn();
    const normalizedLocal = local.trim().toLowerCase();
    if (!LOCAL.test(normalizedLocal)) throw MailErrors.localPartInvalid();
    const address = `${normalizedLocal}@${domain.name}`;
    const tenantId = scope.tenantId;
    try {
      await this.deps.db.transaction(async (trx) => {
        if (scope.role === 'user') await this.assertQuota(trx, scope.userId);
        if (tenantId) await this.deps.usage.consume(tenantId, 'max_mailboxes', 1, trx, scope.principal);
        await trx('mail_mailboxes').insert({
          tenant_id: tenantId,
          owner_user_id: scope.userId,
          address,
          domain: domain.name,
          expires_at: this.expiryFor(domain),
          created_at: this.deps.clock.now().toISOString(),
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw MailErrors.mailboxExists(address);
      throw err;
    }
    this.deps.changed?.(tenantId);
    return this.get(scope, address);
  }

  /** A user's own mailbox limit (`mail_user_settings.mailbox_limit`); admins have none. */
  async quota(scope: MailboxScope): Promise<{ limit: number; used: number; remaining: number; note?: string }> {
    if (scope.role !== 'user') {
      const [{ n }] = await this.visible(scope).count({ n: '*' });
      return { limit: -1, used: Number(n), remaining: -1, note: 'administrators have no mailbox limit' };
    }
    const limit = await this.limitOf(this.deps.db, scope.userId);
    const [{ n }] = await this.deps.db('mail_mailboxes').where('owner_user_id', scope.userId).count({ n: '*' });
    return { limit, used: Number(n), remaining: Math.max(0, limit - Number(n)) };
  }

  private async limitOf(db: Knex | Knex.Transaction, userId: string): Promise<number> {
    const row = await db('mail_user_settings').where('user_id', userId).first('mailbox_limit');
    return row ? Number(row.mailbox_limit) : DEFAULT_MAILBOX_LIMIT;
  }

  private async assertQuota(trx: Knex.Transaction, userId: string): Promise<void> {
    const limit = await this.limitOf(trx, userId);
    const [{ n }] = await trx('mail_mailboxes').where('owner_user_id', userId).count({ n: '*' });
    if (Number(n) >= limit) throw MailErrors.mailboxQuotaReached(Number(n), limit);
  }

  async ownedBy(userId: string): Promise<number> {
    const [{ n }] = await this.deps.db('mail_mailboxes').where('owner_user_id', userId).count({ n: '*' });
    return Number(n);
  }

  async listOwnedBy(userId: string): Promise<Mailbox[]> {
    return (await this.deps.db('mail_mailboxes').where('owner_user_id', userId).orderBy('id')).map(toMailbox);
  }

  /**
   * Gives a mailbox to a user (or takes it back with null): the seed's assign/unassign. `joinTenant`:
   * a platform-level mailbox (no tenant) given to a tenant's user becomes that tenant's.
   */
  async assign(address: string, userId: string | null, tenantId: string | null, joinTenant: string | null = null): Promise<boolean> {
    const normalized = address.trim().toLowerCase();
    if (joinTenant) {
      await this.deps.db('mail_mailboxes').where('address', normalized).whereNull('tenant_id').update({ tenant_id: joinTenant });
      await this.forget([normalized]);
    }
    const q = this.deps.db('mail_mailboxes').where('address', normalized);
    if (tenantId) q.where('tenant_id', tenantId);
    const assigned = (await q.update({ owner_user_id: userId })) > 0;
    if (assigned) this.deps.changed?.(joinTenant ?? tenantId);
    return assigned;
  }

  /** A mailbox with a random local part (same lifetime as a named one). */
  async generate(scope: MailboxScope, length: number, domain: MailDomain): Promise<Mailbox> {
    for (let attempt = 1; ; attempt++) {
      const local = Array.from({ length }, () => LOCAL_ALPHABET[randomInt(LOCAL_ALPHABET.length)]).join('');
      try {
        return await this.create(scope, local, domain);
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'mailbox_exists') || attempt >= 5) throw err;
      }
    }
  }

  async get(scope: MailboxScope, address: string): Promise<Mailbox> {
    const row = await this.visible(scope).where('address', address.trim().toLowerCase()).first();
    if (!row) throw MailErrors.mailboxNotFound(address);
    return toMailbox(row);
  }

  async list(
    scope: MailboxScope,
    filter: { limit: number; offset: number; domain?: string; favorite?: boolean; forward?: boolean; search?: string },
  ): Promise<Mailbox[]> {
    const q = this.visible(scope).orderBy('is_pinned', 'desc').orderBy('id', 'desc');
    if (filter.domain) q.where('domain', filter.domain.toLowerCase());
    if (filter.favorite !== undefined) q.where('is_favorite', filter.favorite);
    if (filter.forward !== undefined) filter.forward ? q.whereNotNull('forward_to') : q.whereNull('forward_to');
    if (filter.search) q.where('address', 'like', `%${filter.search.toLowerCase().replace(/[%_]/g, '')}%`);
    return (await windowQuery(q, filter)).map(toMailbox);
  }

  async remove(scope: MailboxScope, address: string): Promise<void> {
    if (scope.role === 'mailbox') throw MailErrors.mailboxCannotDelete();
    const mailbox = await this.get(scope, address);
    await this.deps.db.transaction(async (trx) => {
      await trx('mail_mailboxes').where('id', mailbox.id).delete();
      if (mailbox.tenant_id) await this.deps.usage.release(mailbox.tenant_id, 'max_mailboxes', 1, trx);
    });
    this.deps.changed?.(mailbox.tenant_id);
    await this.forget([mailbox.address]);
  }

  /** Sets flags on mailboxes the scope may see, by id or address; reports each one like the seed's batch replies. */
  async update(
    scope: MailboxScope,
    target: { ids?: number[]; addresses?: string[] },
    patch: { is_pinned?: boolean; is_favorite?: boolean; forward_to?: string | null; can_login?: boolean },
  ) {
    const keys = target.ids ?? target.addresses?.map((a) => a.trim().toLowerCase()) ?? [];
    const column = target.ids ? 'id' : 'address';
    const found: Array<{ id: number; address: string; tenant_id: string | null }> = await this.visible(scope)
      .whereIn(column, keys)
      .select('id', 'address', 'tenant_id');
    if (found.length)
      await this.deps
        .db('mail_mailboxes')
        .whereIn(
          'id',
          found.map((f) => f.id),
        )
        .update(patch);
    if (found.length && patch.forward_to !== undefined) await this.forget(found.map((f) => f.address));
    for (const tenantId of new Set(found.map((f) => f.tenant_id))) this.deps.changed?.(tenantId);
    const results = keys.map((key) => {
      const hit = found.find((f) => (column === 'id' ? Number(f.id) === key : f.address === key));
      return { [column === 'id' ? 'mailbox_id' : 'address']: key, success: Boolean(hit), updated: Boolean(hit), ...(hit ? {} : { error: 'not found' }) };
    });
    const ok = results.filter((r) => r.success).length;
    return { success: ok > 0 || keys.length === 0, success_count: ok, fail_count: keys.length - ok, total: keys.length, results };
  }

  /**
   * The job: mailboxes past their expiry go, with their mail, at most `batch` per transaction and
   * `maxBatches` per run (the next run takes the rest), so a backlog never holds one long lock.
   */
  async expireDue(now: Date = this.deps.clock.now(), batch = EXPIRY_BATCH, maxBatches = 50): Promise<number> {
    let removed = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await this.expireBatch(now, batch);
      removed += n;
      if (n < batch) break;
    }
    return removed;
  }

  private async expireBatch(now: Date, batch: number): Promise<number> {
    const due = await this.deps.db.transaction(async (trx) => {
      const due: Array<{ id: number; tenant_id: string | null; address: string }> = await trx('mail_mailboxes')
        .whereNotNull('expires_at')
        .where('expires_at', '<=', now.toISOString())
        .orderBy('expires_at')
        .limit(batch)
        .select('id', 'tenant_id', 'address');
      if (!due.length) return due;
      const ids = due.map((d) => d.id);
      // Their mail, raw bytes and sessions go by ON DELETE CASCADE; sent mail keeps its row (SET NULL).
      await trx('mail_mailboxes').whereIn('id', ids).delete();
      const perTenant = new Map<string, number>();
      for (const d of due) if (d.tenant_id) perTenant.set(d.tenant_id, (perTenant.get(d.tenant_id) ?? 0) + 1);
      for (const [tenantId, n] of perTenant) await this.deps.usage.release(tenantId, 'max_mailboxes', n, trx);
      return due;
    });
    for (const tenantId of new Set(due.map((d) => d.tenant_id))) this.deps.changed?.(tenantId);
    await this.forget(due.map((d) => d.address));
    return due.length;
  }
}
