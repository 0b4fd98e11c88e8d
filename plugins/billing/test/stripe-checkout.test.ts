// Checkout, signup checkout, the billing portal and cancel, through the SDK against the fake.
import assert from 'node:assert/strict';
import { FakeStripe } from '../../../test/helpers/fake-stripe.js';
import { type Actor, addUser, registerOwner } from '../../../test/helpers/actors.js';
import {
  PUBLIC_URL,
  assertError,
  changedEvents,
  count,
  loginAdmin,
  startBillingApp,
  subscribeThroughCheckout,
  subscriptionRow,
  syncAll,
  type BillingApp,
} from './stripe-helpers.js';

describe('billing: Stripe checkout', () => {
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
  beforeEach(() => {
    fake.requests.length = 0;
  });

  const checkout = (who: Actor | null, body: unknown) => t.api('POST', '/billing/checkout', { headers: who?.headers ?? {}, body });

  it("a tenant owner gets a checkout URL; Stripe was sent the plan's monthly price, the tenant and success/cancel URLs on server.publicUrl", async () => {
    const owner = await registerOwner(t);
    const res = await checkout(owner, { plan_id: 'pro', billing_cycle: 'monthly' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['checkout_url', 'session_id']);
    assert.match(res.body.session_id, /^cs_test_/);
    assert.equal(res.body.checkout_url, `https://checkout.stripe.test/c/pay/${res.body.session_id}`);

    const [sent] = fake.requestsTo('POST', '/v1/checkout/sessions');
    assert.equal(sent.body.mode, 'subscription');
    assert.deepEqual(sent.body.line_items, [{ price: plans.pro.stripe_price_monthly, quantity: '1' }]);
    assert.deepEqual(sent.body.metadata, { plan_id: 'pro', billing_cycle: 'monthly', tenant_id: owner.tenantId });
    assert.deepEqual(sent.body.subscription_data, { metadata: { plan_id: 'pro', billing_cycle: 'monthly', tenant_id: owner.tenantId } });
    assert.equal(sent.body.client_reference_id, owner.tenantId);
    assert.equal(sent.body.success_url, `${PUBLIC_URL}/admin/billing/billing?checkout=success`);
    assert.equal(sent.body.cancel_url, `${PUBLIC_URL}/admin/billing/billing?checkout=canceled`);
    assert.equal(sent.body.customer, undefined, 'no customer yet');
    assert.equal(fake.checkoutSessions.get(res.body.session_id)?.status, 'open');

    // Nothing changes until Stripe says the customer paid.
    const row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual({ plan: row.plan_id, provider: row.provider }, { plan: 'free', provider: 'manual' });
  });

  it('the yearly cycle sends the yearly price', async () => {
    const owner = await registerOwner(t);
    const res = await checkout(owner, { plan_id: 'business', billing_cycle: 'yearly' });
    assert.equal(res.status, 200, res.text);
    const [sent] = fake.requestsTo('POST', '/v1/checkout/sessions');
    assert.equal((sent.body.line_items as any)[0].price, plans.business.stripe_price_yearly);
    assert.equal((sent.body.metadata as any).billing_cycle, 'yearly');
  });

  it('a plan not synced yet is 409 plan_not_synced; an unknown plan 404; a bad cycle 422; nothing reaches Stripe', async () => {
    const created = await t.api('POST', '/admin/plans', {
      headers: admin.headers,
      body: { id: 'team', display_name: 'Team', price_monthly: 5000, price_yearly: 50000, limits: { max_sessions: 5 } },
    });
    assert.equal(created.status, 201, created.text);
    const owner = await registerOwner(t);
    const notSynced = assertError(await checkout(owner, { plan_id: 'team', billing_cycle: 'monthly' }), 409, 'plan_not_synced');
    assert.match(notSynced.detail, /sync/);
    assertError(await checkout(owner, { plan_id: 'nope', billing_cycle: 'monthly' }), 404, 'plan_not_found');
    const bad = await checkout(owner, { plan_id: 'pro', billing_cycle: 'weekly' });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.body.code, 'validation_error');
    assert.equal((await checkout(owner, { plan_id: 'pro' })).status, 422);
    assert.equal(fake.requests.length, 0);
  });

  it('a plan that costs nothing is not sold: 409 plan_not_purchasable', async () => {
    const owner = await registerOwner(t);
    assertError(await checkout(owner, { plan_id: 'free', billing_cycle: 'monthly' }), 409, 'plan_not_purchasable');
    assert.equal(fake.requests.length, 0);
  });

  it('a member cannot start a checkout (403), an admin of the tenant can; no credentials is 401', async () => {
    const owner = await registerOwner(t);
    const member = await addUser(t, owner.tenantId, 'member');
    assertError(await checkout(member, { plan_id: 'pro', billing_cycle: 'monthly' }), 403);
    assertError(await checkout(null, { plan_id: 'pro', billing_cycle: 'monthly' }), 401);
    assert.equal(fake.requests.length, 0);
    const tenantAdmin = await addUser(t, owner.tenantId, 'admin');
    assert.equal((await checkout(tenantAdmin, { plan_id: 'pro', billing_cycle: 'monthly' })).status, 200);
  });

  it('a plan edited (or its price archived or deleted at Stripe) since the last sync is 409 plan_not_synced until synced again', async () => {
    const owner = await registerOwner(t);
    const patched = await t.api('PATCH', '/admin/plans/business', { headers: admin.headers, body: { price_monthly: 12990 } });
    assert.equal(patched.status, 200, patched.text);
    const stale = assertError(await checkout(owner, { plan_id: 'business', billing_cycle: 'monthly' }), 409, 'plan_not_synced');
    assert.match(stale.detail, /sync/);
    assert.equal(fake.requestsTo('POST', '/v1/checkout/sessions').length, 0, 'no session at the old price');

    const resynced = await t.api('POST', '/admin/plans/business/stripe-sync', { headers: admin.headers });
    assert.equal(resynced.status, 200, resynced.text);
    plans.business = resynced.body;
    const res = await checkout(owner, { plan_id: 'business', billing_cycle: 'monthly' });
    assert.equal(res.status, 200, res.text);
    const [sent] = fake.requestsTo('POST', '/v1/checkout/sessions');
    assert.equal((sent.body.line_items as any)[0].price, resynced.body.stripe_price_monthly);
    assert.equal(fake.prices.get(resynced.body.stripe_price_monthly)!.unit_amount, 12990);

    const yearly = fake.prices.get(plans.business.stripe_price_yearly)!;
    yearly.active = false;
    assertError(await checkout(owner, { plan_id: 'business', billing_cycle: 'yearly' }), 409, 'plan_not_synced');
    fake.prices.delete(yearly.id);
    assertError(await checkout(owner, { plan_id: 'business', billing_cycle: 'yearly' }), 409, 'plan_not_synced');
    fake.prices.set(yearly.id, { ...yearly, active: true });
  });

  it('Stripe refusing the session is a 502 payment_provider_error, not a 500', async () => {
    const owner = await registerOwner(t);
    fake.failNext(400, 'Not a valid URL', { code: 'url_invalid', method: 'POST', path: '/v1/checkout/sessions' });
    assertError(await checkout(owner, { plan_id: 'pro', billing_cycle: 'yearly' }), 502, 'payment_provider_error');
    assert.deepEqual(
      fake.requestsTo('POST', '/v1/checkout/sessions').map((r) => r.status),
      [400],
      'a 400 is not retried',
    );
  });

  it('signup-checkout needs no account and sends customer_email (no tenant in the metadata)', async () => {
    const res = await t.api('POST', '/billing/signup-checkout', { body: { email: 'newcomer@example.test', plan_id: 'pro', billing_cycle: 'yearly' } });
    assert.equal(res.status, 200, res.text);
    assert.match(res.body.session_id, /^cs_test_/);
    assert.match(res.body.checkout_url, /^https:\/\/checkout\.stripe\.test\//);
    const [sent] = fake.requestsTo('POST', '/v1/checkout/sessions');
    assert.equal(sent.body.customer_email, 'newcomer@example.test');
    assert.equal(sent.body.customer, undefined);
    assert.equal(sent.body.client_reference_id, undefined);
    assert.equal((sent.body.line_items as any)[0].price, plans.pro.stripe_price_yearly);
    assert.deepEqual(sent.body.metadata, { plan_id: 'pro', billing_cycle: 'yearly', signup_email: 'newcomer@example.test' });

    const bad = await t.api('POST', '/billing/signup-checkout', { body: { email: 'not-an-email', plan_id: 'pro', billing_cycle: 'yearly' } });
    assert.equal(bad.status, 422, bad.text);
  });

  it('a tenant that already pays through Stripe cannot start a second subscription (409 already_subscribed)', async () => {
    const owner = await registerOwner(t);
    await subscribeThroughCheckout(t, fake, owner, 'pro');
    fake.requests.length = 0;
    assertError(await checkout(owner, { plan_id: 'business', billing_cycle: 'monthly' }), 409, 'already_subscribed');
    assert.equal(fake.requests.length, 0);
    // Nor can an admin move it by hand while Stripe bills it.
    assertError(
      await t.api('PUT', `/admin/tenants/${owner.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'business' } }),
      409,
      'managed_by_stripe',
    );
    assert.equal((await subscriptionRow(t, owner.tenantId)).plan_id, 'pro');
  });
});

describe('billing: Stripe portal and cancel', () => {
  let fake: FakeStripe;
  let t: BillingApp;
  let admin: Actor;

  before(async () => {
    fake = await FakeStripe.start();
    t = await startBillingApp(fake);
    admin = await loginAdmin(t);
    await syncAll(t, admin);
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('portal: 409 no_stripe_customer before any checkout; after one, a portal URL for the stored customer', async () => {
    const owner = await registerOwner(t);
    const before = assertError(await t.api('POST', '/billing/portal', { headers: owner.headers }), 409, 'no_stripe_customer');
    assert.match(before.detail, /checkout/);
    assert.equal(fake.requests.length, 0);

    const { customer } = await subscribeThroughCheckout(t, fake, owner);
    const res = await t.api('POST', '/billing/portal', { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['url']);
    assert.match(res.body.url, /^https:\/\/billing\.stripe\.test\/p\/session\/bps_/);
    const [sent] = fake.requestsTo('POST', '/v1/billing_portal/sessions');
    assert.equal(sent.body.customer, customer.id);
    assert.equal(sent.body.return_url, `${PUBLIC_URL}/admin`);

    const member = await addUser(t, owner.tenantId, 'member');
    assertError(await t.api('POST', '/billing/portal', { headers: member.headers }), 403);
  });

  it('cancel with a Stripe subscription: Stripe is told cancel_at_period_end=true, the reply and the row say so, an event is written', async () => {
    const owner = await registerOwner(t);
    const { subscription } = await subscribeThroughCheckout(t, fake, owner);
    const eventsBefore = (await changedEvents(t, owner.tenantId)).length;

    const res = await t.api('POST', '/billing/cancel', { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.cancel_at_period_end, true);
    assert.equal(res.body.plan_id, 'pro', 'still on pro until the period ends');
    assert.equal(res.body.status, 'active');

    const sent = fake.requestsTo('POST', `/v1/subscriptions/${subscription.id}`);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0].body, { cancel_at_period_end: 'true' });
    assert.equal(fake.subscriptions.get(subscription.id)!.cancel_at_period_end, true);
    assert.equal((await subscriptionRow(t, owner.tenantId)).cancel_at_period_end, true);
    const events = await changedEvents(t, owner.tenantId);
    assert.equal(events.length, eventsBefore + 1);
    assert.equal(events.at(-1)!.payload.cancel_at_period_end, true);

    // Again: already canceled, and Stripe is not called twice.
    assertError(await t.api('POST', '/billing/cancel', { headers: owner.headers }), 409, 'already_canceled');
    assert.equal(fake.requestsTo('POST', `/v1/subscriptions/${subscription.id}`).length, 1);
  });

  it('cancel when Stripe fails: 502, and the tenant is not marked canceled', async () => {
    const owner = await registerOwner(t);
    await subscribeThroughCheckout(t, fake, owner);
    fake.failNext(402, 'Your card was declined.', { type: 'card_error', method: 'POST', path: /^\/v1\/subscriptions\// });
    assertError(await t.api('POST', '/billing/cancel', { headers: owner.headers }), 502, 'payment_provider_error');
    assert.equal((await subscriptionRow(t, owner.tenantId)).cancel_at_period_end, false);
  });

  it('cancel on the manual provider: 409 nothing_to_cancel on the free plan; a manual paid plan is canceled at period end without Stripe', async () => {
    const owner = await registerOwner(t);
    assertError(await t.api('POST', '/billing/cancel', { headers: owner.headers }), 409, 'nothing_to_cancel');

    const assigned = await t.api('PUT', `/admin/tenants/${owner.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'pro' } });
    assert.equal(assigned.status, 200, assigned.text);
    assert.equal(assigned.body.plan_id, 'pro');
    assert.equal(assigned.body.provider, 'manual');

    const res = await t.api('POST', '/billing/cancel', { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.cancel_at_period_end, true);
    assert.equal(res.body.plan_id, 'pro');
    assert.equal(fake.requestsTo('POST', /^\/v1\/subscriptions\//).length, 0, 'no Stripe call for a manual plan');
    const row = await subscriptionRow(t, owner.tenantId);
    assert.deepEqual({ plan: row.plan_id, provider: row.provider, cancel: row.cancel_at_period_end }, { plan: 'pro', provider: 'manual', cancel: true });
    assertError(await t.api('POST', '/billing/cancel', { headers: owner.headers }), 409, 'already_canceled');
  });

  it('a member cannot cancel (403) and the subscription is untouched', async () => {
    const owner = await registerOwner(t);
    await subscribeThroughCheckout(t, fake, owner);
    const member = await addUser(t, owner.tenantId, 'member');
    assertError(await t.api('POST', '/billing/cancel', { headers: member.headers }), 403);
    assert.equal((await subscriptionRow(t, owner.tenantId)).cancel_at_period_end, false);
    assert.equal(await count(t.db('billing_subscriptions').where({ tenant_id: owner.tenantId, cancel_at_period_end: true })), 0);
  });
});
