// The licensing plugin's public surface, types only (see plugins/auth/api.ts for the rules).
import type { LicensingServices } from './services/index.js';
import type { Licenses } from './services/licenses.js';

export type { BindOutcome, Device, GenerateInput, License } from './services/licenses.js';

/** `licenses`: the license engine other plugins build on (WorkBot's activation codes are licenses of kind robot). */
export type LicenseRegistry = Pick<Licenses, 'byCode' | 'bind' | 'unbind' | 'end' | 'devices' | 'generateMany' | 'list'>;

declare module '../../core/container.js' {
  interface Cradle {
    /** licensing's own services (its routes and jobs). */
    licensingServices: LicensingServices;
    licenses: LicenseRegistry;
  }
}
