import Stripe from 'stripe';
import type { Knex } from 'knex';
import type { Clock } from '../../../core/clock.js';
import { AppError } from '../../../core/errors.js';
import { isUniqueViolation } from '../../../core/db/connection.js';
import type { Logger } from '../../../core/logger.js';
import type { BillingSettings } from '../config.js';
import type { Plan, Plans } from './plans.js';
import type { Cycle, Status, Subscriptions } from './subscriptions.js';

export const notConfigured = () => AppError.conflict('payments are not configured on this server (no Stripe key); an administrator assigns plans', 'payments_not_configured');

const STATUS: Record<string, Status> = { active: 'active', trialing: 'trialing', past_due: 'past_due', unpaid: 'past_due', incomplete: 'past_due', canceled: 'canceled', incomplete_expired: 'canceled', paused: 'past_due' };

/** Seconds since the epoch → ISO (Stripe's timestamps). */
const iso = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000).toISOString() : null);

/**
 * Stripe through its official SDK: checkout, the billing portal, cancel at period end, product and
 * price sync, and webhooks verified by signature over the raw body. Each webhook event is applied
 * at most once (its id is stored in the same transaction as its effect), and an event older than
 * the last one applied to that subscription is ignored (Stripe sends duplicates and out of order).
 */
export class StripeBilling {
  readonly client: Stripe | null;

  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: BillingSettings['stripe'],
    private readonly publicUrl: string,
    private readonly plans: Plans,
    private readonly subscriptions: Subscriptions,
    private readonly defaultPlan: string,
  ) {
    this.client = settings.secretKey
      ? new Stripe(settings.secretKey, {
          maxNetworkRetries: 2,
          timeout: 20_000,
          ...(settings.apiHost ? { host: settings.apiHost } : {}),
          ...(settings.apiPort ? { port: settings.apiPort } : {}),
          protocol: settings.apiProtocol,
        })
      : null;
  }

  get configured(): boolean {
    return this.client !== null;
  }

  private stripe(): Stripe {
    if (!this.client) throw notConfigured();
    return this.client;
  }

  private priceOf(plan: Plan, cycle: Cycle): string {
    const price = cycle === 'yearly' ? plan.stripe_price_yearly : plan.stripe_price_monthly;
    if (!price) throw AppError.conflict(`plan "${plan.id}" has no Stripe ${cycle} price yet; sync it first`, 'plan_not_synced');
    return price;
  }

  async checkout(input: { tenantId: string | null; email?: string | null; planId: string; cycle: Cycle }): Promise<{ checkout_url: string; session_id: string }> {
    const stripe = this.stripe();
    const plan = await this.plans.get(input.planId);
    const sub = input.tenantId ? await this.subscriptions.get(input.tenantId) : null;
    const metadata: Record<string, string> = { plan_id: plan.id, billing_cycle: input.cycle, ...(input.tenantId ? { tenant_id: input.tenantId } : { signup_email: input.email ?? '' }) };
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: this.priceOf(plan, input.cycle), quantity: 1 }],
      success_url: `${this.publicUrl}${this.settings.successPath}`,
      cancel_url: `${this.publicUrl}${this.settings.cancelPath}`,
      ...(input.tenantId ? { client_reference_id: input.tenantId } : {}),
      ...(sub?.stripe_customer_id ? { customer: sub.stripe_customer_id } : input.email ? { customer_email: input.email } : {}),
      metadata,
      subscription_data: { metadata },
    });
    return { checkout_url: session.url ?? '', session_id: session.id };
  }

  async portal(tenantId: string): Promise<{ url: string }> {
    const stripe = this.stripe();
    const sub = await this.subscriptions.get(tenantId);
    if (!sub.stripe_customer_id) throw AppError.conflict('this tenant has no Stripe customer yet; start a checkout first', 'no_stripe_customer');
    const session = await stripe.billingPortal.sessions.create({ customer: sub.stripe_customer_id, return_url: `${this.publicUrl}/admin` });
    return { url: session.url };
  }

  /** Cancels at the end of the current period (Stripe's subscription too, when there is one). */
  async cancel(tenantId: string) {
    const sub = await this.subscriptions.get(tenantId);
    if (sub.cancel_at_period_end || sub.status === 'canceled') throw AppError.conflict('the subscription is already canceled', 'already_canceled');
    if (sub.plan_id === this.defaultPlan && sub.provider === 'manual') throw AppError.conflict(`there is nothing to cancel on the "${this.defaultPlan}" plan`, 'nothing_to_cancel');
    if (sub.provider === 'stripe' && sub.stripe_subscription_id) {
      await this.stripe().subscriptions.update(sub.stripe_subscription_id, { cancel_at_period_end: true });
    }
    return this.subscriptions.change(tenantId, { cancel_at_period_end: true });
  }

  /** Creates or updates the plan's product, and a new price for each amount that changed (prices are immutable). */
  async syncPlan(planId: string): Promise<Plan> {
    const stripe = this.stripe();
    const plan = await this.plans.get(planId);
    const product = plan.stripe_product_id
      ? await stripe.products.update(plan.stripe_product_id, { name: plan.display_name, description: plan.description || undefined, metadata: { plinth_plan: plan.id } })
      : await stripe.products.create({ name: plan.display_name, description: plan.description || undefined, metadata: { plinth_plan: plan.id } });
    const ensurePrice = async (existing: string | null, amount: number, interval: 'month' | 'year') => {
      if (amount <= 0) return null;
      if (existing) {
        const price = await stripe.prices.retrieve(existing);
        if (price.unit_amount === amount && price.currency === plan.currency && price.active) return existing;
        await stripe.prices.update(existing, { active: false });
      }
      const created = await stripe.prices.create({ product: product.id, unit_amount: amount, currency: plan.currency, recurring: { interval }, metadata: { plinth_plan: plan.id } });
      return created.id;
    };
    const monthly = await ensurePrice(plan.stripe_price_monthly, plan.price_monthly, 'month');
    const yearly = await ensurePrice(plan.stripe_price_yearly, plan.price_yearly, 'year');
    return this.plans.setStripeIds(plan.id, { product: product.id, monthly, yearly });
  }

  /** Verifies the signature over the raw body (a bad or stale one is a 400) and applies the event once. */
  async webhook(rawBody: string | undefined, signature: string | undefined): Promise<{ received: true; outcome: string }> {
    if (!this.client || !this.settings.webhookSecret) throw notConfigured();
    if (!rawBody || !signature) throw AppError.badRequest('missing body or Stripe-Signature header', 'invalid_signature');
    let event: Stripe.Event;
    try {
      event = this.client.webhooks.constructEvent(rawBody, signature, this.settings.webhookSecret, this.settings.webhookToleranceSeconds);
    } catch (err) {
      throw AppError.badRequest(`invalid Stripe signature: ${(err as Error).message}`, 'invalid_signature');
    }
    try {
      const outcome = await this.db.transaction(async (trx) => {
        const outcome = await this.apply(trx, event);
        await trx('billing_stripe_events').insert({ id: event.id, type: event.type, created: event.created, outcome, processed_at: this.clock.now().toISOString() });
        return outcome;
      });
      return { received: true, outcome };
    } catch (err) {
      if (isUniqueViolation(err)) return { received: true, outcome: 'duplicate' };
      throw err;
    }
  }

  private async apply(trx: Knex.Transaction, event: Stripe.Event): Promise<'applied' | 'ignored'> {
    if ((await trx('billing_stripe_events').where('id', event.id).first('id'))) return 'ignored';
    switch (event.type) {
      case 'checkout.session.completed': {
        const session = event.data.object as Stripe.Checkout.Session;
        const tenantId = session.metadata?.tenant_id ?? session.client_reference_id;
        if (!tenantId) return 'ignored';
        const planId = session.metadata?.plan_id;
        return this.update(trx, tenantId, event.created, {
          provider: 'stripe',
          status: 'active',
          ...(planId ? { plan_id: planId } : {}),
          ...(session.metadata?.billing_cycle ? { billing_cycle: session.metadata.billing_cycle as Cycle } : {}),
          stripe_customer_id: typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? null),
          stripe_subscription_id: typeof session.subscription === 'string' ? session.subscription : (session.subscription?.id ?? null),
        });
      }
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const s = event.data.object as Stripe.Subscription;
        const tenantId = await this.tenantOf(s.metadata?.tenant_id, s.customer);
        if (!tenantId) return 'ignored';
        const item = s.items?.data?.[0];
        const plan = item?.price?.id ? await this.plans.byStripePrice(item.price.id) : null;
        const deleted = event.type === 'customer.subscription.deleted';
        const periodStart = (item as { current_period_start?: number } | undefined)?.current_period_start ?? (s as unknown as { current_period_start?: number }).current_period_start;
        const periodEnd = (item as { current_period_end?: number } | undefined)?.current_period_end ?? (s as unknown as { current_period_end?: number }).current_period_end;
        return this.update(trx, tenantId, event.created, {
          provider: 'stripe',
          status: deleted ? 'canceled' : (STATUS[s.status] ?? 'past_due'),
          ...(plan && !deleted ? { plan_id: plan.id } : {}),
          ...(item?.price?.recurring?.interval ? { billing_cycle: item.price.recurring.interval === 'year' ? 'yearly' : 'monthly' } : {}),
          cancel_at_period_end: Boolean(s.cancel_at_period_end),
          stripe_subscription_id: s.id,
          stripe_customer_id: typeof s.customer === 'string' ? s.customer : s.customer.id,
          ...(iso(periodStart) ? { current_period_start: iso(periodStart)! } : {}),
          ...(iso(periodEnd) ? { current_period_end: iso(periodEnd)! } : {}),
        }, deleted);
      }
      case 'invoice.paid':
      case 'invoice.payment_failed': {
        const invoice = event.data.object as Stripe.Invoice;
        const tenantId = await this.tenantOf(undefined, invoice.customer);
        if (!tenantId) return 'ignored';
        const line = invoice.lines?.data?.[0];
        return this.update(trx, tenantId, event.created, {
          status: event.type === 'invoice.paid' ? 'active' : 'past_due',
          ...(event.type === 'invoice.paid' && iso(line?.period?.end) ? { current_period_end: iso(line!.period.end)! } : {}),
        });
      }
      default:
        return 'ignored';
    }
  }

  private async tenantOf(fromMetadata: string | undefined, customer: string | Stripe.Customer | Stripe.DeletedCustomer | null): Promise<string | null> {
    if (fromMetadata) return fromMetadata;
    const id = typeof customer === 'string' ? customer : customer?.id;
    if (!id) return null;
    return (await this.subscriptions.byStripeCustomer(id))?.tenant_id ?? null;
  }

  /** Applies a change unless a newer Stripe event was already applied to this subscription. */
  private async update(trx: Knex.Transaction, tenantId: string, created: number, patch: Record<string, unknown>, downgrade = false): Promise<'applied' | 'ignored'> {
    const current = await this.subscriptions.get(tenantId, trx);
    if (current.stripe_event_created !== null && created < current.stripe_event_created) {
      this.logger.info({ tenantId, created, last: current.stripe_event_created }, 'ignored an out-of-order Stripe event');
      return 'ignored';
    }
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (downgrade) Object.assign(clean, { plan_id: this.defaultPlan, cancel_at_period_end: false });
    await this.subscriptions.change(tenantId, { ...clean, stripe_event_created: created }, trx);
    return 'applied';
  }
}
