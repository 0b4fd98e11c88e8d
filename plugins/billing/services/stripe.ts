// A little over 400 lines: checkout, the customer portal and the webhook events are one conversation with Stripe's API.
// The SDK is loaded on first use: most installs never configure Stripe (boot time, memory).
import type Stripe from 'stripe';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { isUniqueViolation } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { BillingSettings } from '../config.js';
import type { Plan, Plans } from './plans.js';
import type { Cycle, Status, Subscription, Subscriptions } from './subscriptions.js';
import { BillingErrors } from './errors.js';

const isStripeError = (err: unknown): err is Stripe.errors.StripeError =>
  typeof (err as { type?: unknown })?.type === 'string' && String((err as { type: string }).type).startsWith('Stripe');
const isMissing = (err: unknown) => isStripeError(err) && err.code === 'resource_missing';

/** A refusal or outage at Stripe is a 502 that says what Stripe said, not an opaque 500. */
function providerError(err: unknown): never {
  if (!isStripeError(err)) throw err;
  const status = err.statusCode;
  const why =
    status === 401 || err.type === 'StripeAuthenticationError'
      ? 'Stripe rejected the configured API key'
      : `Stripe ${status && status < 500 ? 'refused the request' : 'is unavailable'}`;
  throw BillingErrors.providerFailed(`${why}: ${err.message}`);
}

/** Which applied events an event must not be older than, and where its own time is recorded. */
type OrderColumn = 'stripe_event_created' | 'stripe_invoice_event_created';
interface EventOrder {
  after: OrderColumn[];
  record: OrderColumn;
}
const SUBSCRIPTION_ORDER: EventOrder = { after: ['stripe_event_created'], record: 'stripe_event_created' };
const INVOICE_ORDER: EventOrder = { after: ['stripe_event_created', 'stripe_invoice_event_created'], record: 'stripe_invoice_event_created' };

/** Thrown inside the webhook transaction to roll it back when the event was already processed. */
class DuplicateEvent extends Error {}

const STATUS: Record<string, Status> = {
  active: 'active',
  trialing: 'trialing',
  past_due: 'past_due',
  unpaid: 'past_due',
  incomplete: 'past_due',
  canceled: 'canceled',
  incomplete_expired: 'canceled',
  paused: 'past_due',
};

/** Seconds since the epoch → ISO (Stripe's timestamps). */
const iso = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000).toISOString() : null);

/** What StripeBilling is built from, passed by name. */
export interface StripeBillingDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  settings: BillingSettings['stripe'];
  publicUrl: string;
  plans: Plans;
  subscriptions: Subscriptions;
  defaultPlan: string;
  /** Finds or creates the account of someone who paid at signup (the auth plugin's), returning its tenant. */
  provision?: ((email: string) => Promise<string>) | null;
  /** Whether a tenant exists (the auth plugin's), read in the event's transaction. */
  tenantExists: (id: string, trx: Knex.Transaction) => Promise<boolean>;
}

/**
 * Stripe through its official SDK: checkout, the billing portal, cancel at period end, product and
 * price sync, and webhooks verified by signature over the raw body. Each webhook event is applied
 * at most once (its id is stored in the same transaction as its effect), and an event older than
 * the last one applied to the same Stripe object (the subscription; its invoices) is ignored:
 * Stripe sends duplicates and out of order. An event naming a tenant this server does not have,
 * or a subscription another tenant holds, is acknowledged, logged and ignored (never a 500, which
 * Stripe would retry for days).
 */
export class StripeBilling {
  constructor(private readonly deps: StripeBillingDeps) {}

  private client: Promise<Stripe> | null = null;

  get configured(): boolean {
    return Boolean(this.deps.settings.secretKey);
  }

  private get base(): string {
    return this.deps.publicUrl.replace(/\/+$/, '');
  }

  /** Runs one Stripe API call, mapping its errors (see providerError). */
  private async call<T>(fn: (stripe: Stripe) => Promise<T>): Promise<T> {
    const stripe = await this.stripe();
    try {
      return await fn(stripe);
    } catch (err) {
      return providerError(err);
    }
  }

  private stripe(): Promise<Stripe> {
    const key = this.deps.settings.secretKey;
    if (!key) throw BillingErrors.paymentsNotConfigured();
    const s = this.deps.settings;
    this.client ??= import('stripe').then(
      ({ default: StripeSdk }) =>
        new StripeSdk(key, {
          maxNetworkRetries: 2,
          timeout: 20_000,
          ...(s.apiHost ? { host: s.apiHost } : {}),
          ...(s.apiPort ? { port: s.apiPort } : {}),
          protocol: s.apiProtocol,
        }),
    );
    return this.client;
  }

  private priceOf(plan: Plan, cycle: Cycle): string {
    const price = cycle === 'yearly' ? plan.stripe_price_yearly : plan.stripe_price_monthly;
    const amount = cycle === 'yearly' ? plan.price_yearly : plan.price_monthly;
    if (amount <= 0) throw BillingErrors.planFree(plan.id, cycle);
    if (!price) throw BillingErrors.planNotSynced(plan.id, cycle);
    return price;
  }

  async checkout(input: {
    tenantId: string | null;
    email?: string | null;
    planId: string;
    cycle: Cycle;
  }): Promise<{ checkout_url: string; session_id: string }> {
    this.stripe();
    const plan = await this.deps.plans.get(input.planId);
    const price = this.priceOf(plan, input.cycle);
    const sub = input.tenantId ? await this.deps.subscriptions.get(input.tenantId) : null;
    // A second checkout would start a second Stripe subscription, billed beside the first.
    if (sub && sub.provider === 'stripe' && sub.stripe_subscription_id && sub.status !== 'canceled') {
      throw BillingErrors.alreadySubscribed();
    }
    const metadata: Record<string, string> = {
      plan_id: plan.id,
      billing_cycle: input.cycle,
      ...(input.tenantId ? { tenant_id: input.tenantId } : { signup_email: input.email ?? '' }),
    };
    // A plan edited since its last sync still points at the old price: charge what the plan says, or nothing.
    const current = await this.call(async (stripe) => {
      try {
        return await stripe.prices.retrieve(price);
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    });
    const amount = input.cycle === 'yearly' ? plan.price_yearly : plan.price_monthly;
    if (!current?.active || current.unit_amount !== amount || current.currency !== plan.currency) {
      throw BillingErrors.planChangedSinceSync(plan.id);
    }
    const session = await this.call((stripe) =>
      stripe.checkout.sessions.create({
        mode: 'subscription',
        line_items: [{ price, quantity: 1 }],
        success_url: `${this.base}${this.deps.settings.successPath}`,
        cancel_url: `${this.base}${this.deps.settings.cancelPath}`,
        ...(input.tenantId ? { client_reference_id: input.tenantId } : {}),
        ...(sub?.stripe_customer_id ? { customer: sub.stripe_customer_id } : input.email ? { customer_email: input.email } : {}),
        metadata,
        subscription_data: { metadata },
      }),
    );
    if (!session.url) throw BillingErrors.providerFailed('Stripe returned a checkout session without a URL');
    return { checkout_url: session.url, session_id: session.id };
  }

  async portal(tenantId: string): Promise<{ url: string }> {
    this.stripe();
    const sub = await this.deps.subscriptions.get(tenantId);
    if (!sub.stripe_customer_id) throw BillingErrors.noStripeCustomer();
    const session = await this.call((stripe) => stripe.billingPortal.sessions.create({ customer: sub.stripe_customer_id!, return_url: `${this.base}/admin` }));
    return { url: session.url };
  }

  /** Cancels at the end of the current period (Stripe's subscription too, when there is one). */
  async cancel(tenantId: string) {
    const sub = await this.deps.subscriptions.get(tenantId);
    if (sub.cancel_at_period_end || sub.status === 'canceled') throw BillingErrors.alreadyCanceled();
    if (sub.plan_id === this.deps.defaultPlan && sub.provider === 'manual') throw BillingErrors.nothingToCancel(this.deps.defaultPlan);
    if (sub.provider === 'stripe' && sub.stripe_subscription_id) {
      await this.call((stripe) => stripe.subscriptions.update(sub.stripe_subscription_id!, { cancel_at_period_end: true }));
    }
    return this.deps.subscriptions.change(tenantId, { cancel_at_period_end: true });
  }

  /**
   * Creates or updates the plan's product, and a new price for each amount that changed (prices
   * are immutable): the old price is archived, and so is the price of an amount that became 0.
   * A product or price that no longer exists at Stripe (deleted, or another account) is made anew.
   */
  async syncPlan(planId: string): Promise<Plan> {
    this.stripe();
    const plan = await this.deps.plans.get(planId);
    const fields = { name: plan.display_name, description: plan.description || undefined, metadata: { plinth_plan: plan.id } };
    const product = await this.call(async (stripe) => {
      if (plan.stripe_product_id) {
        try {
          return await stripe.products.update(plan.stripe_product_id, { ...fields, active: true });
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
      }
      return stripe.products.create(fields);
    });
    const ensurePrice = (existing: string | null, amount: number, interval: 'month' | 'year') =>
      this.call(async (stripe) => {
        if (existing) {
          let price: Stripe.Price | null = null;
          try {
            price = await stripe.prices.retrieve(existing);
          } catch (err) {
            if (!isMissing(err)) throw err;
          }
          const productOf = price && (typeof price.product === 'string' ? price.product : price.product.id);
          if (
            price &&
            amount > 0 &&
            price.active &&
            price.unit_amount === amount &&
            price.currency === plan.currency &&
            price.recurring?.interval === interval &&
            productOf === product.id
          )
            return existing;
          if (price?.active) await stripe.prices.update(existing, { active: false });
        }
        if (amount <= 0) return null;
        const created = await stripe.prices.create({
          product: product.id,
          unit_amount: amount,
          currency: plan.currency,
          recurring: { interval },
          metadata: { plinth_plan: plan.id },
        });
        return created.id;
      });
    const monthly = await ensurePrice(plan.stripe_price_monthly, plan.price_monthly, 'month');
    const yearly = await ensurePrice(plan.stripe_price_yearly, plan.price_yearly, 'year');
    return this.deps.plans.setStripeIds(plan.id, { product: product.id, monthly, yearly });
  }

  private readonly signups = new Map<string, string>();

  /**
   * A signup checkout (no tenant yet) is linked to the account of its email: found, or created and
   * sent a sign-in link. Done before the event's transaction (it writes through another plugin),
   * and safe to repeat for a redelivered event: the second time the account exists.
   */
  private async provisionSignup(event: Stripe.Event): Promise<void> {
    if (event.type !== 'checkout.session.completed' || !this.deps.provision) return;
    const session = event.data.object as Stripe.Checkout.Session;
    const email = session.metadata?.signup_email || session.customer_details?.email || session.customer_email;
    if (session.metadata?.tenant_id || session.client_reference_id || !email) return;
    this.signups.set(event.id, await this.deps.provision(email));
  }

  /** Verifies the signature over the raw body (a bad or stale one is a 400) and applies the event once. */
  async webhook(
    rawBody: string | undefined,
    signature: string | undefined,
  ): Promise<{ received: true; event_id: string; outcome: 'applied' | 'ignored' | 'duplicate' }> {
    if (!this.configured) throw BillingErrors.paymentsNotConfigured();
    if (!this.deps.settings.webhookSecret) throw BillingErrors.webhooksNotConfigured();
    if (!signature) throw BillingErrors.signatureInvalid('missing Stripe-Signature header');
    if (!rawBody) throw BillingErrors.signatureInvalid('missing request body');
    let event: Stripe.Event;
    try {
      event = (await this.stripe()).webhooks.constructEvent(
        rawBody,
        signature,
        this.deps.settings.webhookSecret,
        this.deps.settings.webhookToleranceSeconds,
        undefined,
        this.deps.clock.now().getTime(),
      );
    } catch (err) {
      // The SDK's message goes on with advice and a link; its first sentence says what failed.
      const reason = String((err as Error).message)
        .split('\n')[0]
        .trim();
      throw BillingErrors.signatureInvalid(`invalid Stripe signature: ${reason}`);
    }
    await this.provisionSignup(event);
    const touched = new Set<string>();
    let outcome: 'applied' | 'ignored' | 'duplicate';
    try {
      outcome = await this.applyOnce(event, touched);
    } finally {
      this.signups.delete(event.id);
    }
    for (const tenantId of touched) await this.deps.subscriptions.changed(tenantId);
    return { received: true, event_id: event.id, outcome };
  }

  private async applyOnce(event: Stripe.Event, touched: Set<string>): Promise<'applied' | 'ignored' | 'duplicate'> {
    let outcome: 'applied' | 'ignored' | 'duplicate';
    try {
      outcome = await this.deps.db.transaction(async (trx) => {
        // The event's row first: a second delivery (even a concurrent one) stops here.
        if (await trx('billing_stripe_events').where('id', event.id).first('id')) throw new DuplicateEvent(event.id);
        try {
          await trx('billing_stripe_events').insert({
            id: event.id,
            type: event.type,
            created: event.created,
            outcome: 'pending',
            processed_at: this.deps.clock.now().toISOString(),
          });
        } catch (err) {
          if (isUniqueViolation(err)) throw new DuplicateEvent(event.id);
          throw err;
        }
        const applied = await this.apply(trx, event, touched);
        await trx('billing_stripe_events').where('id', event.id).update({ outcome: applied });
        return applied;
      });
    } catch (err) {
      if (!(err instanceof DuplicateEvent)) throw err;
      this.deps.logger.info({ eventId: event.id, type: event.type }, 'ignored a Stripe event delivered again');
      return 'duplicate';
    }
    return outcome;
  }

  private async apply(trx: Knex.Transaction, event: Stripe.Event, touched: Set<string>): Promise<'applied' | 'ignored'> {
    switch (event.type) {
      case 'checkout.session.completed': {
        const session = event.data.object as Stripe.Checkout.Session;
        if (session.mode && session.mode !== 'subscription') return 'ignored';
        const tenantId = session.metadata?.tenant_id ?? session.client_reference_id ?? this.signups.get(event.id);
        if (!tenantId) return 'ignored';
        if (!(await this.deps.tenantExists(tenantId, trx))) return this.unknownTenant(event, tenantId);
        const subscriptionId = typeof session.subscription === 'string' ? session.subscription : (session.subscription?.id ?? null);
        if (subscriptionId && (await this.heldByAnother(trx, subscriptionId, tenantId))) return this.heldElsewhere(event, subscriptionId, tenantId);
        const current = await this.locked(trx, tenantId);
        const planId = session.metadata?.plan_id;
        const cycle = session.metadata?.billing_cycle;
        return this.update(trx, touched, current, event.created, SUBSCRIPTION_ORDER, {
          provider: 'stripe',
          status: 'active',
          cancel_at_period_end: false,
          ...(planId && (await this.planExists(trx, planId)) ? { plan_id: planId } : {}),
          ...(cycle === 'monthly' || cycle === 'yearly' ? { billing_cycle: cycle } : {}),
          stripe_customer_id: typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? null),
          stripe_subscription_id: subscriptionId,
        });
      }
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const s = event.data.object as Stripe.Subscription;
        const customerId = typeof s.customer === 'string' ? s.customer : s.customer.id;
        const tenantId = await this.tenantOf(trx, s.metadata?.tenant_id, customerId);
        if (!tenantId) return 'ignored';
        if (!(await this.deps.tenantExists(tenantId, trx))) return this.unknownTenant(event, tenantId);
        if (await this.heldByAnother(trx, s.id, tenantId)) return this.heldElsewhere(event, s.id, tenantId);
        const deleted = event.type === 'customer.subscription.deleted';
        const current = await this.locked(trx, tenantId);
        // The end of a subscription the tenant no longer has (replaced by a newer one) changes nothing.
        if (
          current.stripe_subscription_id &&
          current.stripe_subscription_id !== s.id &&
          (deleted || s.status === 'canceled' || s.status === 'incomplete_expired')
        )
          return 'ignored';
        const item = s.items?.data?.[0];
        const plan = item?.price ? await this.planOfPrice(trx, item.price) : null;
        const periodStart =
          (item as { current_period_start?: number } | undefined)?.current_period_start ??
          (s as unknown as { current_period_start?: number }).current_period_start;
        const periodEnd =
          (item as { current_period_end?: number } | undefined)?.current_period_end ?? (s as unknown as { current_period_end?: number }).current_period_end;
        return this.update(
          trx,
          touched,
          current,
          event.created,
          SUBSCRIPTION_ORDER,
          {
            provider: 'stripe',
            status: deleted ? 'canceled' : (STATUS[s.status] ?? 'past_due'),
            ...(plan && !deleted ? { plan_id: plan } : {}),
            ...(item?.price?.recurring?.interval ? { billing_cycle: item.price.recurring.interval === 'year' ? 'yearly' : 'monthly' } : {}),
            cancel_at_period_end: Boolean(s.cancel_at_period_end),
            stripe_subscription_id: s.id,
            stripe_customer_id: customerId,
            ...(iso(periodStart) ? { current_period_start: iso(periodStart)! } : {}),
            ...(iso(periodEnd) ? { current_period_end: iso(periodEnd)! } : {}),
          },
          deleted,
        );
      }
      case 'invoice.paid':
      case 'invoice.payment_failed': {
        const invoice = event.data.object as Stripe.Invoice;
        const customerId = typeof invoice.customer === 'string' ? invoice.customer : invoice.customer?.id;
        const tenantId = await this.tenantOf(trx, undefined, customerId);
        if (!tenantId) return 'ignored';
        const current = await this.locked(trx, tenantId);
        // A late invoice does not bring back a subscription that has ended.
        if (current.status === 'canceled') return 'ignored';
        const line = invoice.lines?.data?.[0];
        return this.update(trx, touched, current, event.created, INVOICE_ORDER, {
          status: event.type === 'invoice.paid' ? 'active' : 'past_due',
          ...(event.type === 'invoice.paid' && iso(line?.period?.end) ? { current_period_end: iso(line!.period.end)! } : {}),
        });
      }
      default:
        return 'ignored';
    }
  }

  private unknownTenant(event: Stripe.Event, tenantId: string): 'ignored' {
    this.deps.logger.warn({ eventId: event.id, type: event.type, tenantId }, 'ignored a Stripe event for a tenant this server does not have');
    return 'ignored';
  }

  /** A Stripe subscription already linked to another tenant is never moved (or duplicated) by an event. */
  private async heldByAnother(trx: Knex.Transaction, subscriptionId: string, tenantId: string): Promise<boolean> {
    return Boolean(await trx('billing_subscriptions').where('stripe_subscription_id', subscriptionId).whereNot('tenant_id', tenantId).first('tenant_id'));
  }

  private heldElsewhere(event: Stripe.Event, subscriptionId: string, tenantId: string): 'ignored' {
    this.deps.logger.warn(
      { eventId: event.id, type: event.type, tenantId, subscriptionId },
      'ignored a Stripe event linking a subscription another tenant holds',
    );
    return 'ignored';
  }

  private async planExists(trx: Knex.Transaction, planId: string): Promise<boolean> {
    return Boolean(await trx('billing_plans').where('id', planId).first('id'));
  }

  /** The plan a Stripe price sells: by its id, else (an archived price after a re-sync) by the plinth_plan metadata sync puts on it. */
  private async planOfPrice(trx: Knex.Transaction, price: Stripe.Price): Promise<string | null> {
    const row = await trx('billing_plans').where('stripe_price_monthly', price.id).orWhere('stripe_price_yearly', price.id).first('id');
    if (row) return row.id as string;
    const named = price.metadata?.plinth_plan;
    return named && (await this.planExists(trx, named)) ? named : null;
  }

  private async tenantOf(trx: Knex.Transaction, fromMetadata: string | undefined, customerId: string | undefined): Promise<string | null> {
    if (fromMetadata) return fromMetadata;
    if (!customerId) return null;
    return (await this.deps.subscriptions.byStripeCustomer(customerId, trx))?.tenant_id ?? null;
  }

  /**
   * The tenant's subscription, locked for the rest of the transaction (PostgreSQL; SQLite runs one
   * transaction at a time), so two events for one tenant delivered at once are compared and
   * applied one after the other, never both against the state before either.
   */
  private async locked(trx: Knex.Transaction, tenantId: string): Promise<Subscription> {
    await this.deps.subscriptions.get(tenantId, trx); // the row exists from here on
    if (this.deps.db.client.config.client === 'pg') await trx('billing_subscriptions').where('tenant_id', tenantId).forUpdate().first('tenant_id');
    return this.deps.subscriptions.get(tenantId, trx);
  }

  /**
   * Applies a change unless a newer event was already applied to the same Stripe object. A
   * subscription's own events are ordered among themselves (`SUBSCRIPTION_ORDER`), so a newer
   * invoice never makes an older subscription update look stale; an invoice event also yields to
   * a newer subscription event (`INVOICE_ORDER`), whose status is the fresher truth.
   */
  private async update(
    trx: Knex.Transaction,
    touched: Set<string>,
    current: Subscription,
    created: number,
    order: EventOrder,
    patch: Record<string, unknown>,
    downgrade = false,
  ): Promise<'applied' | 'ignored'> {
    const tenantId = current.tenant_id;
    const last = Math.max(...order.after.map((column) => current[column] ?? -Infinity));
    if (created < last) {
      this.deps.logger.info({ tenantId, created, last, order: order.record }, 'ignored an out-of-order Stripe event');
      return 'ignored';
    }
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (downgrade) Object.assign(clean, { plan_id: this.deps.defaultPlan, cancel_at_period_end: false });
    await this.deps.subscriptions.change(tenantId, { ...clean, [order.record]: created }, trx);
    touched.add(tenantId);
    return 'applied';
  }
}
