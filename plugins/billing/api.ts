// The billing plugin's public surface, types only (see plugins/auth/api.ts for the rules). Other
// plugins meet billing through the core's `usage` and `entitlements`, which billing provides.
import type { BillingServices } from './services/index.js';

declare module '../../core/container.js' {
  interface Cradle {
    /** billing's own services (its routes, webhooks and jobs). */
    billingServices: BillingServices;
  }
}
