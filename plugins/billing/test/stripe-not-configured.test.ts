// Without a Stripe key, the payment endpoints say so (409 payments_not_configured) instead of
// failing somewhere inside the SDK, and nothing is written.
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { FakeStripe } from '../../../test/helpers/fake-stripe.js';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, count, loginAdmin, startBillingApp, type BillingApp } from './stripe-helpers.js';

describe('billing: Stripe not configured', () => {
  let t: BillingApp;
  let owner: Actor;
  let admin: Actor;

  before(async () => {
    t = await startBillingApp(null);
    owner = await registerOwner(t);
    admin = await loginAdmin(t);
  });
  after(() => t?.close());

  const assertNotConfigured = (res: Awaited<ReturnType<BillingApp['api']>>) => {
    const body = assertError(res, 409, 'payments_not_configured');
    assert.match(body.detail, /not configured/i);
    assert.match(body.detail, /Stripe/);
  };

  it('POST /billing/checkout answers 409 payments_not_configured', async () => {
    assertNotConfigured(await t.api('POST', '/billing/checkout', { headers: owner.headers, body: { plan_id: 'pro', billing_cycle: 'monthly' } }));
  });

  it('POST /billing/portal answers 409 payments_not_configured', async () => {
    assertNotConfigured(await t.api('POST', '/billing/portal', { headers: owner.headers }));
  });

  it('POST /billing/signup-checkout answers 409 payments_not_configured', async () => {
    assertNotConfigured(await t.api('POST', '/billing/signup-checkout', { body: { email: 'new@example.test', plan_id: 'pro', billing_cycle: 'yearly' } }));
  });

  it('POST /admin/plans/:id/stripe-sync and /admin/plans/stripe-sync-all answer 409 and store no Stripe ids', async () => {
    assertNotConfigured(await t.api('POST', '/admin/plans/pro/stripe-sync', { headers: admin.headers }));
    assertNotConfigured(await t.api('POST', '/admin/plans/stripe-sync-all', { headers: admin.headers }));
    assert.equal(await count(t.db('billing_plans').whereNotNull('stripe_product_id')), 0);
  });

  it('POST /billing/webhook answers 409 payments_not_configured and stores nothing, even when signed', async () => {
    const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid', created: Math.floor(Date.now() / 1000), data: { object: {} } });
    const signature = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload, secret: 'whsec_anything' });
    const res = await t.request('POST', '/api/v2/billing/webhook', {
      raw: payload,
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    });
    assertNotConfigured(res);
    assert.equal(await count(t.db('billing_stripe_events')), 0);
  });

  it('the manual provider still works: cancel on the free plan is 409 nothing_to_cancel, the plans list shows nothing purchasable', async () => {
    assertError(await t.api('POST', '/billing/cancel', { headers: owner.headers }), 409, 'nothing_to_cancel');
    const plans = await t.api('GET', '/billing/plans');
    assert.equal(plans.status, 200);
    assert.ok(plans.body.length >= 3);
    assert.ok(plans.body.every((p: { purchasable: boolean }) => p.purchasable === false));
  });
});

describe('billing: a Stripe key without a webhook secret', () => {
  let fake: FakeStripe;
  let t: BillingApp;

  before(async () => {
    fake = await FakeStripe.start();
    t = await startBillingApp(null, { stripe: { ...fake.settings, webhookSecret: null } });
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });

  it('webhooks answer 409 payments_not_configured naming the missing secret', async () => {
    const event = fake.event('invoice.paid', { id: 'in_1', object: 'invoice', customer: 'cus_1' });
    const body = assertError(await fake.deliver(t, event), 409, 'payments_not_configured');
    assert.match(body.detail, /webhook/i);
    assert.equal(await count(t.db('billing_stripe_events')), 0);
  });
});
