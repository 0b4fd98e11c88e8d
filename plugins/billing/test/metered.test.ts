import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { testAuth } from '../../../test/helpers/app.js';
import { type Actor, login, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, count, createKey, eventRows, loginAdmin, setOverrides, settle, startBillingApp, usageRows, type BillingApp } from './metering-helpers.js';

describe("billing: other plugins' metered actions", () => {
  const clock = new ManualClock('2026-07-20T10:00:00.000Z');
  let t: BillingApp;
  let admin: Actor;

  before(async () => {
    t = await startBillingApp({ clock, extraPlugins: ['example'] });
    admin = await loginAdmin(t);
  });
  after(() => t?.close());

  describe('API keys (auth) on the free plan: max_api_keys = 5', () => {
    it('the 6th POST /api-keys → 402 naming max_api_keys and 5, no row written; revoking one frees a slot', async () => {
      const owner = await registerOwner(t);
      const keys = [];
      for (let i = 0; i < 5; i++) keys.push(await createKey(t, owner, ['usage:read']));
      assert.equal((await usageRows(t, owner.tenantId))['max_api_keys/-'], 5);

      const sixth = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'sixth', scopes: ['usage:read'] } });
      const body = assertError(sixth, 402, 'usage_limit_reached');
      assert.equal(body.detail, 'plan limit reached for max_api_keys on plan "free": 5 of 5 API keys in use; upgrade the plan or remove some');
      assert.equal(await count(t.db('auth_api_keys').where('tenant_id', owner.tenantId)), 5, 'no row written');
      assert.equal(await count(t.db('auth_api_keys').where({ tenant_id: owner.tenantId, name: 'sixth' })), 0);
      assert.equal(await count(t.db('auth_audit_logs').where({ action: 'api_key.created', tenant_id: owner.tenantId })), 5);
      assert.equal((await usageRows(t, owner.tenantId))['max_api_keys/-'], 5);

      const view = await t.api('GET', '/billing/subscription', { headers: owner.headers });
      assert.equal(view.body.usage.api_keys, 5);
      assert.equal(view.body.limits.max_api_keys, 5);

      // Revoke one: a slot frees up.
      const revoked = await t.api('DELETE', `/api-keys/${keys[0].id}`, { headers: owner.headers });
      assert.equal(revoked.status, 204, revoked.text);
      assert.equal((await usageRows(t, owner.tenantId))['max_api_keys/-'], 4);
      // Revoking the same key again does not free a second slot.
      assert.equal((await t.api('DELETE', `/api-keys/${keys[0].id}`, { headers: owner.headers })).status, 204);
      assert.equal((await usageRows(t, owner.tenantId))['max_api_keys/-'], 4);

      await createKey(t, owner, ['usage:read']);
      assertError(await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'seventh', scopes: ['usage:read'] } }), 402, 'usage_limit_reached');
      assert.equal(await count(t.db('auth_api_keys').where({ tenant_id: owner.tenantId, is_active: true })), 5);
    });

    it('the limit is per tenant, and concurrent creations never pass it', async () => {
      const a = await registerOwner(t);
      const b = await registerOwner(t);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => t.api('POST', '/api-keys', { headers: (i % 2 ? a : b).headers, body: { name: `k${i}`, scopes: ['usage:read'] } })),
      );
      assert.deepEqual(results.map((r) => r.status).sort(), [...Array(10).fill(201), 402, 402]);
      for (const o of [a, b]) {
        assert.equal(await count(t.db('auth_api_keys').where('tenant_id', o.tenantId)), 5);
        assert.equal((await usageRows(t, o.tenantId))['max_api_keys/-'], 5);
      }
    });

    it('an override raises it for one tenant', async () => {
      const owner = await registerOwner(t);
      await setOverrides(t, admin, owner.tenantId, { max_api_keys: 7 });
      for (let i = 0; i < 7; i++) await createKey(t, owner, ['usage:read']);
      const res = assertError(await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'eighth', scopes: ['usage:read'] } }), 402);
      assert.equal(res.detail, 'plan limit reached for max_api_keys on plan "free": 7 of 7 API keys in use; upgrade the plan or remove some');
    });
  });

  describe("the example plugin's notes: a monthly counter (notes_per_month)", () => {
    let owner: Actor;
    const headers = () => testAuth('u1', owner.tenantId, ['member'], ['notes:write', 'notes:read']);
    const post = (title: string) => t.request('POST', '/example/notes', { headers: headers(), body: { title } });
    const notes = async () => count(t.db('example_notes').where('tenant_id', owner.tenantId));

    before(async () => {
      owner = await registerOwner(t);
      await setOverrides(t, admin, owner.tenantId, { notes_per_month: 3 });
    });

    it('refused past the limit with 402 (no note, no event written), counted in the subscription view', async () => {
      for (let i = 1; i <= 3; i++) assert.equal((await post(`note ${i}`)).status, 201);
      const refused = assertError(await post('one too many'), 402, 'usage_limit_reached');
      assert.equal(
        refused.detail,
        'plan limit reached for notes_per_month on plan "free": 3 of 3 notes used in July 2026; upgrade the plan or wait for the next period (from 2026-08-01)',
      );
      assert.equal(await notes(), 3);
      assert.equal(await count(t.db('core_events').where({ name: 'example.note.created', tenant_id: owner.tenantId })), 3);
      const view = await t.api('GET', '/billing/subscription', { headers: (await login(t, owner.email)).headers });
      assert.equal(view.body.usage.notes_this_month, 3);
      assert.equal(view.body.limits.notes_per_month, 3);
      const alerts = await eventRows(t, 'usage.limit_reached', { tenant_id: owner.tenantId });
      assert.deepEqual(
        alerts.map((a) => [a.payload.metric, a.payload.threshold]),
        [
          ['notes_per_month', 80],
          ['notes_per_month', 100],
        ],
      );
    });

    it('concurrent posts at the edge: the stored count and the notes agree', async () => {
      const other = await registerOwner(t);
      await setOverrides(t, admin, other.tenantId, { notes_per_month: 4 });
      const h = testAuth('u2', other.tenantId, ['member'], ['notes:write']);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => t.request('POST', '/example/notes', { headers: h, body: { title: `n${i}` } })));
      assert.deepEqual(results.map((r) => r.status).sort(), [...Array(4).fill(201), ...Array(6).fill(402)]);
      assert.equal(await count(t.db('example_notes').where('tenant_id', other.tenantId)), 4);
      assert.equal((await usageRows(t, other.tenantId))['notes_per_month/2026-07'], 4);
    });

    it('allowed again after the month rolls over', async () => {
      clock.set('2026-08-01T00:00:05.000Z');
      const res = await post('august');
      assert.equal(res.status, 201, res.text);
      assert.equal(await notes(), 4);
      const rows = await usageRows(t, owner.tenantId);
      assert.equal(rows['notes_per_month/2026-07'], 3, "July's row is history");
      assert.equal(rows['notes_per_month/2026-08'], 1);
      for (let i = 0; i < 2; i++) assert.equal((await post(`aug ${i}`)).status, 201);
      assertError(await post('aug too many'), 402, 'usage_limit_reached');
    });

    it('allowed again after reset-limits', async () => {
      const freshAdmin = await loginAdmin(t); // the earlier token expired with the clock
      const reset = await t.api('POST', `/admin/tenants/${owner.tenantId}/reset-limits`, { headers: freshAdmin.headers });
      assert.equal(reset.status, 200, reset.text);
      assert.equal(reset.body.usage.notes_per_month, 0);
      const res = await post('after reset');
      assert.equal(res.status, 201, res.text);
      assert.equal((await usageRows(t, owner.tenantId))['notes_per_month/2026-08'], 1);
      assert.equal(await notes(), 7);
    });

    it('without an override the free plan does not limit notes (no limit declared for it)', async () => {
      const o = await registerOwner(t);
      const h = testAuth('u3', o.tenantId, ['member'], ['notes:write']);
      const { ok } = await settle(
        Array.from({ length: 10 }, (_, i) =>
          t.request('POST', '/example/notes', { headers: h, body: { title: `x${i}` } }).then((r) => assert.equal(r.status, 201)),
        ),
      );
      assert.equal(ok, 10);
      assert.equal((await usageRows(t, o.tenantId))['notes_per_month/2026-08'], 10);
    });
  });
});
