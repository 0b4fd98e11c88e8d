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
