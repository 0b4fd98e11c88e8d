// The licensing plugin's public surface, types only (see plugins/auth/api.ts for the rules).
import type { Knex } from 'knex';
import type { Page, PageRequest, PayloadsOf, Principal } from 'plinth/plugin';
import type { licensingEvents } from './events.js';

/** How a license's activation code is written: `XXXXX-XXXXX-XXXXX` (the seed's) or 8 characters (WorkBot's). */
export type LicenseCodeFormat = 'groups' | 'short8';

export type LicensePlan = 'monthly' | 'yearly' | 'lifetime' | 'custom';
/** What the license activates: a software license, or a robot (WorkBot's activation codes). */
export type LicenseKind = 'license' | 'robot';
export type LicenseStatus = 'active' | 'revoked' | 'expired' | 'disabled';

export interface License {
  id: number;
  license_id: string;
  tenant_id: string;
  product: string;
  kind: LicenseKind;
  activation_code: string;
  email: string | null;
  plan: LicensePlan;
  device_cap: number;
  active_devices: number;
  issued_at: string;
  valid_until: string | null;
  user_hint: string | null;
  status: LicenseStatus;
  status_reason: string | null;
  price: number | null;
  currency: string | null;
  bound_user_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface Device {
  id: number;
  license_pk: number;
  device_id: string;
  device_name: string | null;
  ip_address: string | null;
  status: 'active' | 'deactivated';
  first_seen_at: string;
  last_seen_at: string;
  deactivated_at: string | null;
}

export interface GenerateInput {
  tenantId: string;
  /** Who issues them, when a principal does: the usage meter never refuses a superadmin. */
  actor?: Principal;
  plan: LicensePlan;
  email?: string | null;
  deviceCap?: number;
  /** Overrides the plan's length; required for `custom`. */
  days?: number;
  userHint?: string | null;
  product?: string;
  /** `license` unless said. */
  kind?: LicenseKind;
  codeFormat?: LicenseCodeFormat;
  price?: number | null;
  currency?: string | null;
  boundUserId?: string | null;
}

/** What `licenses.page` filters on (services/licenses.ts says how). */
export interface LicenseFilter {
  product?: string;
  state?: 'live' | 'expired' | 'ended';
  inUse?: boolean;
  inUseAlso?: Knex.QueryBuilder;
}

/** Who may see what: a tenant's own licenses, or every tenant's (superadmin: null). */
export interface LicenseScope {
  tenantId: string | null;
}

export type BindOutcome =
  | { outcome: 'bound' | 'known'; device: Device }
  | { outcome: 'cap_reached'; devices: Device[] }
  | { outcome: 'deactivated'; device: Device };

/**
 * `licenses`: the license engine other plugins build on (WorkBot's activation codes are licenses of
 * kind robot). A plugin that sells a product `reserve`s it at register, so only its kind may issue it.
 * services/licenses.ts implements it.
 */
export interface LicenseRegistry {
  /** Keeps `product` for licenses of `kind`, issued by the plugin that sells it (`by`, named in the refusal). */
  reserve(product: string, kind: LicenseKind, by: string): void;
  /** `count` licenses alike, all or none (402 past the plan's limit, nothing written). */
  generateMany(input: GenerateInput, count: number): Promise<License[]>;
  byCode(code: string): Promise<License | null>;
  /** One page of the scope's licenses, newest first (see Licenses.page for the filter). */
  page(scope: LicenseScope, filter: LicenseFilter, page: PageRequest): Promise<Page<License>>;
  list(scope: LicenseScope, filter: { status?: string; limit: number; product?: string }): Promise<Array<License>>;
  devices(license: License): Promise<Device[]>;
  bind(license: License, device: { deviceId: string; deviceName?: string | null; ip?: string | null }): Promise<BindOutcome>;
  unbind(scope: LicenseScope, licenseId: string, deviceId: string): Promise<void>;
  /** Revoked (refund, abuse) or disabled (a robots activation code): never valid again. */
  end(scope: LicenseScope, licenseId: string, status: 'revoked' | 'disabled', reason: string | null): Promise<License>;
}

/**
 * The codes licensing's errors carry beside the core's (core/errors.ts CoreErrorCode): the seed's
 * closed set (core/http/envelopes.ts SUCCESS_ERROR_CODES). Every error is a named constructor in
 * services/errors.ts typed `AppError<LicensingErrorCode>`, so a code outside this list does not compile.
 */
export type LicensingErrorCode = 'INVALID_API_KEY' | 'INVALID_REQUEST' | 'INVALID_LICENSE' | 'MISSING_EMAIL' | 'MISSING_LICENSE';

/** The finer reason beside a code (`{ code, reason }` on the success envelope, `details.reason` elsewhere). */
export type LicensingReason =
  | 'DEVICE_NOT_FOUND'
  | 'DEVICE_NOT_ACTIVATED'
  | 'DEVICE_DEACTIVATED'
  | 'DEVICE_LIMIT_REACHED'
  | 'LICENSE_NOT_FOUND'
  | 'LICENSE_REVOKED'
  | 'LICENSE_EXPIRED'
  | 'LICENSE_DISABLED'
  | 'PRODUCT_RESERVED';

/** The seed's verify answer as data: `isValid` false with the seed's code and the finer reason when the license is not valid. */
export interface LicenseVerdict {
  isValid: boolean;
  code: 'SUCCESS' | 'INVALID_LICENSE';
  reason: string | null;
  message: string;
  license: { key: string; type: string; expiresAt: string | null } | null;
  device: { device_id: string; status: string } | null;
}

/**
 * `licenseTasks`: one tenant's licenses as the seed-002 face handles them (the agents' license tools):
 * verify a code for an email (and a device, bound as verify binds it), revoke, deactivate a device.
 * Another tenant's license is never found.
 */
export interface LicenseTasks {
  verify(tenantId: string, input: { activation_code: string; email: string; device_id?: string; device_name?: string }): Promise<LicenseVerdict>;
  revoke(tenantId: string, licenseId: string, reason: string | null): Promise<{ license_id: string; status: string }>;
  deactivateDevice(tenantId: string, licenseId: string, deviceId: string): Promise<{ license_id: string; device_id: string; status: 'deactivated' }>;
  /** One of the tenant's licenses with its devices (what a revoke or deactivate would touch); not found for another tenant's. */
  describe(tenantId: string, licenseId: string): Promise<LicenseSummary>;
}

/** A license as a destructive tool's preview shows it. */
export interface LicenseSummary {
  license_id: string;
  product: string;
  plan: string;
  status: string;
  email: string | null;
  valid_until: string | null;
  devices: Array<{ device_id: string; device_name: string | null; status: string }>;
}

declare module 'plinth/plugin' {
  interface Cradle {
    licenseTasks: LicenseTasks;
    licenses: LicenseRegistry;
  }
}

/** licensing's events by name, their payload types derived from the schemas in events.ts (handlers and emit calls get them by name). */
export type LicensingEventPayloads = PayloadsOf<typeof licensingEvents>;
export type LicensingEventName = keyof LicensingEventPayloads;

declare module 'plinth/plugin' {
  interface EventPayloads extends LicensingEventPayloads {}
}
