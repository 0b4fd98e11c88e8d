import type { HttpContext } from 'plinth/plugin';
import { actingTenant, requireRole, requireScope } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { BillingServices } from '../services/index.js';
import {
  checkoutBody,
  checkoutReply,
  portalReply,
  publicPlanListReply,
  signupCheckoutBody,
  stripeEvent,
  stripeSignatureHeader,
  subscriptionReply,
  webhookReply,
} from './schemas.js';
import type { BillingErrorCode } from '../api.js';
// The face also answers auth's codes: a credential's refusals come from auth's chain.
import type { AuthErrorCode } from '../../auth/api.js';

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

export function billingRoutes(r: PluginRouter<BillingErrorCode | AuthErrorCode>, s: BillingServices): void {
  const manage = [requireRole('admin'), requireScope('billing:manage')];

  r.get(
    '/billing/subscription',
    {
      errors: { 401: ['invalid_api_key', 'invalid_token'], 403: ['tenant_required'] },
      summary: 'Current plan, limits and usage',
      guards: [requireScope('billing:read')],
      schema: { responses: { 200: { description: "The tenant's plan, status, period, limits and usage", schema: subscriptionReply } } },
    },
    async (ctx) => s.subscriptionView(await tenantOf(ctx)),
  );

  r.get(
    '/billing/plans',
    {
      summary: 'Plans on offer, with prices (minor units)',
      schema: { responses: { 200: { description: 'The public plans, in their display order', schema: publicPlanListReply } } },
    },
    async () => (await s.plans.list({ publicOnly: true })).map(publicPlan),
  );

  r.post(
    '/billing/checkout',
    {
      errors: {
        404: ['plan_not_found'],
        409: ['already_subscribed', 'payments_not_configured', 'plan_not_purchasable', 'plan_not_synced'],
        502: ['payment_provider_error'],
      },
      summary: 'Start a Stripe checkout for a plan',
      guards: manage,
      schema: { body: checkoutBody, responses: { 200: { description: 'The Stripe Checkout page to send the customer to', schema: checkoutReply } } },
    },
    async (ctx, { body }) => {
      s.assertPurchasable(body.plan_id);
      return s.stripe.checkout({ tenantId: await tenantOf(ctx), planId: body.plan_id, cycle: body.billing_cycle });
    },
  );

  r.post(
    '/billing/signup-checkout',
    {
      errors: { 409: ['payments_not_configured', 'plan_not_purchasable'] },
      summary: 'Start a Stripe checkout for someone signing up',
      rateLimit: { bucket: 'billing.signup-checkout', points: 20, durationSeconds: 3600 },
      schema: {
        body: signupCheckoutBody,
        responses: { 200: { description: 'The Stripe Checkout page; the account is made (or found) by email once it is paid', schema: checkoutReply } },
      },
    },
    (_ctx, { body }) => {
      s.assertPurchasable(body.plan_id);
      return s.stripe.checkout({ tenantId: null, email: body.email, planId: body.plan_id, cycle: body.billing_cycle });
    },
  );

  r.post(
    '/billing/portal',
    {
      errors: { 409: ['no_stripe_customer', 'payments_not_configured'] },
      summary: 'A link to the Stripe billing portal',
      guards: manage,
      schema: { responses: { 200: { description: "The customer's Stripe billing portal session", schema: portalReply } } },
    },
    async (ctx) => s.stripe.portal(await tenantOf(ctx)),
  );

  r.post(
    '/billing/cancel',
    {
      errors: { 409: ['already_canceled', 'nothing_to_cancel'], 502: ['payment_provider_error'] },
      summary: 'Cancel at the end of the current period',
      guards: manage,
      schema: { responses: { 200: { description: 'The subscription, set to end with its period (cancel_at_period_end)', schema: subscriptionReply } } },
    },
    async (ctx) => s.subscriptionView((await s.stripe.cancel(await tenantOf(ctx))).tenant_id),
  );

  r.post(
    '/billing/webhook',
    {
      errors: { 400: ['invalid_signature'], 409: ['payments_not_configured'] },
      summary: 'Stripe webhooks (signature-verified)',
      description:
        'Stripe posts its events here. The raw body is verified against the Stripe-Signature header with the endpoint secret ' +
        '(settings.billing.stripe.webhookSecret); a missing, bad or stale signature is a 400. Each event is applied once: a redelivery ' +
        'answers outcome "duplicate", an event Plinth does not act on (or for an unknown tenant) "ignored".',
      rawBody: true,
      schema: {
        rawBody: { contentType: 'application/json', schema: stripeEvent },
        headers: stripeSignatureHeader,
        responses: { 200: { description: 'The event was received: applied, ignored or a duplicate', schema: webhookReply } },
      },
    },
    (ctx) => s.stripe.webhook(ctx.request.rawBody, ctx.get('Stripe-Signature') || undefined),
  );
}
