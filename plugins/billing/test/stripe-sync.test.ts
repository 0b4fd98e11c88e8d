// Plans → Stripe products and prices, through the official SDK against the local fake.
import assert from 'node:assert/strict';
import { FakeStripe } from '../../../test/helpers/fake-stripe.js';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, loginAdmin, planRow, startBillingApp, type BillingApp } from './stripe-helpers.js';

describe('billing: plan sync to Stripe', () => {
  let fake: FakeStripe;
  let t: BillingApp;
  let admin: Actor;

  before(async () => {
    fake = await FakeStripe.start();
  });
  after(() => fake?.close());
  beforeEach(async () => {
    fake.reset();
    t = await startBillingApp(fake);
    admin = await loginAdmin(t);
  });
  afterEach(() => t?.close());

  const sync = (id: string) => t.api('POST', `/admin/plans/${id}/stripe-sync`, { headers: admin.headers });

  it('creates a product and monthly/yearly prices for a plan and stores their ids on billing_plans', async () => {
    const res = await sync('pro');
    assert.equal(res.status, 200, res.text);
    assert.match(res.body.stripe_product_id, /^prod_/);
    assert.match(res.body.stripe_price_monthly, /^price_/);
    assert.match(res.body.stripe_price_yearly, /^price_/);

    // What was sent, as Stripe received it (form-encoded, nested keys).
    const [product] = fake.requestsTo('POST', '/v1/products');
    assert.equal(product.body.name, 'Pro');
    assert.deepEqual(product.body.metadata, { plinth_plan: 'pro' });
    assert.match(String(product.headers.authorization), /^Bearer sk_test_/);
    const prices = fake.requestsTo('POST', '/v1/prices');
    assert.deepEqual(
      prices.map((p) => ({
        product: p.body.product,
        unit_amount: p.body.unit_amount,
        currency: p.body.currency,
        recurring: p.body.recurring,
        metadata: p.body.metadata,
      })),
      [
        { product: res.body.stripe_product_id, unit_amount: '2990', currency: 'usd', recurring: { interval: 'month' }, metadata: { plinth_plan: 'pro' } },
        { product: res.body.stripe_product_id, unit_amount: '23990', currency: 'usd', recurring: { interval: 'year' }, metadata: { plinth_plan: 'pro' } },
      ],
    );

    // What Stripe now holds, and what Plinth stored.
    assert.equal(fake.prices.get(res.body.stripe_price_monthly)?.unit_amount, 2990);
    assert.equal(fake.prices.get(res.body.stripe_price_yearly)?.recurring.interval, 'year');
    const row = await planRow(t, 'pro');
    assert.deepEqual(
      { product: row.stripe_product_id, monthly: row.stripe_price_monthly, yearly: row.stripe_price_yearly },
      { product: res.body.stripe_product_id, monthly: res.body.stripe_price_monthly, yearly: res.body.stripe_price_yearly },
    );

    // The plan is now on offer.
    const plans = await t.api('GET', '/billing/plans');
    assert.equal(plans.body.find((p: { id: string }) => p.id === 'pro').purchasable, true);
    assert.equal(plans.body.find((p: { id: string }) => p.id === 'business').purchasable, false);
  });

  it('syncing again with unchanged prices creates nothing new (the product is updated, the prices kept)', async () => {
    const first = (await sync('pro')).body;
    const before = { products: fake.products.size, prices: fake.prices.size };
    const again = await sync('pro');
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(
      [again.body.stripe_product_id, again.body.stripe_price_monthly, again.body.stripe_price_yearly],
      [first.stripe_product_id, first.stripe_price_monthly, first.stripe_price_yearly],
    );
    assert.deepEqual({ products: fake.products.size, prices: fake.prices.size }, before);
    assert.equal(fake.requestsTo('POST', '/v1/products').length, 1, 'one product created');
    assert.equal(fake.requestsTo('POST', '/v1/prices').length, 2, 'two prices created, none since');
    assert.equal(fake.requestsTo('POST', `/v1/products/${first.stripe_product_id}`).length, 1, 'the product was updated in place');
    assert.equal(fake.requestsTo('POST', /^\/v1\/prices\/price_/).length, 0, 'no price archived');
    assert.ok([...fake.prices.values()].every((p) => p.active));
  });

  it('after PATCH /admin/plans/pro with a new price_monthly, sync creates a new monthly price and archives the old one', async () => {
    const first = (await sync('pro')).body;
    const patch = await t.api('PATCH', '/admin/plans/pro', { headers: admin.headers, body: { price_monthly: 3490, display_name: 'Pro 2' } });
    assert.equal(patch.status, 200, patch.text);

    const res = await sync('pro');
    assert.equal(res.status, 200, res.text);
    assert.notEqual(res.body.stripe_price_monthly, first.stripe_price_monthly);
    assert.equal(res.body.stripe_price_yearly, first.stripe_price_yearly, 'the yearly price did not change');
    assert.equal(res.body.stripe_product_id, first.stripe_product_id);

    const fresh = fake.prices.get(res.body.stripe_price_monthly)!;
    assert.deepEqual(
      { amount: fresh.unit_amount, active: fresh.active, interval: fresh.recurring.interval, product: fresh.product },
      { amount: 3490, active: true, interval: 'month', product: first.stripe_product_id },
    );
    assert.equal(fake.prices.get(first.stripe_price_monthly)!.active, false, 'the old monthly price is archived');
    const [archive] = fake.requestsTo('POST', `/v1/prices/${first.stripe_price_monthly}`);
    assert.equal(archive.body.active, 'false');
    assert.equal(fake.products.get(first.stripe_product_id)!.name, 'Pro 2', 'the product took the new name');
    assert.equal((await planRow(t, 'pro')).stripe_price_monthly, res.body.stripe_price_monthly);
  });

  it('a plan whose price becomes 0 loses its Stripe price (archived, id cleared)', async () => {
    const first = (await sync('business')).body;
    await t.api('PATCH', '/admin/plans/business', { headers: admin.headers, body: { price_yearly: 0 } });
    const res = await sync('business');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.stripe_price_yearly, null);
    assert.equal(res.body.stripe_price_monthly, first.stripe_price_monthly);
    assert.equal(fake.prices.get(first.stripe_price_yearly)!.active, false);
    assert.equal((await planRow(t, 'business')).stripe_price_yearly, null);
  });

  it('a price or product deleted at Stripe is made anew instead of failing', async () => {
    const first = (await sync('pro')).body;
    fake.prices.delete(first.stripe_price_monthly);
    fake.products.delete(first.stripe_product_id);
    const res = await sync('pro');
    assert.equal(res.status, 200, res.text);
    assert.notEqual(res.body.stripe_product_id, first.stripe_product_id);
    assert.ok(fake.products.has(res.body.stripe_product_id));
    // Both prices now hang off the new product.
    assert.equal(fake.prices.get(res.body.stripe_price_monthly)!.product, res.body.stripe_product_id);
    assert.equal(fake.prices.get(res.body.stripe_price_yearly)!.product, res.body.stripe_product_id);
    assert.equal(fake.prices.get(first.stripe_price_yearly)!.active, false, "the old product's yearly price is archived");
  });

  it('stripe-sync-all syncs every plan; a plan with price 0 gets a product but no price', async () => {
    const res = await t.api('POST', '/admin/plans/stripe-sync-all', { headers: admin.headers });
    assert.equal(res.status, 200, res.text);
    const synced = Object.fromEntries(res.body.synced.map((p: Record<string, any>) => [p.id, p]));
    assert.deepEqual(Object.keys(synced).sort(), ['business', 'free', 'pro']);
    for (const id of ['pro', 'business']) {
      assert.match(synced[id].stripe_price_monthly, /^price_/);
      assert.match(synced[id].stripe_price_yearly, /^price_/);
    }
    assert.match(synced.free.stripe_product_id, /^prod_/);
    assert.equal(synced.free.stripe_price_monthly, null);
    assert.equal(synced.free.stripe_price_yearly, null);
    assert.equal(fake.products.size, 3);
    assert.equal(fake.prices.size, 4);
    const free = await planRow(t, 'free');
    assert.equal(free.stripe_price_monthly, null);
    assert.ok(fake.requestsTo('POST', '/v1/prices').every((r) => r.body.metadata && (r.body.metadata as Record<string, string>).plinth_plan !== 'free'));

    // Again: nothing new.
    const again = await t.api('POST', '/admin/plans/stripe-sync-all', { headers: admin.headers });
    assert.equal(again.status, 200, again.text);
    assert.equal(fake.products.size, 3);
    assert.equal(fake.prices.size, 4);
  });

  it('only superadmins sync: 403 for a tenant owner, 401 without credentials, 404 for an unknown plan', async () => {
    const owner = await registerOwner(t);
    assertError(await t.api('POST', '/admin/plans/pro/stripe-sync', { headers: owner.headers }), 403);
    assertError(await t.api('POST', '/admin/plans/stripe-sync-all', { headers: owner.headers }), 403);
    assertError(await t.api('POST', '/admin/plans/pro/stripe-sync'), 401);
    assertError(await sync('nope'), 404, 'plan_not_found');
    assert.equal(fake.requests.length, 0, 'nothing reached Stripe');
    assert.equal((await planRow(t, 'pro')).stripe_product_id, null);
  });

  it('Stripe refusing is a 502 payment_provider_error; a 500 is retried by the SDK with the same idempotency key', async () => {
    fake.failNext(400, 'Invalid currency: xyz', { code: 'parameter_invalid' });
    // The envelope keeps 5xx details to the log; the code says whose fault it was.
    assertError(await sync('pro'), 502, 'payment_provider_error');
    assert.equal(fake.requests.length, 1, 'a 400 is not retried');
    assert.equal((await planRow(t, 'pro')).stripe_product_id, null);

    fake.reset();
    fake.failNext(500);
    const retried = await sync('pro');
    assert.equal(retried.status, 200, retried.text);
    const creates = fake.requestsTo('POST', '/v1/products');
    assert.equal(creates.length, 2, 'the first attempt failed, the retry succeeded');
    assert.equal(creates[0].headers['idempotency-key'], creates[1].headers['idempotency-key'], 'the retry reused the idempotency key');
    assert.equal(fake.products.size, 1);
  });
});

describe('billing: a wrong Stripe key', () => {
  let fake: FakeStripe;
  let t: BillingApp;

  before(async () => {
    fake = await FakeStripe.start();
    t = await startBillingApp(null, { stripe: { ...fake.settings, secretKey: 'sk_test_revoked_key_000000' } });
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });

  it('is a 502 payment_provider_error (the fake answered 401), and nothing is stored', async () => {
    const admin = await loginAdmin(t);
    assertError(await t.api('POST', '/admin/plans/pro/stripe-sync', { headers: admin.headers }), 502, 'payment_provider_error');
    assert.deepEqual(
      fake.requests.map((r) => r.status),
      [401],
    );
    assert.equal(fake.requests[0].headers.authorization, 'Bearer sk_test_revoked_key_000000');
    assert.equal((await planRow(t, 'pro')).stripe_product_id, null);
  });
});
