// Seed 000: PATCH /admin/tenants/{id} accepts the fields its GET shows, plan_id included, and moves
// the tenant to that plan through billing's contract (`tenantPlans`, plugins/billing/api.ts).
import assert from 'node:assert/strict';
import { type Actor, login, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, assertValidation, count, eventRows, loginAdmin, startBillingApp, type BillingApp } from './metering-helpers.js';

describe('billing: PATCH /admin/tenants/{id} with plan_id (seed 000)', () => {
  let t: BillingApp;
  let admin: Actor;
  let owner: Actor;

  before(async () => {
    t = await startBillingApp();
    admin = await loginAdmin(t);
    owner = await registerOwner(t, 'patched');
  });
  after(() => t?.close());

  const subscription = (tenantId: string) => t.db('billing_subscriptions').where('tenant_id', tenantId).first();
  const patch = (tenantId: string, body: unknown, headers = admin.headers) => t.api('PATCH', `/admin/tenants/${tenantId}`, { headers, body });

  it('the GET shows the plan; PATCH plan_id moves the tenant to it (subscription row, event, audit, the customer’s view)', async () => {
    const before = await t.api('GET', `/admin/tenants/${owner.tenantId}`, { headers: admin.headers });
    assert.equal(before.status, 200, before.text);
    assert.equal(before.body.plan_id, 'free');

    const res = await patch(owner.tenantId, { plan_id: 'pro' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, owner.tenantId);
    assert.equal(res.body.plan_id, 'pro');
    assert.equal(res.body.name, before.body.name);
    assert.deepEqual(res.body.settings, before.body.settings);

    const after = await t.api('GET', `/admin/tenants/${owner.tenantId}`, { headers: admin.headers });
    assert.equal(after.body.plan_id, 'pro');
    const row = await subscription(owner.tenantId);
    assert.equal(row.plan_id, 'pro');
    assert.equal(row.provider, 'manual');
    const changed = await eventRows(t, 'billing.subscription.changed', { tenant_id: owner.tenantId });
    assert.deepEqual(
      changed.map((e) => [e.payload.previous_plan_id, e.payload.plan_id]),
      [['free', 'pro']],
    );
    const audit = await t.db('auth_audit_logs').where({ action: 'admin.tenant.updated', target_id: owner.tenantId }).first();
    assert.deepEqual(JSON.parse(audit.details), { plan_id: 'pro' });
    // The customer is held to the new plan at once (the limits cache was dropped).
    const view = await t.api('GET', '/billing/subscription', { headers: (await login(t, owner.email)).headers });
    assert.equal(view.body.plan_id, 'pro');
    assert.equal(view.body.limits.max_api_keys, (await t.billing.plans.get('pro')).limits.max_api_keys);
  });

  it('the whole GET body sent back with a new name and plan is accepted; the same plan keeps the period', async () => {
    const current = (await t.api('GET', `/admin/tenants/${owner.tenantId}`, { headers: admin.headers })).body;
    const res = await patch(owner.tenantId, {
      ...current,
      name: 'Patched Ltd',
      plan_id: 'business',
      settings: { ...current.settings, require_approval: true },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.body.name, res.body.plan_id, res.body.settings.require_approval], ['Patched Ltd', 'business', true]);
    assert.equal((await t.db('auth_tenants').where('id', owner.tenantId).first()).name, 'Patched Ltd');
    assert.equal((await subscription(owner.tenantId)).plan_id, 'business');

    const period = (await subscription(owner.tenantId)).current_period_start;
    const events = await count(t.db('core_events').where({ name: 'billing.subscription.changed', tenant_id: owner.tenantId }));
    const again = await patch(owner.tenantId, { plan_id: 'business', name: 'Patched Ltd' });
    assert.equal(again.status, 200, again.text);
    assert.equal((await subscription(owner.tenantId)).current_period_start, period);
    assert.equal(await count(t.db('core_events').where({ name: 'billing.subscription.changed', tenant_id: owner.tenantId })), events, 'no change, no event');
  });

  it('an unknown or malformed plan_id is a 422 naming body.plan_id, and nothing in the request is applied', async () => {
    const before = (await t.api('GET', `/admin/tenants/${owner.tenantId}`, { headers: admin.headers })).body;
    const unknown = await patch(owner.tenantId, { plan_id: 'platinum', name: 'Should not stick' });
    assert.deepEqual(assertValidation(unknown), ['body.plan_id']);
    assert.match(unknown.body.detail[0].msg, /plan "platinum" not found/);
    assert.deepEqual(assertValidation(await patch(owner.tenantId, { plan_id: 'Pro Plan!' })), ['body.plan_id']);
    assert.deepEqual(assertValidation(await patch(owner.tenantId, { plan_id: null })), ['body.plan_id']);
    const after = (await t.api('GET', `/admin/tenants/${owner.tenantId}`, { headers: admin.headers })).body;
    assert.deepEqual([after.name, after.plan_id], [before.name, before.plan_id]);
  });

  it('read-only fields are accepted unchanged and refused (422 naming them) when changed; unknown fields stay refused', async () => {
    const current = (await t.api('GET', `/admin/tenants/${owner.tenantId}`, { headers: admin.headers })).body;
    assert.deepEqual(assertValidation(await patch(owner.tenantId, { ...current, id: '00000000-0000-4000-8000-000000000000', user_count: 99 })).sort(), [
      'body.id',
      'body.user_count',
    ]);
    assert.deepEqual(assertValidation(await patch(owner.tenantId, { is_platform: true })), ['body.is_platform']);
    assert.equal((await subscription(owner.tenantId)).plan_id, current.plan_id);
  });

  it('only superadmins: a customer owner gets 403 for their own tenant and nothing changes', async () => {
    const other = await registerOwner(t, 'customer');
    const res = await patch(other.tenantId, { plan_id: 'business' }, other.headers);
    assertError(res, 403);
    assert.equal((await subscription(other.tenantId))?.plan_id ?? 'free', 'free');
    assertError(await t.api('GET', `/admin/tenants/${other.tenantId}`, { headers: other.headers }), 403);
  });

  it('a tenant paying through Stripe is not moved here (409 managed_by_stripe), and its name is left alone', async () => {
    const paying = await registerOwner(t, 'paying');
    await t.billing.subscriptions.get(paying.tenantId);
    await t
      .db('billing_subscriptions')
      .where('tenant_id', paying.tenantId)
      .update({ provider: 'stripe', stripe_customer_id: 'cus_patch', stripe_subscription_id: 'sub_patch', plan_id: 'pro' });
    await t.billing.meter.invalidate(paying.tenantId);
    const name = (await t.db('auth_tenants').where('id', paying.tenantId).first()).name;
    assertError(await patch(paying.tenantId, { plan_id: 'business', name: 'Renamed' }), 409, 'managed_by_stripe');
    assert.equal((await t.db('auth_tenants').where('id', paying.tenantId).first()).name, name);
    assert.equal((await subscription(paying.tenantId)).plan_id, 'pro');
    // Its current plan sent back with a rename is fine.
    assert.equal((await patch(paying.tenantId, { plan_id: 'pro', name: 'Renamed' })).status, 200);
  });
});
