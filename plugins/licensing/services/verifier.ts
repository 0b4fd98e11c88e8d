import type { Knex } from 'knex';
import { iso, type Clock } from 'plinth/plugin';
import { LicensingErrors } from './errors.js';
import type { Logger } from 'plinth/plugin';
import type { PubSub } from 'plinth/plugin';
import { SharedCache } from 'plinth/plugin';
import { normalizeCode } from './codes.js';
import type { Device, License, Licenses } from './licenses.js';

export interface VerifyInput {
  activation_code: string;
  email: string;
  device_id?: string;
  device_name?: string;
  ip_address?: string;
}

export interface Verified {
  license: License;
  device: Device | null;
  /** When it was verified (ISO 8601): the device's last-seen time, and the reply's timestamp. */
  at: string;
}

/** What Verifier is built from, passed by name. */
export interface VerifierDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  pubsub: PubSub;
  engine: () => Licenses;
}

/**
 * POST /api/verify runs at every client start: the platform's hottest path. Licenses and known
 * devices are served from memory; revoking, expiring, deactivating or unbinding invalidates them
 * at once (here, and on other instances through pub/sub). Last-seen times are batched and written
 * once a second in one transaction (and before any admin read), instead of one commit per verify.
 */
export class Verifier {
  /** By activation code; a code that matches nothing is not kept (anyone can send made-up codes). */
  private readonly licenses: SharedCache<License>;
  /** By `<license pk>:<device id>`. */
  private readonly devices: SharedCache<Device>;
  private readonly seen = new Map<number, { at: string; name: string | null; ip: string | null }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: VerifierDeps) {
    this.licenses = new SharedCache({ name: 'licensing.licenses', pubsub: deps.pubsub, logger: deps.logger, max: 10_000, ttlMs: 60_000, keepMisses: false });
    this.devices = new SharedCache({ name: 'licensing.devices', pubsub: deps.pubsub, logger: deps.logger, max: 20_000, ttlMs: 60_000 });
  }

  async start(): Promise<void> {
    await Promise.all([this.licenses.start(), this.devices.start()]);
    this.timer = setInterval(() => void this.flushSeen().catch((err) => this.deps.logger.error({ err }, 'could not record device last-seen times')), 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushSeen();
  }

  /** After a change has committed: `license` by activation code, `device` by `<license pk>:<device id>`; here and on every instance. */
  async invalidate(kind: 'license' | 'device', key: string): Promise<void> {
    await (kind === 'license' ? this.licenses : this.devices).invalidate(key);
  }

  private license(code: string): Promise<License | null> {
    return this.licenses.get(code, () => this.deps.engine().byCode(code));
  }

  /**
   * `bind: false` accepts only a device already bound (the offline file); it never takes a slot.
   * `tenantId` finds that tenant's licenses only (another tenant's code is not found, and nothing is bound to it).
   */
  async verify(input: VerifyInput, options: { bind?: boolean; tenantId?: string } = {}): Promise<Verified> {
    const license = await this.license(normalizeCode(input.activation_code));
    if (!license || license.email !== input.email.trim().toLowerCase() || (options.tenantId && license.tenant_id !== options.tenantId))
      throw LicensingErrors.noMatchingLicense();
    if (license.status !== 'active') throw LicensingErrors.licenseEnded(license.status);
    const at = iso(this.deps.clock.now());
    if (license.valid_until && license.valid_until <= at) throw LicensingErrors.licenseExpired();
    if (!input.device_id) return { license, device: null, at };

    const key = `${license.id}:${input.device_id}`;
    const device = (await this.devices.get(key, async () => {
      if (options.bind === false) {
        const bound = await this.deps.engine().device(license.id, input.device_id!);
        if (!bound) throw LicensingErrors.deviceNotActivated();
        return bound;
      }
      const result = await this.deps.engine().bind(license, { deviceId: input.device_id!, deviceName: input.device_name, ip: input.ip_address });
      if (result.outcome === 'cap_reached') throw LicensingErrors.deviceSlotsTaken(license.device_cap);
      if (result.outcome === 'bound') void this.invalidate('license', normalizeCode(license.activation_code)); // its active_devices changed
      return result.device;
    }))!;
    if (device.status !== 'active') throw LicensingErrors.deviceDeactivated();
    device.last_seen_at = at;
    device.device_name = input.device_name ?? device.device_name;
    device.ip_address = input.ip_address ?? device.ip_address;
    this.seen.set(device.id, { at, name: device.device_name, ip: device.ip_address });
    return { license, device, at };
  }

  /**
   * Writes the batched last-seen times (one transaction). Flushes run one after another, so a
   * caller (an admin read) also waits for a flush the timer had already started.
   */
  flushSeen(): Promise<void> {
    const run = this.flushing.then(() => this.writeSeen());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async writeSeen(): Promise<void> {
    if (this.seen.size === 0) return;
    const batch = [...this.seen];
    this.seen.clear();
    try {
      await this.deps.db.transaction(async (trx) => {
        for (const [id, s] of batch) await trx('licensing_devices').where('id', id).update({ last_seen_at: s.at, device_name: s.name, ip_address: s.ip });
      });
    } catch (err) {
      for (const [id, s] of batch) if (!this.seen.has(id)) this.seen.set(id, s); // retried on the next flush
      throw err;
    }
  }
}
