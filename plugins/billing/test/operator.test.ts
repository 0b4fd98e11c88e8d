// The operator tenant (the first superadmin's) and its internal plan; superadmins are never held to plan limits.
import assert from 'node:assert/strict';
import { MIGRATIONS_TABLE } from 'plinth/plugin';
import { createTestDatabase } from '../../../test/helpers/database.js';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, count, createKey, loginAdmin, startBillingApp, usageRows, type BillingApp } from './metering-helpers.js';

describe('billing: the operator tenant and the operator plan', () => {
  let t: BillingApp;
  let admin: Actor;
  let owner: Actor;

  before(async () => {
    t = await startBillingApp();
    admin = await loginAdmin(t);
    owner = await registerOwner(t, 'customer');
  });
  after(() => t?.close());

  it('exactly one tenant is the operator tenant: the first superadmin’s, marked in the admin list and get', async () => {
    const list = await t.api('GET', '/admin/tenants?page_size=100', { headers: admin.headers });
    assert.equal(list.status, 200, list.text);
    const operators = list.body.items.filter((x: { is_operator: boolean }) => x.is_operator);
    assert.deepEqual(
      operators.map((x: { id: string }) => x.id),
      [admin.tenantId],
    );
    assert.equal((await t.api('GET', `/admin/tenants/${admin.tenantId}`, { headers: admin.headers })).body.is_operator, true);
    assert.equal((await t.api('GET', `/admin/tenants/${owner.tenantId}`, { headers: admin.headers })).body.is_operator, false);
    assert.equal(await count(t.db('auth_tenants').where('is_platform', true)), 1);
  });

  it('the operator tenant is on the internal operator plan (hidden, every limit unlimited); a customer on the default plan', async () => {
    const sub = await t.api('GET', `/admin/tenants/${admin.tenantId}/subscription`, { headers: admin.headers });
    assert.equal(sub.status, 200, sub.text);
    assert.equal(sub.body.plan_id, 'operator');
    assert.ok(
      Object.values(sub.body.limits).every((v) => v === null),
      JSON.stringify(sub.body.limits),
    );
    assert.equal((await t.db('billing_subscriptions').where('tenant_id', admin.tenantId).first()).plan_id, 'operator');
    assert.equal((await t.db('billing_subscriptions').where('tenant_id', owner.tenantId).first()).plan_id, 'free');

    const plan = (await t.api('GET', '/admin/plans', { headers: admin.headers })).body.find((p: { id: string }) => p.id === 'operator');
    assert.equal(plan.is_public, false);
    assert.equal(plan.features, null, 'every feature');
    const offered = (await t.api('GET', '/billing/plans')).body.map((p: { id: string }) => p.id);
    assert.ok(!offered.includes('operator'), `not on offer: ${offered}`);
  });

  it('the operator plan cannot be bought, synced to Stripe or deleted (409 naming it)', async () => {
    const checkout = assertError(
      await t.api('POST', '/billing/checkout', { headers: owner.headers, body: { plan_id: 'operator', billing_cycle: 'monthly' } }),
      409,
      'plan_not_purchasable',
    );
    assert.match(checkout.detail, /plan "operator"/);
    assertError(
      await t.api('POST', '/billing/signup-checkout', { body: { email: 'someone@billing.test', plan_id: 'operator', billing_cycle: 'monthly' } }),
      409,
      'plan_not_purchasable',
    );
    assertError(await t.api('POST', '/admin/plans/operator/stripe-sync', { headers: admin.headers }), 409, 'plan_not_purchasable');
    const del = assertError(await t.api('DELETE', '/admin/plans/operator', { headers: admin.headers }), 409, 'plan_in_use');
    assert.match(del.detail, /"operator" is the operator plan/);
    assert.equal((await t.db('billing_subscriptions').where('tenant_id', owner.tenantId).first()).plan_id, 'free');
    assert.ok(await t.db('billing_plans').where('id', 'operator').first());
  });

  it('a superadmin is never stopped by a plan limit, even on a plan with one; a customer on free is (402)', async () => {
    // The operator may put their own tenant on another plan: limits then apply to everyone else there, never to a superadmin.
    const assigned = await t.api('PUT', `/admin/tenants/${admin.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'free' } });
    assert.equal(assigned.status, 200, assigned.text);
    assert.equal(assigned.body.limits.max_api_keys, 5);
    for (let i = 0; i < 7; i++) await createKey(t, admin, ['usage:read']);
    assert.equal(await count(t.db('auth_api_keys').where({ tenant_id: admin.tenantId, is_active: true })), 7);
    assert.equal((await usageRows(t, admin.tenantId))['max_api_keys/-'], 7, 'counted, so the gauge stays true');

    for (let i = 0; i < 5; i++) await createKey(t, owner, ['usage:read']);
    const refused = assertError(
      await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'sixth', scopes: ['usage:read'] } }),
      402,
      'usage_limit_reached',
    );
    assert.equal(refused.detail, 'plan limit reached for max_api_keys on plan "free": 5 of 5 API keys in use; upgrade the plan or remove some');
    assert.equal(await count(t.db('auth_api_keys').where({ tenant_id: owner.tenantId })), 5);

    // Back on its own plan, as a fresh install has it.
    assert.equal((await t.api('PUT', `/admin/tenants/${admin.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'operator' } })).status, 200);
  });

  it('on the operator plan the superadmin creates far past the free limits without a 402', async () => {
    for (let i = 0; i < 10; i++) await createKey(t, admin, ['usage:read']);
    assert.equal(await count(t.db('auth_api_keys').where({ tenant_id: admin.tenantId, is_active: true })), 17);
  });
});

describe('billing: a plan list of one’s own still gets the operator plan', () => {
  it('settings.billing.plans without "operator" boots with the built-in one; an operatorPlan naming no plan stops the boot', async () => {
    const t = await startBillingApp({ billing: { plans: [{ id: 'solo', display_name: 'Solo', limits: { max_api_keys: 1 } }], defaultPlan: 'solo' } });
    try {
      const admin = await loginAdmin(t);
      assert.deepEqual(
        (await t.db('billing_plans').orderBy('id')).map((p: { id: string }) => p.id),
        ['operator', 'solo'],
      );
      assert.equal((await t.api('GET', `/admin/tenants/${admin.tenantId}/subscription`, { headers: admin.headers })).body.plan_id, 'operator');
    } finally {
      await t.close();
    }
    await assert.rejects(
      startBillingApp({ billing: { operatorPlan: 'nope' } }),
      /settings\.billing\.operatorPlan = "nope": must be the id of one of settings\.billing\.plans/,
    );
  });
});

describe('billing: an existing install gets the operator plan when it upgrades', () => {
  it('the migration adds plan features (existing plans: every feature) and moves the operator tenant from free to operator, once', async () => {
    const database = await createTestDatabase();
    try {
      // An install from before features: the operator tenant on free, no operator plan, no features column.
      const first = await startBillingApp({ database });
      const admin = await loginAdmin(first);
      const customer = await registerOwner(first, 'old-customer');
      await first.db('billing_subscriptions').where('tenant_id', admin.tenantId).update({ plan_id: 'free' });
      await first.db('billing_plans').where('id', 'operator').delete();
      await first.db.schema.alterTable('billing_plans', (t) => t.dropColumn('features'));
      await first.db(MIGRATIONS_TABLE).where('name', 'like', 'billing/20261122170000_plan_features%').delete();
      await first.close();

      const t = await startBillingApp({ database });
      try {
        assert.equal((await t.db('billing_subscriptions').where('tenant_id', admin.tenantId).first()).plan_id, 'operator');
        assert.equal((await t.db('billing_subscriptions').where('tenant_id', customer.tenantId).first()).plan_id, 'free', 'customers stay where they were');
        const plans = await t.db('billing_plans').orderBy('id');
        assert.deepEqual(
          plans.map((p: { id: string }) => p.id),
          ['business', 'free', 'operator', 'pro'],
        );
        assert.ok(
          plans.every((p: { features: unknown }) => p.features === null),
          'every plan keeps every feature',
        );
        assert.equal((await t.db('billing_plans').where('id', 'operator').first()).is_public ? 'public' : 'hidden', 'hidden');
      } finally {
        await t.close();
      }
    } finally {
      await database.drop();
    }
  });
});
