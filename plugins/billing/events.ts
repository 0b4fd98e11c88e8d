import type { EventSpec } from 'plinth/plugin';

export const billingEvents = {
  'billing.subscription.changed': {
    version: 1,
    description: "A tenant's plan, status, cycle or cancellation changed",
    schema: {
      type: 'object',
      required: ['tenant_id', 'plan_id', 'status'],
      properties: {
        tenant_id: { type: 'string' },
        plan_id: { type: 'string' },
        previous_plan_id: { type: 'string' },
        status: { type: 'string' },
        billing_cycle: { type: 'string' },
        cancel_at_period_end: { type: 'boolean' },
      },
    },
  },
  'billing.payment.recorded': {
    version: 1,
    description: "The operator recorded a payment made outside Stripe (bank transfer, cash…) and the tenant's paid-through date",
    schema: {
      type: 'object',
      required: ['tenant_id', 'payment_id', 'amount', 'currency', 'method', 'period_start', 'period_end', 'paid_through'],
      properties: {
        tenant_id: { type: 'string' },
        payment_id: { type: 'string' },
        // Integer minor units of the currency (999 with "usd" is $9.99).
        amount: { type: 'integer' },
        currency: { type: 'string' },
        method: { type: 'string' },
        period_start: { type: 'string' },
        period_end: { type: 'string' },
        // The last day paid for (YYYY-MM-DD), after this payment.
        paid_through: { type: 'string' },
      },
    },
  },
  'billing.plan_change.requested': {
    version: 1,
    description: 'A customer asked the operator for another plan',
    schema: {
      type: 'object',
      required: ['tenant_id', 'request_id', 'plan_id', 'current_plan_id'],
      properties: {
        tenant_id: { type: 'string' },
        request_id: { type: 'string' },
        plan_id: { type: 'string' },
        current_plan_id: { type: 'string' },
        billing_cycle: { type: ['string', 'null'] },
        message: { type: ['string', 'null'] },
      },
    },
  },
  'billing.plan_change.resolved': {
    version: 1,
    description: 'A plan-change request was approved (the tenant is on the plan) or declined by the operator, or withdrawn by the customer',
    schema: {
      type: 'object',
      required: ['tenant_id', 'request_id', 'plan_id', 'outcome'],
      properties: {
        tenant_id: { type: 'string' },
        request_id: { type: 'string' },
        plan_id: { type: 'string' },
        outcome: { enum: ['approved', 'declined', 'withdrawn'] },
        // Why it was declined; null otherwise.
        reason: { type: ['string', 'null'] },
      },
    },
  },
  'usage.limit_reached': {
    version: 1,
    description: 'A tenant reached 80% or 100% of a limit (once per period and threshold)',
    schema: {
      type: 'object',
      required: ['tenant_id', 'metric', 'period', 'threshold', 'used', 'limit'],
      properties: {
        tenant_id: { type: 'string' },
        metric: { type: 'string' },
        // A counter's month (YYYY-MM) or day (YYYY-MM-DD); '-' for a gauge, which has no period.
        period: { type: 'string' },
        threshold: { enum: [80, 100] },
        used: { type: 'integer' },
        limit: { type: 'integer' },
        // The words for a mail, true for the metric's kind (see plugins/billing/services/wording.ts).
        kind: { enum: ['counter', 'gauge'] },
        unit: { type: 'string' },
        period_label: { type: ['string', 'null'] },
        resets_on: { type: ['string', 'null'] },
        summary: { type: 'string' },
        advice: { type: 'string' },
      },
    },
  },
  'usage.period_closed': {
    version: 1,
    description: 'A usage month was closed for every tenant',
    schema: {
      type: 'object',
      required: ['period', 'tenants'],
      properties: { period: { type: 'string' }, tenants: { type: 'integer' }, next_period: { type: 'string' } },
    },
  },
} as const satisfies Record<string, EventSpec>;
