import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { affected, isUniqueViolation } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import type { UsageMeter } from 'plinth/plugin';
import { pageQuery, type Page, type PageRequest } from 'plinth/plugin';
import { LicensingErrors } from './errors.js';
import { DeviceBinding, what } from './device-binding.js';

export { toDevice, what } from './device-binding.js';
import { newCode, newLicenseId, normalizeCode } from './codes.js';
import type { BindOutcome, Device, GenerateInput, License, LicenseFilter, LicenseKind, LicensePlan, LicenseRegistry, LicenseScope } from '../api.js';

// The shapes are licensing's public ones (api.ts); its own files keep their short names.
export type { BindOutcome, Device, GenerateInput, License, LicenseFilter, LicenseKind, LicenseStatus } from '../api.js';
export type Plan = LicensePlan;
export type Scope = LicenseScope;

const PLAN_DAYS: Record<Exclude<Plan, 'lifetime' | 'custom'>, number> = { monthly: 30, yearly: 365 };
/** Rows per INSERT: SQLite takes a multi-row insert as one compound SELECT (at most 500 terms). */
const INSERT_CHUNK = 100;
const DAY = 86_400_000;

const toLicense = (r: Record<string, any>): License => ({ ...(r as License), id: Number(r.id), price: r.price === null ? null : Number(r.price) });

/** What Licenses is built from, passed by name. */
export interface LicensesDeps {
  db: Knex;
  clock: Clock;
  events: EventBus;
  usage: UsageMeter;
  onChange: (kind: 'license' | 'device', key: string) => Promise<void>;
}

/**
 * The licensing engine: generate, look up, bind devices under a cap, revoke, expire. The seed-002
 * face is one client; the robots plugin is another (8-character codes bound to one device).
 */
export class Licenses implements LicenseRegistry {
  constructor(private readonly deps: LicensesDeps) {
    this.binding = new DeviceBinding({ db: deps.db, clock: deps.clock, events: deps.events, licenses: this, onChange: deps.onChange });
  }

  private readonly binding: DeviceBinding;
  /** Products a plugin sells through its own kind of license (robots: `workbot`, kind robot). */
  private readonly reserved = new Map<string, { kind: LicenseKind; by: string }>();

  /**
   * Keeps `product` for licenses of `kind`, issued by the plugin that sells it (`by`, for the
   * refusal): the seed's face, the `licensing.generate` action and its MCP tool then refuse it, so
   * a customer cannot mint what the operator sells.
   */
  reserve(product: string, kind: LicenseKind, by: string): void {
    this.reserved.set(product.trim().toLowerCase(), { kind, by });
  }

  /** A reserved product asked for with another kind: 400 INVALID_REQUEST (reason PRODUCT_RESERVED), naming `product`. */
  private assertIssuable(product: string, kind: LicenseKind): void {
    const owner = this.reserved.get(product.trim().toLowerCase());
    if (owner && owner.kind !== kind) {
      throw LicensingErrors.productReserved(product, owner.by);
    }
  }

  private scoped(scope: Scope, trx: Knex | Knex.Transaction = this.deps.db) {
    const q = trx('licensing_licenses');
    if (scope.tenantId) q.where('tenant_id', scope.tenantId);
    return q;
  }

  async generate(input: GenerateInput): Promise<License> {
    return (await this.generateMany(input, 1))[0];
  }

  /**
   * `count` licenses alike, all or none: one transaction takes them from the plan (402 past
   * its limit, nothing written) and writes them with their events.
   */
  async generateMany(input: GenerateInput, count: number): Promise<License[]> {
    this.assertIssuable(input.product ?? 'default', input.kind ?? 'license'); // before anything is metered or written
    const now = this.deps.clock.now();
    const days = input.days ?? (input.plan === 'lifetime' || input.plan === 'custom' ? null : PLAN_DAYS[input.plan]);
    if (input.plan === 'custom' && !days) throw AppError.validation([{ path: 'body.days', message: 'is required for a custom plan' }], 400);
    const row = {
      tenant_id: input.tenantId,
      product: input.product ?? 'default',
      kind: input.kind ?? 'license',
      email: input.email ? input.email.trim().toLowerCase() : null,
      plan: input.plan,
      device_cap: input.deviceCap ?? 5,
      active_devices: 0,
      issued_at: now.toISOString(),
      valid_until: input.plan === 'lifetime' && input.days === undefined ? null : new Date(now.getTime() + days! * DAY).toISOString(),
      user_hint: input.userHint ?? null,
      status: 'active',
      price: input.price ?? null,
      currency: input.currency ?? null,
      bound_user_id: input.boundUserId ?? null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    for (let attempt = 1; ; attempt++) {
      const rows = Array.from({ length: count }, () => ({ ...row, license_id: newLicenseId(), activation_code: newCode(input.codeFormat ?? 'groups') }));
      try {
        return await this.deps.db.transaction(async (trx) => {
          await this.deps.usage.consume(input.tenantId, 'max_licenses', count, trx, input.actor);
          for (let i = 0; i < rows.length; i += INSERT_CHUNK) await trx('licensing_licenses').insert(rows.slice(i, i + INSERT_CHUNK));
          const order = new Map(rows.map((r, i) => [r.license_id, i]));
          const licenses = (await trx('licensing_licenses').whereIn('license_id', [...order.keys()])).map(toLicense);
          licenses.sort((a, b) => order.get(a.license_id)! - order.get(b.license_id)!);
          for (const license of licenses) {
            await this.deps.events.emit(
              trx,
              'license.generated',
              { ...what(license), plan: license.plan, email: license.email },
              { tenantId: license.tenant_id },
            );
          }
          return licenses;
        });
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= 5) throw err; // a code collision: draw them again
      }
    }
  }

  async byCode(code: string): Promise<License | null> {
    const row = await this.deps.db('licensing_licenses').where('activation_code', normalizeCode(code)).first();
    return row ? toLicense(row) : null;
  }

  async get(scope: Scope, licenseId: string): Promise<License> {
    const row = await this.scoped(scope).where('license_id', licenseId).first();
    if (!row) throw LicensingErrors.licenseNotFound(licenseId);
    return toLicense(row);
  }

  /**
   * One page of the scope's licenses, newest first, filtered and paged in SQL. `state` is read at
   * the engine's now: `live` (active and within its dates), `expired` (expired, or active past
   * valid_until: the expiry job runs daily), `ended` (revoked or disabled). `inUse` (with `live`)
   * keeps licenses with a bound device or among `inUseAlso` — the license ids a caller counts as
   * used, as a query over its own table in the same database (robots: codes a robot was activated
   * with), which must yield no nulls — or, false, the others.
   */
  async page(scope: Scope, filter: LicenseFilter, page: PageRequest): Promise<Page<License>> {
    const q = this.scoped(scope).orderBy('id', 'desc');
    if (filter.product) q.where('product', filter.product);
    const now = this.deps.clock.now().toISOString();
    const pastDate = (b: Knex.QueryBuilder) => b.whereNotNull('valid_until').andWhere('valid_until', '<=', now);
    if (filter.state === 'ended') q.whereIn('status', ['revoked', 'disabled']);
    if (filter.state === 'expired') q.whereNotIn('status', ['revoked', 'disabled']).andWhere((b) => b.where('status', 'expired').orWhere(pastDate));
    if (filter.state === 'live') q.where('status', 'active').andWhere((b) => b.whereNull('valid_until').orWhere('valid_until', '>', now));
    const also = filter.inUseAlso;
    if (filter.inUse === true) q.where((b) => (also ? b.where('active_devices', '>', 0).orWhereIn('license_id', also) : b.where('active_devices', '>', 0)));
    if (filter.inUse === false) q.where('active_devices', 0).modify((b) => (also ? b.whereNotIn('license_id', also) : b));
    return pageQuery(q, page, toLicense);
  }

  async list(scope: Scope, filter: { status?: string; limit: number; product?: string }): Promise<Array<License>> {
    const q = this.scoped(scope).orderBy('id', 'desc').limit(filter.limit);
    if (filter.status) q.where('status', filter.status);
    if (filter.product) q.where('product', filter.product);
    return (await q).map(toLicense);
  }

  // Device binding lives in device-binding.ts; the engine's callers (the verify face, robots) keep one API.
  devices(license: License): Promise<Device[]> {
    return this.binding.devices(license);
  }

  device(licensePk: number, deviceId: string): Promise<Device | null> {
    return this.binding.device(licensePk, deviceId);
  }

  bind(license: License, device: { deviceId: string; deviceName?: string | null; ip?: string | null }): Promise<BindOutcome> {
    return this.binding.bind(license, device);
  }

  setDeviceStatus(scope: Scope, licenseId: string, deviceId: string, status: 'active' | 'deactivated'): Promise<void> {
    return this.binding.setDeviceStatus(scope, licenseId, deviceId, status);
  }

  unbind(scope: Scope, licenseId: string, deviceId: string): Promise<void> {
    return this.binding.unbind(scope, licenseId, deviceId);
  }

  activationsPerDay(scope: Scope, days: number) {
    return this.binding.activationsPerDay(scope, days);
  }

  async stats(scope: Scope) {
    const byPlan: Array<{ plan: string; n: number | string }> = await this.scoped(scope).select('plan').count({ n: '*' }).groupBy('plan');
    const [{ total }] = await this.scoped(scope).count({ total: '*' });
    const [{ active }] = await this.scoped(scope).where('status', 'active').count({ active: '*' });
    const [{ devices }] = await this.scoped(scope).where('status', 'active').sum({ devices: 'active_devices' });
    return {
      total_licenses: Number(total),
      active_licenses: Number(active),
      plan_statistics: Object.fromEntries(
        ['monthly', 'yearly', 'lifetime', ...byPlan.map((p) => p.plan)].map((plan) => [plan, Number(byPlan.find((p) => p.plan === plan)?.n ?? 0)]),
      ),
      active_devices: Number(devices ?? 0),
    };
  }

  /** Revoked (refund, abuse) or disabled (a robots activation code): never valid again. */
  async end(scope: Scope, licenseId: string, status: 'revoked' | 'disabled', reason: string | null): Promise<License> {
    const license = await this.get(scope, licenseId);
    if (license.status === status) return license;
    const changed = await this.deps.db.transaction(async (trx) => {
      // Conditional on the status read, so concurrent calls release the slot and emit once.
      const n = affected(
        await trx('licensing_licenses')
          .where({ id: license.id, status: license.status })
          .update({ status, status_reason: reason, updated_at: this.deps.clock.now().toISOString() }),
      );
      if (n === 0) return false;
      if (license.status === 'active') await this.deps.usage.release(license.tenant_id, 'max_licenses', 1, trx);
      await this.deps.events.emit(
        trx,
        status === 'revoked' ? 'license.revoked' : 'license.disabled',
        { ...what(license), reason },
        { tenantId: license.tenant_id },
      );
      return true;
    });
    // Its status changed meanwhile (another revoke, the expiry job): look again.
    if (!changed) return this.end(scope, licenseId, status, reason);
    await this.deps.onChange('license', license.activation_code);
    return this.get(scope, licenseId);
  }

  /** The daily job: active licenses past valid_until become expired (one event each). */
  async expireDue(now: Date = this.deps.clock.now()): Promise<number> {
    const nowIso = now.toISOString();
    const due: Array<{ id: number; license_id: string; tenant_id: string; activation_code: string; product: string; kind: LicenseKind }> = await this.deps
      .db('licensing_licenses')
      .where('status', 'active')
      .whereNotNull('valid_until')
      .where('valid_until', '<=', nowIso)
      .select('id', 'license_id', 'tenant_id', 'activation_code', 'product', 'kind');
    if (!due.length) return 0;
    type Due = (typeof due)[number];
    const expired = await this.deps.db.transaction(async (trx) => {
      // Only the rows this update changed: one revoked meanwhile is neither expired nor released twice.
      const changed: Due[] = [];
      for (let i = 0; i < due.length; i += 500) {
        const chunk = due.slice(i, i + 500);
        const rows: Due[] = await trx('licensing_licenses')
          .whereIn(
            'id',
            chunk.map((d) => d.id),
          )
          .where('status', 'active')
          .update({ status: 'expired', updated_at: nowIso })
          .returning(['id', 'license_id', 'tenant_id', 'activation_code', 'product', 'kind']);
        changed.push(...rows);
      }
      changed.sort((x, y) => Number(x.id) - Number(y.id));
      const perTenant = new Map<string, number>();
      for (const d of changed) {
        perTenant.set(d.tenant_id, (perTenant.get(d.tenant_id) ?? 0) + 1);
        await this.deps.events.emit(trx, 'license.expired', what(d), { tenantId: d.tenant_id });
      }
      for (const [tenantId, n] of perTenant) await this.deps.usage.release(tenantId, 'max_licenses', n, trx);
      return changed;
    });
    for (const d of expired) await this.deps.onChange('license', d.activation_code);
    return expired.length;
  }
}
