import { AppError, type CoreErrorCode } from 'plinth/plugin';
import type { BillingErrorCode } from '../api.js';

/** A billing error: its code one of billing's (api.ts) or the core's, so no other code compiles. */
export type BillingError = AppError<BillingErrorCode | CoreErrorCode>;

/**
 * Every coded error the billing plugin throws, by what happened: a throw site reads
 * `throw BillingErrors.planNotFound(id)`, and what a client can meet is read here.
 * The core's generic helpers without a code (`AppError.notFound('…')`, `AppError.validation`) stay at their sites.
 */
export const BillingErrors = {
  // Plans.
  planNotFound: (id: string) => new AppError(404, 'plan_not_found', `plan "${id}" not found`),
  planNotOnOffer: (id: string) => new AppError(404, 'plan_not_found', `plan "${id}" is not on offer`),
  planExists: (id: string) => new AppError(409, 'plan_exists', `a plan with id "${id}" already exists`),
  defaultPlanUndeletable: (id: string) => new AppError(409, 'plan_in_use', `"${id}" is the default plan and cannot be deleted`),
  operatorPlanUndeletable: (id: string) => new AppError(409, 'plan_in_use', `"${id}" is the operator plan and cannot be deleted`),
  planHasTenants: (id: string, tenants: number) =>
    new AppError(409, 'plan_in_use', `${tenants} tenant(s) are on plan "${id}"; move them to another plan first`),
  operatorPlanNotForSale: (id: string) => new AppError(409, 'plan_not_purchasable', `plan "${id}" is the operator's internal plan and cannot be bought`),
  planFree: (id: string, cycle: string) => new AppError(409, 'plan_not_purchasable', `plan "${id}" costs nothing ${cycle}; there is nothing to pay for`),
  planNotSynced: (id: string, cycle: string) => new AppError(409, 'plan_not_synced', `plan "${id}" has no Stripe ${cycle} price yet; sync it first`),
  planChangedSinceSync: (id: string) => new AppError(409, 'plan_not_synced', `plan "${id}" changed since it was last synced to Stripe; sync it again`),

  // Usage against the plan (402, which callers read as "the plan does not allow it").
  usageLimitReached: (metric: string, planId: string, why: string, details: Record<string, unknown>) =>
    new AppError(402, 'usage_limit_reached', `plan limit reached for ${metric} on plan "${planId}": ${why}`, { details }),
  featureNotInPlan: (planId: string, feature: string, metric: string) =>
    new AppError(402, 'feature_not_in_plan', `plan "${planId}" does not include feature "${feature}" (needed for ${metric})`, {
      details: { plan_id: planId, feature, metric },
    }),

  // A tenant's subscription and its plan-change requests.
  managedByStripe: () => new AppError(409, 'managed_by_stripe', 'this tenant pays through Stripe; change the plan there (or cancel it first)'),
  requestManagedByStripe: () => new AppError(409, 'managed_by_stripe', 'you pay through Stripe: change your plan with Upgrade or Manage billing'),
  alreadyOnPlan: (id: string) => new AppError(409, 'already_on_plan', `you are already on "${id}"`),
  requestOpen: () => new AppError(409, 'request_open', 'a plan-change request of yours is already open: wait for the operator, or withdraw it first'),
  requestResolved: (status: string) => new AppError(409, 'request_resolved', `the request is already ${status}`, { details: { status } }),

  // Stripe.
  paymentsNotConfigured: () =>
    new AppError(409, 'payments_not_configured', 'payments are not configured on this server (no Stripe key); an administrator assigns plans'),
  webhooksNotConfigured: () => new AppError(409, 'payments_not_configured', 'Stripe webhooks are not configured on this server (no webhook signing secret)'),
  providerFailed: (message: string) => new AppError(502, 'payment_provider_error', message),
  alreadySubscribed: () => new AppError(409, 'already_subscribed', 'this tenant already pays through Stripe; change the plan in the billing portal'),
  noStripeCustomer: () => new AppError(409, 'no_stripe_customer', 'this tenant has no Stripe customer yet; start a checkout first'),
  alreadyCanceled: () => new AppError(409, 'already_canceled', 'the subscription is already canceled'),
  nothingToCancel: (defaultPlan: string) => new AppError(409, 'nothing_to_cancel', `there is nothing to cancel on the "${defaultPlan}" plan`),
  signatureInvalid: (message: string) => new AppError(400, 'invalid_signature', message),
} satisfies Record<string, (...args: never[]) => BillingError>;
