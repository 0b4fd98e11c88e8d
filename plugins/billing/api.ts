// The billing plugin's public surface, types only: what it registers in the container, by name.
// Other plugins use these with `import type` and resolve the services from the container (and
// only when registered: billing may be switched off); they never import billing's files or read
// its tables (see test/architecture).
import type { PayloadsOf } from 'plinth/plugin';
import type { billingEvents } from './events.js';

/**
 * `tenantPlans`: which plan a tenant is on, and moving it to another the way the admin "assign
 * plan" does (the manual provider, starting a fresh period). Billing's filters on auth's admin
 * tenant view and PATCH (auth's api.ts AuthFilters; ./tenant-filters.ts) show and change `plan_id` through it.
 */
export interface TenantPlans {
  /** The id of the plan the tenant is on (its starting plan when it has no subscription yet). */
  planOf(tenantId: string): Promise<string>;
  /**
   * Throws what `assign` would, changing nothing: 404 `plan_not_found` for an unknown plan, 409
   * `managed_by_stripe` for a tenant paying through Stripe. Lets a caller check before its own changes.
   */
  checkAssign(tenantId: string, planId: string): Promise<void>;
  /** Puts the tenant on the plan (no-op when already there), reported as `billing.subscription.changed`. */
  assign(tenantId: string, planId: string): Promise<void>;
}

/** `usageReader`: a tenant's plan, limits and usage, as GET /api/v2/billing/subscription replies (the agents' usage_read tool). */
export interface UsageReader {
  view(tenantId: string): Promise<{ plan_id: string; status: string; limits: Record<string, unknown>; usage: Record<string, number> }>;
}

/**
 * The codes billing's errors carry beside the core's (core/errors.ts CoreErrorCode): what a client of
 * its face can switch on. test/architecture/error-codes.test.ts keeps this list equal to the codes thrown.
 */
export type BillingErrorCode =
  | 'already_canceled'
  | 'already_on_plan'
  | 'already_subscribed'
  | 'invalid_signature'
  | 'managed_by_stripe'
  | 'no_stripe_customer'
  | 'nothing_to_cancel'
  | 'payment_provider_error'
  | 'payments_not_configured'
  | 'plan_exists'
  | 'plan_in_use'
  | 'plan_not_found'
  | 'plan_not_purchasable'
  | 'plan_not_synced'
  | 'request_open'
  | 'request_resolved';

declare module 'plinth/plugin' {
  interface Cradle {
    tenantPlans: TenantPlans;
    usageReader: UsageReader;
  }
}

/** billing's events by name, their payload types derived from the schemas in events.ts (handlers and emit calls get them by name). */
export type BillingEventPayloads = PayloadsOf<typeof billingEvents>;
export type BillingEventName = keyof BillingEventPayloads;

declare module 'plinth/plugin' {
  interface EventPayloads extends BillingEventPayloads {}
}
