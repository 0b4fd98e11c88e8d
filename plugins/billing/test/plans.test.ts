import assert from 'node:assert/strict';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, assertValidation, count, loginAdmin, startBillingApp, type BillingApp } from './metering-helpers.js';

const newPlan = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  display_name: `Plan ${id}`,
  price_monthly: 1990,
  price_yearly: 19900,
  currency: 'eur',
  limits: { max_sessions: 2, max_messages_per_month: 1000, max_api_keys: 7 },
  ...extra,
});

describe('billing: plans', () => {
  let t: BillingApp;
  let admin: Actor;
  let owner: Actor;

  before(async () => {
    t = await startBillingApp();
    admin = await loginAdmin(t);
    owner = await registerOwner(t);
  });
  after(() => t?.close());

  describe('GET /billing/plans', () => {
    it('lists the public plans in order, with prices in minor units, without credentials', async () => {
      const res = await t.api('GET', '/billing/plans');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        res.body.map((p: { id: string }) => p.id),
        ['free', 'pro', 'business'],
      );
      const pro = res.body.find((p: { id: string }) => p.id === 'pro');
      assert.deepEqual(
        { ...pro, limits: undefined },
        {
          id: 'pro',
          display_name: 'Pro',
          description: '',
          price_monthly: 2990,
          price_yearly: 23990,
          currency: 'usd',
          limits: undefined,
          features: null,
          purchasable: false,
          purchasable_cycles: [],
        },
      );
      assert.equal(pro.limits.max_messages_per_month, 5000);
      assert.equal(pro.limits.ai_replies_per_month, 500);
      assert.equal(res.body.find((p: { id: string }) => p.id === 'business').limits.max_messages_per_month, null, 'null = unlimited');
    });

    it('leaves hidden plans out (the superadmin list has them)', async () => {
      const created = await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('secret-deal', { is_public: false }) });
      assert.equal(created.status, 201, created.text);
      const pub = await t.api('GET', '/billing/plans');
      assert.ok(!pub.body.some((p: { id: string }) => p.id === 'secret-deal'));
      const all = await t.api('GET', '/admin/plans', { headers: admin.headers });
      assert.equal(all.status, 200, all.text);
      const hidden = all.body.find((p: { id: string }) => p.id === 'secret-deal');
      assert.ok(hidden, 'the admin list holds the hidden plan');
      assert.equal(hidden.is_public, false);
    });
  });

  describe('/admin/plans', () => {
    it('POST 201 creates a plan (defaults filled in) and audits it; GET lists it', async () => {
      const res = await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('team') });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.id, 'team');
      assert.equal(res.body.display_name, 'Plan team');
      assert.equal(res.body.price_monthly, 1990);
      assert.equal(res.body.currency, 'eur');
      assert.equal(res.body.is_public, true);
      assert.equal(res.body.description, '');
      assert.deepEqual(res.body.limits, { max_sessions: 2, max_messages_per_month: 1000, max_api_keys: 7 });
      const row = await t.db('billing_plans').where('id', 'team').first();
      assert.deepEqual(JSON.parse(row.limits), res.body.limits);
      assert.equal(await count(t.db('auth_audit_logs').where({ action: 'admin.plan.created', target_id: 'team' })), 1);
      const list = await t.api('GET', '/admin/plans', { headers: admin.headers });
      assert.ok(list.body.some((p: { id: string }) => p.id === 'team'));
    });

    it('POST a duplicate id → 409 plan_exists', async () => {
      const res = await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('pro') });
      assertError(res, 409, 'plan_exists');
      assert.match(res.body.detail, /pro/);
      assert.equal((await t.db('billing_plans').where('id', 'pro').first()).display_name, 'Pro', 'the existing plan is untouched');
    });

    it('POST with a bad id, a negative limit, a fractional limit, an unknown field or no limits → 422, nothing written', async () => {
      const before = await count(t.db('billing_plans'));
      assert.deepEqual(assertValidation(await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('Bad Id!') })), ['body.id']);
      assert.ok(
        assertValidation(await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('neg', { limits: { max_sessions: -1 } }) })).some((l) =>
          l.startsWith('body.limits'),
        ),
      );
      assert.ok(
        assertValidation(await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('frac', { limits: { max_sessions: 1.5 } }) })).some((l) =>
          l.startsWith('body.limits'),
        ),
      );
      assert.ok(assertValidation(await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('extra', { colour: 'blue' }) })).length > 0);
      assert.ok(
        assertValidation(await t.api('POST', '/admin/plans', { headers: admin.headers, body: { id: 'nolimits', display_name: 'No limits' } })).length > 0,
      );
      assert.ok(
        assertValidation(await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('badmetric', { limits: { 'Max Sessions': 1 } }) }))
          .length > 0,
      );
      assert.equal(await count(t.db('billing_plans')), before);
    });

    it('PATCH is partial: the fields sent change, the others stay; limits are replaced as a whole', async () => {
      await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('patchme', { description: 'for patching', sort_order: 7 }) });
      const res = await t.api('PATCH', '/admin/plans/patchme', { headers: admin.headers, body: { display_name: 'Patched', limits: { max_sessions: 9 } } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.display_name, 'Patched');
      assert.deepEqual(res.body.limits, { max_sessions: 9 }, 'limits replaced, not merged');
      // Untouched fields keep their values (no schema defaults sneak in).
      assert.equal(res.body.price_monthly, 1990);
      assert.equal(res.body.price_yearly, 19900);
      assert.equal(res.body.currency, 'eur');
      assert.equal(res.body.description, 'for patching');
      assert.equal(res.body.sort_order, 7);
      assert.equal(res.body.is_public, true);

      const hide = await t.api('PATCH', '/admin/plans/patchme', { headers: admin.headers, body: { is_public: false } });
      assert.equal(hide.status, 200, hide.text);
      assert.equal(hide.body.is_public, false);
      assert.equal(hide.body.display_name, 'Patched');
      assert.deepEqual(hide.body.limits, { max_sessions: 9 });
      assert.equal(await count(t.db('auth_audit_logs').where({ action: 'admin.plan.updated', target_id: 'patchme' })), 2);
    });

    it('PATCH errors: unknown plan → 404, empty body / id / negative limit → 422', async () => {
      assertError(await t.api('PATCH', '/admin/plans/nope', { headers: admin.headers, body: { display_name: 'x' } }), 404, 'plan_not_found');
      assertValidation(await t.api('PATCH', '/admin/plans/pro', { headers: admin.headers, body: {} }));
      assertValidation(await t.api('PATCH', '/admin/plans/pro', { headers: admin.headers, body: { id: 'other' } }));
      assertValidation(await t.api('PATCH', '/admin/plans/pro', { headers: admin.headers, body: { limits: { max_sessions: -3 } } }));
      assertValidation(await t.api('PATCH', '/admin/plans/Not%20An%20Id', { headers: admin.headers, body: { display_name: 'x' } }));
    });

    it('a PATCHed limit applies to tenants on the plan at once', async () => {
      const o = await registerOwner(t);
      await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('live', { limits: { max_api_keys: 3 } }) });
      assert.equal((await t.api('PUT', `/admin/tenants/${o.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'live' } })).status, 200);
      assert.equal((await t.api('GET', '/billing/subscription', { headers: o.headers })).body.limits.max_api_keys, 3);
      await t.api('PATCH', '/admin/plans/live', { headers: admin.headers, body: { limits: { max_api_keys: 11 } } });
      const after = await t.api('GET', '/billing/subscription', { headers: o.headers });
      assert.equal(after.body.limits.max_api_keys, 11);
    });

    it('DELETE 204 removes an unused plan and audits it; unknown → 404', async () => {
      await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('doomed') });
      const res = await t.api('DELETE', '/admin/plans/doomed', { headers: admin.headers });
      assert.equal(res.status, 204, res.text);
      assert.equal(await t.db('billing_plans').where('id', 'doomed').first(), undefined);
      assert.equal(await count(t.db('auth_audit_logs').where({ action: 'admin.plan.deleted', target_id: 'doomed' })), 1);
      assertError(await t.api('DELETE', '/admin/plans/doomed', { headers: admin.headers }), 404, 'plan_not_found');
    });

    it('DELETE while tenants are on the plan → 409 naming how many; the default plan → 409', async () => {
      await t.api('POST', '/admin/plans', { headers: admin.headers, body: newPlan('busy') });
      const a = await registerOwner(t);
      const b = await registerOwner(t);
      for (const o of [a, b])
        assert.equal((await t.api('PUT', `/admin/tenants/${o.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'busy' } })).status, 200);
      const res = assertError(await t.api('DELETE', '/admin/plans/busy', { headers: admin.headers }), 409, 'plan_in_use');
      assert.match(res.detail, /\b2 tenant/);
      assert.ok(await t.db('billing_plans').where('id', 'busy').first(), 'still there');

      const free = assertError(await t.api('DELETE', '/admin/plans/free', { headers: admin.headers }), 409, 'plan_in_use');
      assert.match(free.detail, /default plan/);

      // Once nobody is on it, it can go.
      for (const o of [a, b]) await t.api('PUT', `/admin/tenants/${o.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'pro' } });
      assert.equal((await t.api('DELETE', '/admin/plans/busy', { headers: admin.headers })).status, 204);
    });

    it('every /admin/plans call is 403 for a tenant owner and 401 without credentials', async () => {
      const calls: Array<[string, string, unknown?]> = [
        ['GET', '/admin/plans'],
        ['POST', '/admin/plans', newPlan('sneaky')],
        ['PATCH', '/admin/plans/free', { display_name: 'Mine' }],
        ['DELETE', '/admin/plans/pro'],
      ];
      for (const [method, path, body] of calls) {
        assertError(await t.api(method, path, { headers: owner.headers, body }), 403);
        assertError(await t.api(method, path, { body }), 401);
      }
      assert.equal(await t.db('billing_plans').where('id', 'sneaky').first(), undefined);
      assert.equal((await t.db('billing_plans').where('id', 'free').first()).display_name, 'Free');
      assert.ok(await t.db('billing_plans').where('id', 'pro').first());
    });
  });
});
