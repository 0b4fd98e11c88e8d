import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { affected, isUniqueViolation } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import { LicensingErrors } from './errors.js';
import type { BindOutcome, Device, License, LicenseKind, LicenseScope as Scope } from '../api.js';

/** What every license.* event names: the license, its product and its kind (a workflow filters on them). */
export const what = (l: { license_id: string; product: string; kind: LicenseKind }) => ({ license_id: l.license_id, product: l.product, kind: l.kind });
export const toDevice = (r: Record<string, any>): Device => ({ ...(r as Device), id: Number(r.id), license_pk: Number(r.license_pk) });

/** What DeviceBinding is built from, passed by name. */
export interface DeviceBindingDeps {
  db: Knex;
  clock: Clock;
  events: EventBus;
  /** The engine's lookup (services/licenses.ts), to find a scope's license by id. */
  licenses: { get(scope: Scope, licenseId: string): Promise<License> };
  onChange: (kind: 'license' | 'device', key: string) => Promise<void>;
}

/**
 * Device binding: a license's devices under its cap. Binding is one conditional UPDATE of the
 * license's counter and the device row in one transaction, so racing devices never exceed the
 * cap; deactivating frees a slot, re-activating takes one back, unbinding removes the device.
 */
export class DeviceBinding {
  constructor(private readonly deps: DeviceBindingDeps) {}

  async devices(license: License): Promise<Device[]> {
    return (await this.deps.db('licensing_devices').where('license_pk', license.id).orderBy('id')).map(toDevice);
  }

  async device(licensePk: number, deviceId: string): Promise<Device | null> {
    const row = await this.deps.db('licensing_devices').where({ license_pk: licensePk, device_id: deviceId }).first();
    return row ? toDevice(row) : null;
  }

  /**
   * Binds a new device while the license has room: one conditional UPDATE of the counter and the
   * device row in one transaction, so racing devices can never exceed the cap.
   */
  async bind(license: License, device: { deviceId: string; deviceName?: string | null; ip?: string | null }): Promise<BindOutcome> {
    const now = this.deps.clock.now().toISOString();
    const existing = await this.device(license.id, device.deviceId);
    if (existing) return existing.status === 'active' ? { outcome: 'known', device: existing } : { outcome: 'deactivated', device: existing };
    try {
      const bound = await this.deps.db.transaction(async (trx) => {
        const room = affected(
          await trx('licensing_licenses')
            .where('id', license.id)
            .where('status', 'active')
            .whereRaw('active_devices < device_cap')
            .update({ active_devices: this.deps.db.raw('active_devices + 1'), updated_at: now }),
        );
        if (room === 0) return null;
        await trx('licensing_devices').insert({
          license_pk: license.id,
          device_id: device.deviceId,
          device_name: device.deviceName ?? null,
          ip_address: device.ip ?? null,
          status: 'active',
          first_seen_at: now,
          last_seen_at: now,
        });
        await this.deps.events.emit(
          trx,
          'license.activated',
          { ...what(license), device_id: device.deviceId, device_name: device.deviceName ?? null },
          { tenantId: license.tenant_id },
        );
        return toDevice(await trx('licensing_devices').where({ license_pk: license.id, device_id: device.deviceId }).first());
      });
      if (bound) return { outcome: 'bound', device: bound };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return this.bind(license, device); // the same device raced itself: it is bound now
    }
    // No room may be this same device's doing: a phone that sent its activation twice at once. Both
    // found it unbound; the first took the last slot, and on PostgreSQL the second's UPDATE waited for
    // that commit and then matched nothing (no unique violation to tell). It is bound now, not refused.
    const active = (await this.devices(license)).filter((d) => d.status === 'active');
    const self = active.find((d) => d.device_id === device.deviceId);
    if (self) return { outcome: 'known', device: self };
    return { outcome: 'cap_reached', devices: active };
  }

  /** Deactivates (frees a slot) or re-activates (takes one, within the cap) a device. */
  async setDeviceStatus(scope: Scope, licenseId: string, deviceId: string, status: 'active' | 'deactivated'): Promise<void> {
    const license = await this.deps.licenses.get(scope, licenseId);
    const now = this.deps.clock.now().toISOString();
    await this.deps.db.transaction(async (trx) => {
      const device = await trx('licensing_devices').where({ license_pk: license.id, device_id: deviceId }).first();
      if (!device) throw LicensingErrors.deviceNotBound(licenseId, deviceId);
      // Conditional on the old status, so concurrent calls change the counter once.
      const changed = affected(
        await trx('licensing_devices')
          .where('id', device.id)
          .whereNot('status', status)
          .update({ status, deactivated_at: status === 'active' ? null : now }),
      );
      if (changed === 0) return;
      if (status === 'active') {
        const room = affected(
          await trx('licensing_licenses')
            .where('id', license.id)
            .whereRaw('active_devices < device_cap')
            .update({ active_devices: this.deps.db.raw('active_devices + 1'), updated_at: now }),
        );
        if (room === 0)
          // Thrown inside the transaction: the device's own change rolls back too.
          throw LicensingErrors.deviceCapReached(licenseId, license.device_cap);
      } else {
        await trx('licensing_licenses')
          .where('id', license.id)
          .update({ active_devices: this.deps.db.raw('CASE WHEN active_devices > 0 THEN active_devices - 1 ELSE 0 END'), updated_at: now });
        await this.deps.events.emit(trx, 'license.device_deactivated', { ...what(license), device_id: deviceId }, { tenantId: license.tenant_id });
      }
    });
    await this.deps.onChange('device', `${license.id}:${deviceId}`);
  }

  /** Removes a device binding entirely (the robots plugin's unbind). */
  async unbind(scope: Scope, licenseId: string, deviceId: string): Promise<void> {
    const license = await this.deps.licenses.get(scope, licenseId);
    await this.deps.db.transaction(async (trx) => {
      const device = await trx('licensing_devices').where({ license_pk: license.id, device_id: deviceId }).first();
      if (!device) throw LicensingErrors.deviceNotBound(licenseId, deviceId);
      // The row as read: a concurrent unbind or status change makes this delete nothing.
      const gone = affected(await trx('licensing_devices').where({ id: device.id, status: device.status }).delete());
      if (gone && device.status === 'active') {
        await trx('licensing_licenses')
          .where('id', license.id)
          .update({
            active_devices: this.deps.db.raw('CASE WHEN active_devices > 0 THEN active_devices - 1 ELSE 0 END'),
            updated_at: this.deps.clock.now().toISOString(),
          });
      }
    });
    await this.deps.onChange('device', `${license.id}:${deviceId}`);
  }

  /**
   * Devices bound per UTC day over the last `days` days (today included), every day listed with
   * zeros: the licenses page's chart. A device unbound since is gone from it; a deactivated one stays.
   */
  async activationsPerDay(scope: Scope, days: number) {
    const now = this.deps.clock.now();
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
    const q = this.deps
      .db('licensing_devices as d')
      .join('licensing_licenses as l', 'l.id', 'd.license_pk')
      .where('d.first_seen_at', '>=', first.toISOString())
      .select({ date: this.deps.db.raw('substr(d.first_seen_at, 1, 10)') })
      .count({ n: '*' })
      .groupByRaw('substr(d.first_seen_at, 1, 10)');
    if (scope.tenantId) q.where('l.tenant_id', scope.tenantId);
    const counts = new Map(((await q) as Array<{ date: string; n: number | string }>).map((r) => [r.date, Number(r.n)]));
    return Array.from({ length: days }, (_, i) => {
      const date = new Date(first.getTime() + i * 86_400_000).toISOString().slice(0, 10);
      return { date, activations: counts.get(date) ?? 0 };
    });
  }
}
