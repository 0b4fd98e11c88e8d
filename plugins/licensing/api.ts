// The licensing plugin's public surface, types only (see plugins/auth/api.ts for the rules).
import type { PayloadsOf } from 'plinth/plugin';
import type { Licenses } from './services/licenses.js';
import type { licensingEvents } from './events.js';

export type { BindOutcome, Device, GenerateInput, License, LicenseFilter } from './services/licenses.js';

/**
 * `licenses`: the license engine other plugins build on (WorkBot's activation codes are licenses of
 * kind robot). A plugin that sells a product `reserve`s it at register, so only its kind may issue it.
 */
export type LicenseRegistry = Pick<Licenses, 'byCode' | 'bind' | 'unbind' | 'end' | 'devices' | 'generateMany' | 'list' | 'page' | 'reserve'>;

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
