import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import {
  assertError,
  assertValidation,
  count,
  createKey,
  eventRows,
  loginAdmin,
  MISSING_ID,
  setOverrides,
  startBillingApp,
  usageRows,
  type BillingApp,
} from './metering-helpers.js';

describe('billing: subscription, effective limits, overrides, reset', () => {
  const clock = new ManualClock('2026-03-10T12:00:00.000Z');
  let t: BillingApp;
  let admin: Actor;
  let owner: Actor;

  before(async () => {
    t = await startBillingApp({ clock, extraPlugins: ['example'] });
    admin = await loginAdmin(t);
    owner = await registerOwner(t);
  });
  after(() => t?.close());

  describe('GET /billing/subscription', () => {
    it("a new tenant is on the free plan: the seed's shape with limits and usage", async () => {
      const res = await t.api('GET', '/billing/subscription', { headers: owner.headers });
      assert.equal(res.status, 200, res.text);
      const b = res.body;
      assert.equal(b.plan_id, 'free');
      assert.equal(b.display_name, 'Free');
      assert.equal(b.status, 'active');
      assert.equal(b.billing_cycle, 'monthly');
      assert.equal(b.current_period_end, '2026-04-01T00:00:00.000Z');
      assert.ok(!Number.isNaN(Date.parse(b.current_period_end)));
      // The seed's limit keys, then Plinth's own metrics beside them.
      assert.deepEqual(
        {
          max_sessions: b.limits.max_sessions,
          max_messages_per_month: b.limits.max_messages_per_month,
          max_groups: b.limits.max_groups,
          max_labels: b.limits.max_labels,
          ai_replies_per_month: b.limits.ai_replies_per_month,
        },
        { max_sessions: 1, max_messages_per_month: 500, max_groups: 2, max_labels: 10, ai_replies_per_month: 50 },
      );
      assert.equal(b.limits.max_api_keys, 5);
      assert.deepEqual(
        {
          sessions: b.usage.sessions,
          messages_this_month: b.usage.messages_this_month,
          groups: b.usage.groups,
          labels: b.usage.labels,
          ai_replies_this_month: b.usage.ai_replies_this_month,
        },
        { sessions: 0, messages_this_month: 0, groups: 0, labels: 0, ai_replies_this_month: 0 },
      );
      for (const v of Object.values(b.usage)) assert.equal(typeof v, 'number');
      assert.equal(b.usage.api_keys, 0, "auth's gauge under its usageKey");
      const row = await t.db('billing_subscriptions').where('tenant_id', owner.tenantId).first();
      assert.equal(row.plan_id, 'free');
      assert.equal(row.provider, 'manual');
    });

    it('usage counts what the tenant used (an API key shows as api_keys: 1)', async () => {
      const o = await registerOwner(t);
      await createKey(t, o, ['usage:read']);
      const res = await t.api('GET', '/billing/subscription', { headers: o.headers });
      assert.equal(res.body.usage.api_keys, 1);
    });

    it('401 without credentials or with a bad token', async () => {
      assertError(await t.api('GET', '/billing/subscription'), 401);
      assertError(await t.api('GET', '/billing/subscription', { headers: { authorization: 'Bearer not-a-token' } }), 401);
      assertError(await t.api('GET', '/billing/subscription', { headers: { 'x-api-key': 'mf_nope' } }), 401);
    });

    it('an API key with only usage:read → 403 here (needs billing:read), 200 on /usage/current; with billing:read → 200', async () => {
      const usageOnly = await createKey(t, owner, ['usage:read']);
      const res = assertError(await t.api('GET', '/billing/subscription', { headers: { 'x-api-key': usageOnly.raw } }), 403);
      assert.match(res.detail, /billing:read/);
      const current = await t.api('GET', '/usage/current', { headers: { 'x-api-key': usageOnly.raw } });
      assert.equal(current.status, 200, current.text);
      assert.equal(current.body.plan_id, 'free');

      const billingRead = await createKey(t, owner, ['billing:read']);
      const ok = await t.api('GET', '/billing/subscription', { headers: { 'x-api-key': billingRead.raw } });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.plan_id, 'free');
      assertError(await t.api('GET', '/usage/current', { headers: { 'x-api-key': billingRead.raw } }), 403);
    });
  });

  describe('effective limits and overrides', () => {
    it('GET effective-limits: the plan limits, no overrides', async () => {
      const res = await t.api('GET', `/admin/tenants/${owner.tenantId}/effective-limits`, { headers: admin.headers });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.tenant_id, owner.tenantId);
      assert.equal(res.body.plan_id, 'free');
      assert.deepEqual(res.body.overrides, {});
      assert.deepEqual(res.body.limits, res.body.plan_limits);
      assert.equal(res.body.limits.max_messages_per_month, 500);
    });

    it('PUT limit-overrides replaces them; effective = plan + overrides (null = unlimited); the subscription view follows', async () => {
      const o = await registerOwner(t);
      const set = await setOverrides(t, admin, o.tenantId, { max_messages_per_month: 750, max_api_keys: null, notes_per_month: 3 });
      assert.deepEqual(set.overrides, { max_messages_per_month: 750, max_api_keys: null, notes_per_month: 3 });
      assert.equal(set.limits.max_messages_per_month, 750);
      assert.equal(set.limits.max_api_keys, null);
      assert.equal(set.limits.max_sessions, 1, 'the rest comes from the plan');
      assert.equal(set.plan_limits.max_messages_per_month, 500);

      const got = await t.api('GET', `/admin/tenants/${o.tenantId}/effective-limits`, { headers: admin.headers });
      assert.deepEqual(got.body, set);
      const view = await t.api('GET', '/billing/subscription', { headers: o.headers });
      assert.equal(view.body.limits.max_messages_per_month, 750);
      assert.equal(view.body.limits.max_api_keys, null);
      assert.equal(await count(t.db('billing_limit_overrides').where('tenant_id', o.tenantId)), 3);
      assert.equal(await count(t.db('auth_audit_logs').where({ action: 'admin.tenant.limits_overridden', target_id: o.tenantId })), 1);

      // Replaced, not merged; an empty map removes them all.
      const replaced = await setOverrides(t, admin, o.tenantId, { max_groups: 4 });
      assert.deepEqual(replaced.overrides, { max_groups: 4 });
      assert.equal(replaced.limits.max_messages_per_month, 500);
      const cleared = await setOverrides(t, admin, o.tenantId, {});
      assert.deepEqual(cleared.overrides, {});
      assert.equal(await count(t.db('billing_limit_overrides').where('tenant_id', o.tenantId)), 0);
    });

    it('errors: unknown tenant → 404, bad uuid → 422, bad limits → 422, tenant owner → 403', async () => {
      assertError(await t.api('GET', `/admin/tenants/${MISSING_ID}/effective-limits`, { headers: admin.headers }), 404);
      assert.deepEqual(assertValidation(await t.api('GET', '/admin/tenants/not-a-uuid/effective-limits', { headers: admin.headers })), ['params.id']);
      assertError(await t.api('PUT', `/admin/tenants/${MISSING_ID}/limit-overrides`, { headers: admin.headers, body: { limits: { max_groups: 1 } } }), 404);
      assertValidation(await t.api('PUT', '/admin/tenants/123/limit-overrides', { headers: admin.headers, body: { limits: {} } }));
      assertValidation(
        await t.api('PUT', `/admin/tenants/${owner.tenantId}/limit-overrides`, { headers: admin.headers, body: { limits: { max_groups: -1 } } }),
      );
      assertValidation(await t.api('PUT', `/admin/tenants/${owner.tenantId}/limit-overrides`, { headers: admin.headers, body: { max_groups: 1 } }));
      assertError(await t.api('GET', `/admin/tenants/${owner.tenantId}/effective-limits`, { headers: owner.headers }), 403);
      assertError(
        await t.api('PUT', `/admin/tenants/${owner.tenantId}/limit-overrides`, { headers: owner.headers, body: { limits: { max_groups: 99 } } }),
        403,
      );
      assert.equal(await count(t.db('billing_limit_overrides').where('tenant_id', owner.tenantId)), 0);
    });
  });

  describe('PUT /admin/tenants/{id}/subscription', () => {
    it("moves the tenant to pro: the subscription view shows pro's limits; emits billing.subscription.changed; audited", async () => {
      const o = await registerOwner(t);
      const res = await t.api('PUT', `/admin/tenants/${o.tenantId}/subscription`, {
        headers: admin.headers,
        body: { plan_id: 'pro', billing_cycle: 'yearly' },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.plan_id, 'pro');
      assert.equal(res.body.billing_cycle, 'yearly');
      assert.equal(res.body.current_period_end, '2027-03-01T00:00:00.000Z');

      const view = await t.api('GET', '/billing/subscription', { headers: o.headers });
      assert.equal(view.body.plan_id, 'pro');
      assert.equal(view.body.display_name, 'Pro');
      assert.deepEqual(
        {
          max_sessions: view.body.limits.max_sessions,
          max_messages_per_month: view.body.limits.max_messages_per_month,
          max_groups: view.body.limits.max_groups,
          max_labels: view.body.limits.max_labels,
          ai_replies_per_month: view.body.limits.ai_replies_per_month,
        },
        { max_sessions: 3, max_messages_per_month: 5000, max_groups: 10, max_labels: 50, ai_replies_per_month: 500 },
      );
      const [changed] = await eventRows(t, 'billing.subscription.changed', { tenant_id: o.tenantId });
      assert.deepEqual({ plan: changed.payload.plan_id, previous: changed.payload.previous_plan_id }, { plan: 'pro', previous: 'free' });
      assert.equal(await count(t.db('auth_audit_logs').where({ action: 'admin.tenant.plan_assigned', target_id: o.tenantId })), 1);
      // The admin view of the same tenant agrees.
      const adminView = await t.api('GET', `/admin/tenants/${o.tenantId}/subscription`, { headers: admin.headers });
      assert.equal(adminView.body.plan_id, 'pro');
    });

    it('a raised limit takes effect for the meter at once (API keys past the free 5)', async () => {
      const o = await registerOwner(t);
      for (let i = 0; i < 5; i++) await createKey(t, o, ['usage:read']);
      assertError(await t.api('POST', '/api-keys', { headers: o.headers, body: { name: 'sixth', scopes: ['usage:read'] } }), 402, 'usage_limit_reached');
      await t.api('PUT', `/admin/tenants/${o.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'pro' } });
      await createKey(t, o, ['usage:read']);
      assert.equal((await t.api('GET', '/billing/subscription', { headers: o.headers })).body.usage.api_keys, 6);
    });

    it('errors: unknown plan → 404 (nothing changes), unknown tenant → 404, bad body → 422, owner → 403', async () => {
      const o = await registerOwner(t);
      assertError(
        await t.api('PUT', `/admin/tenants/${o.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'platinum' } }),
        404,
        'plan_not_found',
      );
      assert.equal((await t.api('GET', '/billing/subscription', { headers: o.headers })).body.plan_id, 'free');
      assertError(await t.api('PUT', `/admin/tenants/${MISSING_ID}/subscription`, { headers: admin.headers, body: { plan_id: 'pro' } }), 404);
      assertValidation(
        await t.api('PUT', `/admin/tenants/${o.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'pro', billing_cycle: 'weekly' } }),
      );
      assertValidation(await t.api('PUT', `/admin/tenants/${o.tenantId}/subscription`, { headers: admin.headers, body: {} }));
      assertError(await t.api('PUT', `/admin/tenants/${o.tenantId}/subscription`, { headers: o.headers, body: { plan_id: 'business' } }), 403);
      assert.equal((await t.db('billing_subscriptions').where('tenant_id', o.tenantId).first()).plan_id, 'free');
    });
  });

  describe('POST /admin/tenants/{id}/reset-limits', () => {
    it("zeroes this period's counters (not gauges, not other tenants, not last month), audited as admin.tenant.limits_reset", async () => {
      const o = await registerOwner(t);
      const other = await registerOwner(t);
      await setOverrides(t, admin, o.tenantId, { notes_per_month: 10 });
      await createKey(t, o, ['usage:read']);
      // Last month's row must survive a reset.
      await t
        .db('billing_usage')
        .insert({ tenant_id: o.tenantId, metric: 'notes_per_month', period_key: '2026-02', used: 7, updated_at: clock.now().toISOString() });
      const now = clock.now();
      clock.set('2026-03-05T08:00:00.000Z'); // earlier this month
      for (let i = 0; i < 3; i++) await t.meter.consume(o.tenantId, 'notes_per_month');
      clock.set(now);
      for (let i = 0; i < 7; i++) await t.meter.consume(o.tenantId, 'notes_per_month');
      await t.meter.consume(other.tenantId, 'notes_per_month', 4);
      await assert.rejects(t.meter.consume(o.tenantId, 'notes_per_month'), { status: 402, code: 'usage_limit_reached' });

      const res = await t.api('POST', `/admin/tenants/${o.tenantId}/reset-limits`, { headers: admin.headers });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.tenant_id, o.tenantId);
      assert.equal(res.body.usage.notes_per_month, 0);
      assert.equal(res.body.usage.max_api_keys, 1, 'gauges count real things and stay');

      const rows = await usageRows(t, o.tenantId);
      assert.equal(rows['notes_per_month/2026-03'], 0);
      assert.equal(rows['notes_per_month/2026-03-10'], 0, "the month's daily breakdown follows the month");
      assert.equal(rows['notes_per_month/2026-03-05'], 0);
      assert.equal(rows['notes_per_month/2026-02'], 7);
      assert.equal(rows['max_api_keys/-'], 1);
      assert.equal((await usageRows(t, other.tenantId))['notes_per_month/2026-03'], 4);

      const [audit] = await t.db('auth_audit_logs').where({ action: 'admin.tenant.limits_reset', target_id: o.tenantId });
      assert.ok(audit, 'audited');
      assert.equal(audit.actor_id, admin.id);
      assert.equal(audit.tenant_id, o.tenantId);

      // The tenant can use the full limit again.
      for (let i = 0; i < 10; i++) await t.meter.consume(o.tenantId, 'notes_per_month');
      await assert.rejects(t.meter.consume(o.tenantId, 'notes_per_month'), { status: 402 });
    });

    it('errors: unknown tenant → 404, bad uuid → 422, owner → 403 (nothing reset)', async () => {
      const o = await registerOwner(t);
      await t.meter.consume(o.tenantId, 'notes_per_month', 3);
      assertError(await t.api('POST', `/admin/tenants/${MISSING_ID}/reset-limits`, { headers: admin.headers }), 404);
      assertValidation(await t.api('POST', '/admin/tenants/xyz/reset-limits', { headers: admin.headers }));
      assertError(await t.api('POST', `/admin/tenants/${o.tenantId}/reset-limits`, { headers: o.headers }), 403);
      assert.equal((await usageRows(t, o.tenantId))['notes_per_month/2026-03'], 3);
      assert.equal(await count(t.db('auth_audit_logs').where({ action: 'admin.tenant.limits_reset', target_id: o.tenantId })), 0);
    });
  });

  describe('tenant deletion', () => {
    it("DELETE /admin/tenants/{id} (auth) removes the tenant's billing rows once auth.tenant.deleted is delivered", async () => {
      const gone = await registerOwner(t);
      const kept = await registerOwner(t);
      for (const o of [gone, kept]) {
        await setOverrides(t, admin, o.tenantId, { max_groups: 3, notes_per_month: 5 });
        await t.api('PUT', `/admin/tenants/${o.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'pro' } });
        await createKey(t, o, ['usage:read']);
        await t.meter.consume(o.tenantId, 'notes_per_month', 5); // 80% and 100% alerts
      }
      const tables = ['billing_usage', 'billing_usage_alerts', 'billing_limit_overrides', 'billing_subscriptions'];
      for (const table of tables) assert.ok((await count(t.db(table).where('tenant_id', gone.tenantId))) > 0, `${table} has rows before`);

      const res = await t.api('DELETE', `/admin/tenants/${gone.tenantId}`, { headers: admin.headers });
      assert.equal(res.status, 204, res.text);
      await t.app.events.flush();
      for (const table of tables) {
        assert.equal(await count(t.db(table).where('tenant_id', gone.tenantId)), 0, `${table} emptied for the deleted tenant`);
        assert.ok((await count(t.db(table).where('tenant_id', kept.tenantId))) > 0, `${table} keeps the other tenant's rows`);
      }
      const [deleted] = await eventRows(t, 'auth.tenant.deleted', { tenant_id: gone.tenantId });
      assert.equal(deleted.status, 'delivered');
      assertError(await t.api('GET', `/admin/tenants/${gone.tenantId}/effective-limits`, { headers: admin.headers }), 404);
    });
  });
});
