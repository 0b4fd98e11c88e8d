// Longer than most: one feature end-to-end, each Stripe event from its signature to what it changed.
// Stripe webhooks: signed raw bodies posted to /api/v2/billing/webhook, verified by the SDK, each
// event applied once and in order. The events are built from the fake's own objects.
import assert from 'node:assert/strict';
import { FakeStripe } from '../../../test/helpers/fake-stripe.js';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import {
  assertError,
  changedEvents,
  count,
  loginAdmin,
  planRow,
  startBillingApp,
  stripeEventRows,
  subscribeThroughCheckout,
  subscriptionRow,
  syncAll,
  type BillingApp,
} from './stripe-helpers.js';

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
/** Event times an hour back, so a test can step forward without reaching the future. */
const base = () => Math.floor(Date.now() / 1000) - 3600;

describe('billing: Stripe webhooks', () => {
  let fake: FakeStripe;
  let t: BillingApp;
  let admin: Actor;
  let plans: Record<string, any>;

  before(async () => {
    fake = await FakeStripe.start();
    t = await startBillingApp(fake);
    admin = await loginAdmin(t);
    plans = await syncAll(t, admin);
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });

  const view = async (owner: Actor) => {
    const res = await t.api('GET', '/billing/subscription', { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const eventRow = async (id: string) => (await stripeEventRows(t)).find((r) => r.id === id);
  /** An invoice of the customer for one period (what invoice.* events carry). */
  const invoice = (customer: string, subscription: string, start: number, end: number) => ({
    id: `in_${Math.random().toString(36).slice(2, 12)}`,
    object: 'invoice',
    customer,
    status: 'open',
    parent: { type: 'subscription_details', subscription_details: { subscription } },
    lines: { object: 'list', data: [{ id: 'il_1', object: 'line_item', period: { start, end } }], has_more: false },
  });

  it('checkout → checkout.session.completed → subscription.updated → payment_failed → paid → deleted', async () => {
    const T = base();
    const owner = await registerOwner(t);
    const before = await view(owner);
    assert.equal(before.plan_id, 'free');

    // 1. The customer paid: the tenant is on pro through Stripe.
    const { session, subscription, customer, event: completed } = await subscribeThroughCheckout(t, fake, owner, 'pro', 'monthly', T);
    assert.equal(session.metadata.tenant_id, owner.tenantId);
    let row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual(
      {
        plan: row.plan_id,
        provider: row.provider,
        status: row.status,
        cycle: row.billing_cycle,
        customer: row.stripe_customer_id,
        sub: row.stripe_subscription_id,
        created: row.stripe_event_created,
      },
      { plan: 'pro', provider: 'stripe', status: 'active', cycle: 'monthly', customer: customer.id, sub: subscription.id, created: T },
    );
    assert.match(customer.id, /^cus_/);
    assert.match(subscription.id, /^sub_/);
    const pro = JSON.parse((await planRow(t, 'pro')).limits);
    let v = await view(owner);
    assert.equal(v.plan_id, 'pro');
    assert.equal(v.display_name, 'Pro');
    assert.equal(v.provider, 'stripe');
    assert.equal(v.status, 'active');
    assert.deepEqual(v.limits, pro, "the pro plan's limits apply at once");
    assert.deepEqual(await eventRow(completed.id), {
      id: completed.id,
      type: 'checkout.session.completed',
      created: T,
      outcome: 'applied',
      processed_at: (await eventRow(completed.id))!.processed_at,
    });
    let events = await changedEvents(t, owner.tenantId);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0].payload, {
      tenant_id: owner.tenantId,
      plan_id: 'pro',
      previous_plan_id: 'free',
      status: 'active',
      billing_cycle: 'monthly',
      cancel_at_period_end: false,
    });

    // 2. Stripe reports the subscription with its period.
    const start = T + 5;
    const end = start + 30 * 86_400;
    const stripeSub = fake.subscriptions.get(subscription.id)!;
    Object.assign(stripeSub.items.data[0], { current_period_start: start, current_period_end: end });
    const updated = fake.event('customer.subscription.updated', stripeSub, { created: T + 10 });
    let res = await fake.deliver(t, updated);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { received: true, event_id: updated.id, outcome: 'applied' });
    row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual(
      { status: row.status, start: row.current_period_start, end: row.current_period_end, created: row.stripe_event_created },
      { status: 'active', start: iso(start), end: iso(end), created: T + 10 },
    );
    v = await view(owner);
    assert.equal(v.current_period_end, iso(end));
    assert.equal((await changedEvents(t, owner.tenantId)).length, 1, 'a period alone is not a plan/status change');

    // 3. The renewal fails: past_due.
    const failed = fake.event('invoice.payment_failed', invoice(customer.id, subscription.id, end, end + 30 * 86_400), { created: T + 20 });
    res = await fake.deliver(t, failed);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.outcome, 'applied');
    assert.equal((await subscriptionRow(t, owner.tenantId)).status, 'past_due');
    assert.equal((await view(owner)).status, 'past_due');
    events = await changedEvents(t, owner.tenantId);
    assert.deepEqual({ plan: events.at(-1)!.payload.plan_id, status: events.at(-1)!.payload.status }, { plan: 'pro', status: 'past_due' });

    // 4. It is paid after all: active again, the period moves on.
    const nextEnd = end + 30 * 86_400;
    const paid = fake.event('invoice.paid', invoice(customer.id, subscription.id, end, nextEnd), { created: T + 30 });
    res = await fake.deliver(t, paid);
    assert.equal(res.body.outcome, 'applied', res.text);
    row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual({ status: row.status, end: row.current_period_end, plan: row.plan_id }, { status: 'active', end: iso(nextEnd), plan: 'pro' });

    // 5. The subscription ends: back to the default plan, canceled.
    const ended = fake.event('customer.subscription.deleted', { ...stripeSub, status: 'canceled', canceled_at: T + 40, ended_at: T + 40 }, { created: T + 40 });
    res = await fake.deliver(t, ended);
    assert.equal(res.body.outcome, 'applied', res.text);
    row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual(
      { plan: row.plan_id, status: row.status, cancel: row.cancel_at_period_end, provider: row.provider },
      { plan: 'free', status: 'canceled', cancel: false, provider: 'stripe' },
    );
    v = await view(owner);
    assert.equal(v.plan_id, 'free');
    assert.equal(v.status, 'canceled');
    assert.deepEqual(v.limits, JSON.parse((await planRow(t, 'free')).limits), "the free plan's limits apply at once");
    events = await changedEvents(t, owner.tenantId);
    assert.deepEqual(
      events.map((e) => [e.payload.plan_id, e.payload.status]),
      [
        ['pro', 'active'],
        ['pro', 'past_due'],
        ['pro', 'active'],
        ['free', 'canceled'],
      ],
    );
    assert.equal(events.at(-1)!.payload.previous_plan_id, 'pro');
    assert.deepEqual(
      (await stripeEventRows(t))
        .filter((r) => [completed.id, updated.id, failed.id, paid.id, ended.id].includes(r.id))
        .map((r) => [r.type, r.outcome])
        .sort(),
      [
        ['checkout.session.completed', 'applied'],
        ['customer.subscription.deleted', 'applied'],
        ['customer.subscription.updated', 'applied'],
        ['invoice.paid', 'applied'],
        ['invoice.payment_failed', 'applied'],
      ],
    );

    // 6. Subscribing again reuses the Stripe customer.
    fake.requests.length = 0;
    const again = await t.api('POST', '/billing/checkout', { headers: owner.headers, body: { plan_id: 'pro', billing_cycle: 'yearly' } });
    assert.equal(again.status, 200, again.text);
    const [sent] = fake.requestsTo('POST', '/v1/checkout/sessions');
    assert.equal(sent.body.customer, customer.id);
    assert.equal(sent.body.customer_email, undefined);
  });

  it('a plan change made in the portal (subscription.updated with another price) moves the tenant and its limits', async () => {
    const T = base();
    const owner = await registerOwner(t);
    const { subscription } = await subscribeThroughCheckout(t, fake, owner, 'pro', 'monthly', T);
    const stripeSub = fake.subscriptions.get(subscription.id)!;
    stripeSub.items.data[0].price = { ...fake.prices.get(plans.business.stripe_price_yearly)! };
    const res = await fake.deliver(t, fake.event('customer.subscription.updated', stripeSub, { created: T + 10 }));
    assert.equal(res.body.outcome, 'applied', res.text);
    const row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual({ plan: row.plan_id, cycle: row.billing_cycle }, { plan: 'business', cycle: 'yearly' });
    const v = await view(owner);
    assert.equal(v.plan_id, 'business');
    assert.deepEqual(v.limits, JSON.parse((await planRow(t, 'business')).limits));
    const [last] = (await changedEvents(t, owner.tenantId)).slice(-1);
    assert.deepEqual(
      { plan: last.payload.plan_id, previous: last.payload.previous_plan_id, cycle: last.payload.billing_cycle },
      { plan: 'business', previous: 'pro', cycle: 'yearly' },
    );
  });

  it('a subscriber on a price archived by a re-sync still maps to its plan (the price carries plinth_plan)', async () => {
    const T = base();
    const owner = await registerOwner(t);
    const { subscription } = await subscribeThroughCheckout(t, fake, owner, 'business', 'monthly', T);
    const oldPrice = plans.business.stripe_price_monthly;
    assert.equal((await t.api('PATCH', '/admin/plans/business', { headers: admin.headers, body: { price_monthly: 10990 } })).status, 200);
    const resynced = await t.api('POST', '/admin/plans/business/stripe-sync', { headers: admin.headers });
    plans.business = resynced.body;
    assert.notEqual(resynced.body.stripe_price_monthly, oldPrice);

    const stripeSub = fake.subscriptions.get(subscription.id)!;
    assert.equal(stripeSub.items.data[0].price.id, oldPrice);
    const res = await fake.deliver(t, fake.event('customer.subscription.updated', { ...stripeSub, status: 'past_due' }, { created: T + 10 }));
    assert.equal(res.body.outcome, 'applied', res.text);
    const row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual({ plan: row.plan_id, status: row.status }, { plan: 'business', status: 'past_due' });
  });

  describe('signatures', () => {
    let owner: Actor;
    let event: Record<string, any>;

    before(async () => {
      owner = await registerOwner(t);
      const checkout = await t.api('POST', '/billing/checkout', { headers: owner.headers, body: { plan_id: 'pro', billing_cycle: 'monthly' } });
      event = fake.event('checkout.session.completed', fake.completeCheckout(checkout.body.session_id).session);
    });

    const assertNothingStored = async () => {
      assert.equal(await count(t.db('billing_stripe_events').where('id', event.id)), 0);
      const row = await subscriptionRow(t, owner.tenantId);
      assert.deepEqual({ plan: row.plan_id, provider: row.provider, customer: row.stripe_customer_id }, { plan: 'free', provider: 'manual', customer: null });
      assert.equal((await changedEvents(t, owner.tenantId)).length, 0);
    };

    it('a signature made with another secret is 400 invalid_signature and changes nothing', async () => {
      const res = await fake.deliver(t, event, { secret: 'whsec_someone_else_entirely' });
      const body = assertError(res, 400, 'invalid_signature');
      assert.match(body.detail, /signature/i);
      assert.doesNotMatch(body.detail, /\n/, 'one line, without the SDK advice');
      await assertNothingStored();
    });

    it('a body changed after signing is 400 invalid_signature', async () => {
      const payload = JSON.stringify(event);
      const signature = fake.sign(payload);
      const forged = payload.replace(owner.tenantId, '00000000-0000-4000-8000-000000000000');
      assertError(await fake.deliver(t, forged, { signature }), 400, 'invalid_signature');
      // The same body re-serialized (other whitespace) is not what was signed either.
      assertError(await fake.deliver(t, JSON.stringify(JSON.parse(payload), null, 4), { signature }), 400, 'invalid_signature');
      await assertNothingStored();
    });

    it('a stale signature (10 minutes old; tolerance 300 s) is 400', async () => {
      const body = assertError(await fake.deliver(t, event, { timestamp: Math.floor(Date.now() / 1000) - 600 }), 400, 'invalid_signature');
      assert.match(body.detail, /tolerance/i);
      await assertNothingStored();
      // Inside the tolerance it is fine (checked last, so the event is still unapplied above).
      const fresh = await fake.deliver(t, event, { timestamp: Math.floor(Date.now() / 1000) - 120 });
      assert.equal(fresh.status, 200, fresh.text);
      assert.equal(fresh.body.outcome, 'applied');
    });

    it('a missing or malformed Stripe-Signature header is 400', async () => {
      const other = fake.event('invoice.paid', invoice('cus_x', 'sub_x', 1, 2));
      const missing = assertError(await fake.deliver(t, other, { signature: null }), 400, 'invalid_signature');
      assert.match(missing.detail, /Stripe-Signature/);
      assertError(await fake.deliver(t, other, { signature: 'nonsense' }), 400, 'invalid_signature');
      assertError(await fake.deliver(t, other, { signature: '' }), 400, 'invalid_signature');
      assert.equal(await count(t.db('billing_stripe_events').where('id', other.id)), 0);
    });
  });

  it('the same event delivered twice is applied once: one billing_stripe_events row, one change event, the second answer says duplicate', async () => {
    const owner = await registerOwner(t);
    const checkout = await t.api('POST', '/billing/checkout', { headers: owner.headers, body: { plan_id: 'pro', billing_cycle: 'monthly' } });
    const event = fake.event('checkout.session.completed', fake.completeCheckout(checkout.body.session_id).session);

    const first = await fake.deliver(t, event);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body, { received: true, event_id: event.id, outcome: 'applied' });
    const second = await fake.deliver(t, event);
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.body, { received: true, event_id: event.id, outcome: 'duplicate' });

    assert.equal(await count(t.db('billing_stripe_events').where('id', event.id)), 1);
    assert.equal((await eventRow(event.id))!.outcome, 'applied');
    assert.equal((await changedEvents(t, owner.tenantId)).length, 1);
    assert.equal((await subscriptionRow(t, owner.tenantId)).plan_id, 'pro');
  });

  it('concurrent deliveries of one event apply it exactly once', async () => {
    const owner = await registerOwner(t);
    const checkout = await t.api('POST', '/billing/checkout', { headers: owner.headers, body: { plan_id: 'business', billing_cycle: 'yearly' } });
    const event = fake.event('checkout.session.completed', fake.completeCheckout(checkout.body.session_id).session);
    const replies = await Promise.all(Array.from({ length: 6 }, () => fake.deliver(t, event)));
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
      replies.map((r) => r.text).join('\n'),
    );
    assert.deepEqual(replies.map((r) => r.body.outcome).sort(), ['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    assert.equal(await count(t.db('billing_stripe_events').where('id', event.id)), 1);
    assert.equal((await changedEvents(t, owner.tenantId)).length, 1);
    assert.equal((await subscriptionRow(t, owner.tenantId)).plan_id, 'business');
  });

  it('out of order: an update created before the last applied one is ignored (outcome ignored, status kept)', async () => {
    const T = base();
    const owner = await registerOwner(t);
    const { subscription } = await subscribeThroughCheckout(t, fake, owner, 'pro', 'monthly', T);
    const stripeSub = fake.subscriptions.get(subscription.id)!;

    const newer = fake.event('customer.subscription.updated', { ...stripeSub, status: 'active' }, { created: T + 100 });
    const older = fake.event('customer.subscription.updated', { ...stripeSub, status: 'past_due' }, { created: T + 50 });
    assert.equal((await fake.deliver(t, newer)).body.outcome, 'applied');
    const res = await fake.deliver(t, older);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { received: true, event_id: older.id, outcome: 'ignored' });

    const row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual({ status: row.status, created: row.stripe_event_created }, { status: 'active', created: T + 100 });
    assert.equal((await eventRow(older.id))!.outcome, 'ignored');
    assert.equal((await eventRow(newer.id))!.outcome, 'applied');
    assert.ok(
      (await changedEvents(t, owner.tenantId)).every((e) => e.payload.status === 'active'),
      'past_due was never reported',
    );

    // An older invoice is ignored the same way.
    const lateFailure = fake.event('invoice.payment_failed', invoice(String(stripeSub.customer), subscription.id, T, T + 86_400), { created: T + 60 });
    assert.equal((await fake.deliver(t, lateFailure)).body.outcome, 'ignored');
    assert.equal((await subscriptionRow(t, owner.tenantId)).status, 'active');
  });

  it('ordering is per Stripe object: a newer invoice does not make an older subscription update stale', async () => {
    const T = base();
    const owner = await registerOwner(t);
    const { subscription } = await subscribeThroughCheckout(t, fake, owner, 'pro', 'monthly', T);
    const stripeSub = fake.subscriptions.get(subscription.id)!;
    const paid = fake.event('invoice.paid', invoice(String(stripeSub.customer), subscription.id, T, T + 86_400), { created: T + 200 });
    assert.equal((await fake.deliver(t, paid)).body.outcome, 'applied');
    // Created before that invoice but after the checkout: the subscription's own news, applied.
    const update = fake.event('customer.subscription.updated', { ...stripeSub, status: 'active', cancel_at_period_end: true }, { created: T + 150 });
    const res = await fake.deliver(t, update);
    assert.equal(res.body.outcome, 'applied', res.text);
    const row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual(
      { cancel: Boolean(row.cancel_at_period_end), sub: Number(row.stripe_event_created), invoice: Number(row.stripe_invoice_event_created) },
      { cancel: true, sub: T + 150, invoice: T + 200 },
    );
    // An older update of the subscription itself is still ignored.
    const stale = fake.event('customer.subscription.updated', { ...stripeSub, status: 'past_due' }, { created: T + 120 });
    assert.equal((await fake.deliver(t, stale)).body.outcome, 'ignored');
    assert.equal((await subscriptionRow(t, owner.tenantId)).status, 'active');
  });

  it('an event naming a tenant this server does not have: 200 ignored, logged, no subscription row written', async () => {
    const ghost = '00000000-0000-4000-8000-00000000dead';
    const rowsBefore = await count(t.db('billing_subscriptions'));
    const session = {
      id: 'cs_ghost_1',
      object: 'checkout.session',
      mode: 'subscription',
      customer: 'cus_ghost_1',
      subscription: 'sub_ghost_1',
      metadata: { tenant_id: ghost, plan_id: 'pro', billing_cycle: 'monthly' },
    };
    const completed = fake.event('checkout.session.completed', session);
    const res = await fake.deliver(t, completed);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { received: true, event_id: completed.id, outcome: 'ignored' });
    const updated = fake.event('customer.subscription.updated', {
      id: 'sub_ghost_1',
      object: 'subscription',
      customer: 'cus_ghost_1',
      status: 'active',
      metadata: { tenant_id: ghost },
      items: { object: 'list', data: [] },
    });
    assert.equal((await fake.deliver(t, updated)).body.outcome, 'ignored');
    assert.equal(await count(t.db('billing_subscriptions').where('tenant_id', ghost)), 0, 'no orphan row');
    assert.equal(await count(t.db('billing_subscriptions')), rowsBefore);
    assert.equal((await eventRow(completed.id))!.outcome, 'ignored');
  });

  it('a checkout for one tenant carrying a subscription another tenant holds: 200 ignored, never a 500, nothing moved', async () => {
    const T = base();
    const first = await registerOwner(t);
    const { subscription } = await subscribeThroughCheckout(t, fake, first, 'pro', 'monthly', T);
    const second = await registerOwner(t);
    const session = {
      id: 'cs_dup_1',
      object: 'checkout.session',
      mode: 'subscription',
      customer: 'cus_dup_1',
      subscription: subscription.id,
      metadata: { tenant_id: second.tenantId, plan_id: 'business', billing_cycle: 'monthly' },
    };
    const event = fake.event('checkout.session.completed', session, { created: T + 10 });
    const res = await fake.deliver(t, event);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.outcome, 'ignored');
    assert.equal((await subscriptionRow(t, first.tenantId)).stripe_subscription_id, subscription.id, 'still the first tenant’s');
    const other = await subscriptionRow(t, second.tenantId);
    assert.deepEqual({ plan: other.plan_id, sub: other.stripe_subscription_id }, { plan: 'free', sub: null });
  });

  it('two different events for one tenant delivered at once: the newer one wins whatever the timing', async () => {
    const T = base();
    const owner = await registerOwner(t);
    const { subscription } = await subscribeThroughCheckout(t, fake, owner, 'pro', 'monthly', T);
    const stripeSub = fake.subscriptions.get(subscription.id)!;
    for (let round = 1; round <= 8; round++) {
      const [newStatus, oldStatus] = round % 2 ? ['past_due', 'active'] : ['active', 'past_due'];
      const older = fake.event('customer.subscription.updated', { ...stripeSub, status: oldStatus, cancel_at_period_end: false }, { created: T + round * 100 });
      const newer = fake.event(
        'customer.subscription.updated',
        { ...stripeSub, status: newStatus, cancel_at_period_end: true },
        { created: T + round * 100 + 50 },
      );
      const replies = await Promise.all(round % 4 < 2 ? [fake.deliver(t, newer), fake.deliver(t, older)] : [fake.deliver(t, older), fake.deliver(t, newer)]);
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 200],
        replies.map((r) => r.text).join('\n'),
      );
      const row = await subscriptionRow(t, owner.tenantId);
      assert.deepEqual(
        { status: row.status, cancel: row.cancel_at_period_end, created: row.stripe_event_created },
        { status: newStatus, cancel: true, created: T + round * 100 + 50 },
        `round ${round}`,
      );
    }
  });

  it('the end of a replaced subscription, or a late invoice after the end, changes nothing', async () => {
    const T = base();
    const owner = await registerOwner(t);
    const first = await subscribeThroughCheckout(t, fake, owner, 'pro', 'monthly', T);
    // It ends, and the tenant subscribes again (a new Stripe subscription).
    const ended = { ...fake.subscriptions.get(first.subscription.id)!, status: 'canceled' };
    fake.subscriptions.set(first.subscription.id, ended);
    assert.equal((await fake.deliver(t, fake.event('customer.subscription.deleted', ended, { created: T + 10 }))).body.outcome, 'applied');
    const lateInvoice = fake.event('invoice.paid', invoice(first.customer.id, first.subscription.id, T, T + 86_400), { created: T + 15 });
    assert.equal((await fake.deliver(t, lateInvoice)).body.outcome, 'ignored', 'a canceled subscription is not revived by an invoice');
    assert.equal((await subscriptionRow(t, owner.tenantId)).status, 'canceled');

    const second = await subscribeThroughCheckout(t, fake, owner, 'business', 'monthly', T + 20);
    assert.equal(second.customer.id, first.customer.id, 'the same Stripe customer');
    assert.notEqual(second.subscription.id, first.subscription.id);
    // A (re)delivered deletion of the old subscription, even with a newer timestamp, does not downgrade.
    const stale = fake.event('customer.subscription.deleted', ended, { created: T + 30 });
    assert.equal((await fake.deliver(t, stale)).body.outcome, 'ignored');
    const row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual(
      { plan: row.plan_id, status: row.status, sub: row.stripe_subscription_id },
      { plan: 'business', status: 'active', sub: second.subscription.id },
    );
  });

  it('events for nobody Plinth knows, and event types it does not handle, are acknowledged and recorded as ignored', async () => {
    const unknownCustomer = fake.event('invoice.paid', invoice('cus_nobody', 'sub_nobody', 1, 2));
    const unhandled = fake.event('charge.succeeded', { id: 'ch_1', object: 'charge', customer: 'cus_nobody', amount: 100 });
    // (A signup checkout is not "nobody": it creates the account — see stripe-signup.test.ts.)
    const anonymous = fake.event('checkout.session.completed', {
      id: 'cs_test_anon',
      object: 'checkout.session',
      mode: 'subscription',
      customer: 'cus_new',
      subscription: 'sub_new',
      metadata: { plan_id: 'pro' },
    });
    for (const event of [unknownCustomer, unhandled, anonymous]) {
      const res = await fake.deliver(t, event);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.outcome, 'ignored', `${event.type}: ${res.text}`);
      assert.equal((await eventRow(event.id))!.outcome, 'ignored');
    }
    assert.equal(await count(t.db('billing_subscriptions').where('stripe_customer_id', 'cus_new')), 0);
  });

  it('a subscription event carrying only the tenant in its metadata (before checkout.session.completed) is applied', async () => {
    const T = base();
    const owner = await registerOwner(t);
    const customer = fake.createCustomer({ email: owner.email });
    const sub = fake.createSubscription({
      customer: customer.id,
      price: plans.pro.stripe_price_yearly,
      metadata: { tenant_id: owner.tenantId, plan_id: 'pro' },
      start: T,
    });
    const res = await fake.deliver(t, fake.event('customer.subscription.created', sub, { created: T }));
    assert.equal(res.body.outcome, 'applied', res.text);
    const row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual(
      {
        plan: row.plan_id,
        cycle: row.billing_cycle,
        provider: row.provider,
        customer: row.stripe_customer_id,
        sub: row.stripe_subscription_id,
        end: row.current_period_end,
      },
      { plan: 'pro', cycle: 'yearly', provider: 'stripe', customer: customer.id, sub: sub.id, end: iso(T + 365 * 86_400) },
    );
    // Later invoices find the tenant by its customer.
    const failed = await fake.deliver(t, fake.event('invoice.payment_failed', invoice(customer.id, sub.id, T, T + 1), { created: T + 1 }));
    assert.equal(failed.body.outcome, 'applied');
    assert.equal((await subscriptionRow(t, owner.tenantId)).status, 'past_due');
  });

  it('a payload with non-ASCII text verifies (the signature is over the raw UTF-8 bytes)', async () => {
    const event = fake.event('charge.succeeded', { id: 'ch_2', object: 'charge', description: 'Café ☕ — Zoë 東京', metadata: { note: 'ümlaut' } });
    const res = await fake.deliver(t, event);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.outcome, 'ignored');
  });

  it('a webhook that is not JSON is refused before anything is stored', async () => {
    const before = await count(t.db('billing_stripe_events'));
    const res = await fake.deliver(t, 'not json at all');
    assert.equal(res.status, 400, res.text);
    assert.equal(await count(t.db('billing_stripe_events')), before);
  });
});
