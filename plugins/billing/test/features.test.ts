// Plans carry features (declared by the plugins' manifests); a tenant's scopes are cut to its plan's.
import assert from 'node:assert/strict';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, createKey, loginAdmin, startBillingApp, type BillingApp } from './metering-helpers.js';

describe('billing: plan features cut a tenant’s scopes', () => {
  let t: BillingApp;
  let admin: Actor;
  let owner: Actor;
  let other: Actor;
  let key: { id: string; raw: string };

  before(async () => {
    t = await startBillingApp({ extraPlugins: ['workflows'] });
    admin = await loginAdmin(t);
    owner = await registerOwner(t, 'starter');
    other = await registerOwner(t, 'free');
    key = await createKey(t, owner, ['workflows:read']); // made while the plan still had workflows
  });
  after(() => t?.close());

  it('GET /admin/features lists what the enabled plugins declare (superadmin only)', async () => {
    const res = await t.api('GET', '/admin/features', { headers: admin.headers });
    assert.equal(res.status, 200, res.text);
    const byName = Object.fromEntries(res.body.map((f: { name: string }) => [f.name, f]));
    assert.deepEqual(byName.workflows, { name: 'workflows', description: byName.workflows.description, plugin: 'workflows', scopes: ['workflows:*'] });
    assert.deepEqual(byName.api_keys.scopes, ['api-keys:manage']);
    assertError(await t.api('GET', '/admin/features', { headers: owner.headers }), 403);
  });

  it('a plan names only declared features: an unknown one is 400 naming it, on create and on update', async () => {
    const created = await t.api('POST', '/admin/plans', {
      headers: admin.headers,
      body: { id: 'bogus', display_name: 'Bogus', limits: {}, features: ['workflows', 'teleport'] },
    });
    assert.equal(created.status, 400, created.text);
    assert.equal(created.body.code, 'validation_error');
    assert.deepEqual(created.body.detail[0].loc, ['body', 'features']);
    assert.match(created.body.detail[0].msg, /unknown feature "teleport"/);
    assert.equal(await t.db('billing_plans').where('id', 'bogus').first(), undefined, 'nothing written');
    const patched = await t.api('PATCH', '/admin/plans/free', { headers: admin.headers, body: { features: ['teleport'] } });
    assert.equal(patched.status, 400, patched.text);
    assert.deepEqual(patched.body.detail[0].loc, ['body', 'features']);
    assert.match(patched.body.detail[0].msg, /unknown feature "teleport"/);
    assert.equal((await t.db('billing_plans').where('id', 'free').first()).features, null, 'free unchanged');
  });

  it('a plan without a feature: its tenants get 403 naming the plan and the feature; users, keys and /auth/me are cut', async () => {
    const plan = await t.api('POST', '/admin/plans', {
      headers: admin.headers,
      body: { id: 'starter', display_name: 'Starter', limits: {}, features: ['api_keys'] },
    });
    assert.equal(plan.status, 201, plan.text);
    assert.deepEqual(plan.body.features, ['api_keys']);
    assert.deepEqual(JSON.parse((await t.db('billing_plans').where('id', 'starter').first()).features), ['api_keys']);
    assert.equal((await t.api('PUT', `/admin/tenants/${owner.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'starter' } })).status, 200);
    assert.equal((await t.db('billing_subscriptions').where('tenant_id', owner.tenantId).first()).plan_id, 'starter');

    const refused = assertError(await t.api('GET', '/workflows', { headers: owner.headers }), 403, 'feature_not_in_plan');
    assert.equal(refused.detail, 'plan "starter" does not include feature "workflows" (needed for workflows:read)');
    const byKey = assertError(await t.request('GET', '/api/v2/workflows', { headers: { 'x-api-key': key.raw } }), 403, 'feature_not_in_plan');
    assert.match(byKey.detail, /plan "starter" does not include feature "workflows"/);

    const me = await t.api('GET', '/auth/me', { headers: owner.headers });
    assert.equal(me.status, 200, me.text);
    assert.ok(!me.body.auth.scopes.some((s: string) => s.startsWith('workflows:')), JSON.stringify(me.body.auth.scopes));
    assert.ok(me.body.auth.scopes.includes('api-keys:manage'));
    const grantable = (await t.api('GET', '/api-keys/scopes', { headers: owner.headers })).body.map((s: { scope: string }) => s.scope);
    assert.ok(!grantable.includes('workflows:manage'), `a new key cannot get it either: ${grantable}`);

    // Another tenant on free (every feature) and the superadmin are not touched.
    assert.equal((await t.api('GET', '/workflows', { headers: other.headers })).status, 200);
    assert.equal((await t.api('GET', '/workflows', { headers: admin.headers })).status, 200);
  });

  it('adding the feature to the plan gives it back at once; features: null means every feature', async () => {
    const patched = await t.api('PATCH', '/admin/plans/starter', { headers: admin.headers, body: { features: ['api_keys', 'workflows'] } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await t.api('GET', '/workflows', { headers: owner.headers })).status, 200);
    assert.equal((await t.request('GET', '/api/v2/workflows', { headers: { 'x-api-key': key.raw } })).status, 200);

    assert.equal((await t.api('PATCH', '/admin/plans/starter', { headers: admin.headers, body: { features: [] } })).status, 200);
    assertError(await t.api('GET', '/workflows', { headers: owner.headers }), 403, 'feature_not_in_plan');
    const none = assertError(
      await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'k', scopes: ['usage:read'] } }),
      403,
      'feature_not_in_plan',
    );
    assert.match(none.detail, /feature "api_keys"/);
    // Work no request carries (a workflow action, a robot's reply) is held back by the feature's metrics: 402, named.
    const usedBefore = (await t.db('billing_usage').where({ tenant_id: owner.tenantId, metric: 'max_api_keys' }).first())?.used;
    await assert.rejects(t.meter.consume(owner.tenantId, 'max_api_keys', 1), (err: { status: number; code: string; message: string }) => {
      assert.equal(err.status, 402);
      assert.equal(err.code, 'feature_not_in_plan');
      assert.equal(err.message, 'plan "starter" does not include feature "api_keys" (needed for max_api_keys)');
      return true;
    });
    assert.equal((await t.db('billing_usage').where({ tenant_id: owner.tenantId, metric: 'max_api_keys' }).first())?.used, usedBefore, 'nothing consumed');

    assert.equal((await t.api('PATCH', '/admin/plans/starter', { headers: admin.headers, body: { features: null } })).status, 200);
    assert.equal((await t.db('billing_plans').where('id', 'starter').first()).features, null);
    assert.equal((await t.api('GET', '/workflows', { headers: owner.headers })).status, 200);
  });
});
