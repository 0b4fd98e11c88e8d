import type { HttpContext } from '../../../core/http/context.js';
import { actingTenant, requireRole, requireScope } from '../../../core/http/guards.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { BillingServices } from '../services/index.js';

export const cycleField = { enum: ['monthly', 'yearly'] } as const;
export const planIdField = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } as const;

export async function tenantOf(ctx: HttpContext): Promise<string> {
  return (await actingTenant(ctx)).tenantId;
}

const publicPlan = (p: Awaited<ReturnType<BillingServices['plans']['get']>>) => ({
  id: p.id,
  display_name: p.display_name,
  description: p.description,
  price_monthly: p.price_monthly,
  price_yearly: p.price_yearly,
  currency: p.currency,
  limits: p.limits,
  /** null: every feature. */
  features: p.features,
  purchasable: Boolean(p.stripe_price_monthly || p.stripe_price_yearly),
  /** The cycles a checkout can sell (those with a Stripe price). */
  purchasable_cycles: [...(p.stripe_price_monthly ? ['monthly'] : []), ...(p.stripe_price_yearly ? ['yearly'] : [])],
});

export function billingRoutes(r: PluginRouter, s: BillingServices): void {
  const manage = [requireRole('admin'), requireScope('billing:manage')];

  r.get('/billing/subscription', { summary: 'Current plan, limits and usage', guards: [requireScope('billing:read')] }, async (ctx) =>
    s.subscriptionView(await tenantOf(ctx)),
  );

  r.get('/billing/plans', { summary: 'Plans on offer, with prices (minor units)' }, async () => (await s.plans.list({ publicOnly: true })).map(publicPlan));

  r.post(
    '/billing/checkout',
    {
      summary: 'Start a Stripe checkout for a plan',
      guards: manage,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['plan_id', 'billing_cycle'],
          properties: { plan_id: planIdField, billing_cycle: cycleField },
        },
      },
    },
    async (ctx, { body }) => {
      s.assertPurchasable(body.plan_id);
      return s.stripe.checkout({ tenantId: await tenantOf(ctx), planId: body.plan_id, cycle: body.billing_cycle });
    },
  );

  r.post(
    '/billing/signup-checkout',
    {
      summary: 'Start a Stripe checkout for someone signing up',
      rateLimit: { bucket: 'billing.signup-checkout', points: 20, durationSeconds: 3600 },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'plan_id', 'billing_cycle'],
          properties: { email: { type: 'string', format: 'email', maxLength: 320 }, plan_id: planIdField, billing_cycle: cycleField },
        },
      },
    },
    (_ctx, { body }) => {
      s.assertPurchasable(body.plan_id);
      return s.stripe.checkout({ tenantId: null, email: body.email, planId: body.plan_id, cycle: body.billing_cycle });
    },
  );

  r.post('/billing/portal', { summary: 'A link to the Stripe billing portal', guards: manage }, async (ctx) => s.stripe.portal(await tenantOf(ctx)));

  r.post('/billing/cancel', { summary: 'Cancel at the end of the current period', guards: manage }, async (ctx) =>
    s.subscriptionView((await s.stripe.cancel(await tenantOf(ctx))).tenant_id),
  );

  r.post('/billing/webhook', { summary: 'Stripe webhooks (signature-verified)', rawBody: true }, (ctx) =>
    s.stripe.webhook(ctx.request.rawBody, ctx.get('Stripe-Signature') || undefined),
  );
}
