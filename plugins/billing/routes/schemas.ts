/**
 * The billing face's route schemas (seeds 000 + 001, MoltFlow, under /api/v2): the request bodies
 * and params the routes accept, and the replies /openapi.json documents (and `server.checkReplies`
 * holds every reply to). Money is in integer minor units with its currency; times are ISO-8601 UTC.
 */
import { anyObject, arrayOf, bool, body, int, isoTime, nullable, reply, str } from 'plinth/plugin';
import { planSeedSchema } from '../config.js';

// --- Request fields ----------------------------------------------------------------------------

const cycleField = { enum: ['monthly', 'yearly'] } as const;
const planIdField = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } as const;
/** Limits by metric: a number, or null for unlimited. */
const limitsField = { type: 'object', additionalProperties: { type: ['integer', 'null'], minimum: 0 }, propertyNames: { pattern: '^[a-z][a-z0-9_]{0,63}$' } };

export const planParams = { type: 'object', required: ['id'], properties: { id: planIdField } };
export const tenantParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } };

// --- Request bodies ----------------------------------------------------------------------------

export const checkoutBody = body({ plan_id: planIdField, billing_cycle: cycleField }, ['plan_id', 'billing_cycle']);
export const signupCheckoutBody = body({ email: { type: 'string', format: 'email', maxLength: 320 }, plan_id: planIdField, billing_cycle: cycleField }, [
  'email',
  'plan_id',
  'billing_cycle',
]);

/** A new plan: the config's plan schema (defaults filled in), limits checked by name. */
export const newPlanBody = { ...planSeedSchema, properties: { ...planSeedSchema.properties, limits: limitsField } };

const { id: _id, ...planFields } = planSeedSchema.properties;
// A PATCH changes only what it sends: the create schema's defaults must not fill in the rest
// (the validator runs with useDefaults, so `{ display_name }` would otherwise reset the prices).
const withoutDefault = (field: Record<string, unknown>) => Object.fromEntries(Object.entries(field).filter(([k]) => k !== 'default'));
export const planPatch = {
  ...body({ ...Object.fromEntries(Object.entries(planFields).map(([name, field]) => [name, withoutDefault(field)])), limits: limitsField }),
  minProperties: 1,
};

export const assignPlanBody = body({ plan_id: planIdField, billing_cycle: cycleField, status: { enum: ['active', 'trialing', 'past_due', 'canceled'] } }, [
  'plan_id',
]);
export const overridesBody = body({ limits: limitsField }, ['limits']);

export const historyQuery = { type: 'object', additionalProperties: false, properties: { months: { type: 'integer', minimum: 1, maximum: 36, default: 12 } } };

/**
 * A Stripe event as Stripe posts it (https://docs.stripe.com/api/events/object): the raw bytes are
 * what the signature covers. Plinth acts on checkout.session.completed, customer.subscription.*
 * and invoice.paid / invoice.payment_failed, and acknowledges the rest.
 */
export const stripeEvent = reply(
  { id: str, object: { const: 'event' }, type: str, created: int, livemode: bool, api_version: nullable(str), data: reply({ object: anyObject }) },
  ['object', 'livemode', 'api_version'],
);
/** The header Stripe signs each delivery with (checked by the official SDK, within webhookToleranceSeconds). */
export const stripeSignatureHeader = {
  type: 'object',
  required: ['stripe-signature'],
  properties: {
    'stripe-signature': {
      type: 'string',
      description: 'Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret>',
      pattern: '^t=\\d+,',
      examples: ['t=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd'],
    },
  },
};

// --- Replies -----------------------------------------------------------------------------------

/** Limits by metric (null: unlimited). */
const limits = { type: 'object', additionalProperties: nullable(int) };
/** Counts by metric (or by the seed's usage key). */
const counts = { type: 'object', additionalProperties: int };
const cycle = { enum: ['monthly', 'yearly'] };
/** A plan's features by name; null: every feature. */
const features = nullable(arrayOf(str));

const planOffer = {
  id: str,
  display_name: str,
  description: str,
  price_monthly: int,
  price_yearly: int,
  currency: str,
  limits,
  features,
};

/** A plan as the operator edits it (GET /admin/plans), with its Stripe ids once synced. */
export const planReply = reply({
  ...planOffer,
  is_public: bool,
  sort_order: int,
  stripe_product_id: nullable(str),
  stripe_price_monthly: nullable(str),
  stripe_price_yearly: nullable(str),
  created_at: isoTime,
  updated_at: isoTime,
});
export const planListReply = arrayOf(planReply);
export const syncedPlansReply = reply({ synced: arrayOf(planReply) });

/** A plan on offer (GET /billing/plans): whether and for which cycles a checkout can sell it. */
export const publicPlanListReply = arrayOf(reply({ ...planOffer, purchasable: bool, purchasable_cycles: arrayOf(cycle) }));

/** The seed's subscription reply (plan, status, cycle, period end, limits, usage) and what Plinth adds beside it. */
export const subscriptionReply = reply({
  plan_id: str,
  display_name: str,
  status: { enum: ['active', 'trialing', 'past_due', 'canceled'] },
  billing_cycle: cycle,
  current_period_start: isoTime,
  current_period_end: isoTime,
  cancel_at_period_end: bool,
  /** Who manages the subscription: an administrator (manual) or Stripe. */
  provider: { enum: ['manual', 'stripe'] },
  /** The last day (YYYY-MM-DD) covered by a payment the operator recorded; null: none recorded. */
  paid_through: nullable({ type: 'string', format: 'date' }),
  /** The payment provider configured on this server; null: none, an administrator assigns plans. */
  payment_provider: nullable({ const: 'stripe' }),
  /** Limits of the plan that no enabled plugin meters (listed, never counted). */
  unmetered: arrayOf(str),
  limits,
  /** Used this period, by the seed's usage keys (`messages_this_month`, …). */
  usage: counts,
});

export const checkoutReply = reply({ checkout_url: str, session_id: str });
export const portalReply = reply({ url: str });
export const webhookReply = reply({ received: { const: true }, event_id: str, outcome: { enum: ['applied', 'ignored', 'duplicate'] } });

/** Month and day keys as the periods are named: `2026-01`, `2026-01-15`. */
const month = { type: 'string', pattern: '^\\d{4}-\\d{2}$' };
const day = { type: 'string', format: 'date' };

export const currentUsageReply = reply({
  plan_id: str,
  period: month,
  metrics: arrayOf(
    reply({
      metric: str,
      used: int,
      limit: nullable(int),
      remaining: nullable(int),
      // Beside the seed: what the number counts (null: no enabled plugin meters it).
      kind: nullable({ enum: ['gauge', 'counter'] }),
      period: nullable({ enum: ['month', 'day'] }),
      unit: nullable(str),
    }),
  ),
});
export const usageHistoryReply = reply({ months: arrayOf(reply({ period: month, usage: counts })) });
export const dailyUsageReply = reply({ month, days: arrayOf(reply({ date: day, usage: counts })) });

export const featureListReply = arrayOf(reply({ name: str, description: str, plugin: str, scopes: arrayOf(str) }));

/** A tenant's limits: the plan's, the tenant's overrides, and the two merged (what is enforced). */
export const effectiveLimitsReply = reply({ tenant_id: str, plan_id: str, features, plan_limits: limits, overrides: limits, limits });
export const resetLimitsReply = reply({ tenant_id: str, counters_reset: int, usage: counts });

// --- Manual payments and plan-change requests (beside the seed) --------------------------------

const PAYMENT_METHOD_LIST = ['bank_transfer', 'cash', 'cheque', 'card', 'other'];
/** A calendar day, YYYY-MM-DD, in this millennium (a typo's year 0202 is refused). */
const dateField = { type: 'string', format: 'date', pattern: '^2\\d{3}-\\d{2}-\\d{2}$' };
const idField = { type: 'string', format: 'uuid' };

export const paymentParams = { type: 'object', required: ['paymentId'], properties: { paymentId: idField } };
export const requestParams = { type: 'object', required: ['requestId'], properties: { requestId: idField } };
export const tenantRequestParams = { type: 'object', required: ['id', 'requestId'], properties: { id: idField, requestId: idField } };

/** A payment made outside Stripe: integer minor units of an ISO 4217 currency, and the days it pays for. */
export const newPaymentBody = body(
  {
    amount: { type: 'integer', minimum: 1, maximum: 1_000_000_000_000, description: 'Integer minor units (999 with "usd" is $9.99)' },
    currency: { type: 'string', pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code' },
    method: { enum: PAYMENT_METHOD_LIST },
    period_start: { ...dateField, description: 'The first day the payment covers' },
    period_end: { ...dateField, description: 'The last day it covers: after period_start; the paid-through date moves here when later' },
    reference: { type: 'string', maxLength: 200, description: 'A bank reference, receipt or cheque number' },
    note: { type: 'string', maxLength: 1000 },
  },
  ['amount', 'currency', 'method', 'period_start', 'period_end'],
);

export const newPlanRequestBody = body(
  {
    plan_id: planIdField,
    billing_cycle: cycleField,
    message: { type: 'string', maxLength: 1000, description: 'A note for the operator' },
  },
  ['plan_id'],
);
export const declineBody = body({ reason: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S', description: 'Why (the customer sees it)' } }, [
  'reason',
]);

const day2 = { type: 'string', format: 'date' };
export const paymentReply = reply({
  id: str,
  tenant_id: str,
  amount: int,
  currency: str,
  method: { enum: PAYMENT_METHOD_LIST },
  reference: nullable(str),
  note: nullable(str),
  period_start: day2,
  period_end: day2,
  plan_id: nullable(str),
  recorded_by: nullable(str),
  created_at: isoTime,
});
/** A tenant's payments, newest first, and the last day they cover (null: none recorded). */
export const paymentListReply = reply({ paid_through: nullable(day2), items: arrayOf(paymentReply) });
export const recordedPaymentReply = reply({ payment: paymentReply, paid_through: day2 });

export const planRequestReply = reply({
  id: str,
  tenant_id: str,
  status: { enum: ['open', 'approved', 'declined', 'withdrawn'] },
  from_plan_id: str,
  plan_id: str,
  billing_cycle: nullable(cycle),
  message: nullable(str),
  reason: nullable(str),
  requested_by: nullable(str),
  resolved_by: nullable(str),
  created_at: isoTime,
  resolved_at: nullable(isoTime),
});
/** A tenant's plan-change requests, newest first (at most one open). */
export const planRequestListReply = reply({ items: arrayOf(planRequestReply) });
