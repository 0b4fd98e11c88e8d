// Longer than most: one face end-to-end, /license/api/admin (generate, revoke, devices, lists, stats, events, isolation).
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import type { Actor } from '../../../test/helpers/actors.js';
import {
  apiKey,
  assertFailure,
  CODE,
  DAY,
  deviceRows,
  eventRows,
  generate,
  LICENSE_ID,
  licenseRow,
  loginAdmin,
  startLicensingApp,
  tenantKey,
  verify,
  type LicensingApp,
} from './license-helpers.js';

const LIST_FIELDS = [
  'activation_code',
  'active_devices',
  'created_at',
  'device_limit',
  'email',
  'id',
  'issued_at',
  'license_id',
  'plan',
  'status',
  'updated_at',
  'user_hint',
  'valid_until',
];

describe('licensing: /license/api/admin', () => {
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  let t: LicensingApp;
  let owner: Actor;
  let key: Record<string, string>;

  before(async () => {
    t = await startLicensingApp({ clock });
    ({ owner, key } = await tenantKey(t));
  });
  after(() => t?.close());

  describe('POST /api/admin/generate', () => {
    it("the seed's reply; monthly: valid_until +30 days; device_cap 5 by default; the row belongs to the key's tenant", async () => {
      const res = await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly', email: 'user@example.com' } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['license', 'success']);
      const lic = res.body.license;
      assert.deepEqual(Object.keys(lic).sort(), ['activation_code', 'device_cap', 'email', 'license_id', 'plan', 'valid_until']);
      assert.match(lic.activation_code, CODE);
      assert.match(lic.license_id, LICENSE_ID);
      assert.equal(lic.email, 'user@example.com');
      assert.equal(lic.plan, 'monthly');
      assert.equal(lic.device_cap, 5);
      assert.equal(lic.valid_until, new Date(clock.now().getTime() + 30 * DAY).toISOString());
      const row = await licenseRow(t, lic.license_id);
      assert.equal(row.tenant_id, owner.tenantId);
      assert.equal(row.activation_code, lic.activation_code);
      assert.equal(row.status, 'active');
      assert.equal(row.issued_at, clock.now().toISOString());
      assert.equal(row.active_devices, 0);
    });

    it('yearly +365 days, lifetime never expires, days overrides, device_cap and user_hint kept', async () => {
      const now = clock.now().getTime();
      assert.equal((await generate(t, key, { plan: 'yearly' })).valid_until, new Date(now + 365 * DAY).toISOString());
      assert.equal((await generate(t, key, { plan: 'lifetime' })).valid_until, null);
      assert.equal((await generate(t, key, { plan: 'monthly', days: 7 })).valid_until, new Date(now + 7 * DAY).toISOString());
      assert.equal((await generate(t, key, { plan: 'yearly', days: 400 })).valid_until, new Date(now + 400 * DAY).toISOString());
      const hinted = await generate(t, key, { plan: 'lifetime', device_cap: 2, user_hint: '测试用户' });
      assert.equal(hinted.device_cap, 2);
      const row = await licenseRow(t, hinted.license_id);
      assert.equal(row.user_hint, '测试用户');
      assert.equal(row.device_cap, 2);
      assert.equal(row.valid_until, null);
    });

    it('codes and ids: the seed format without 0, O, 1, I; all distinct', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 25; i++) {
        const lic = await generate(t, key, { plan: 'lifetime' });
        assert.match(lic.activation_code, CODE);
        assert.match(lic.license_id, LICENSE_ID);
        assert.doesNotMatch(lic.activation_code + lic.license_id.slice(4), /[01OI]/);
        seen.add(lic.activation_code);
      }
      assert.equal(seen.size, 25);
    });

    it('count: that many licenses alike in one call (license = the first, licenses = all); 1..500, else 400 naming count', async () => {
      const before = (await eventRows(t, 'license.generated')).length;
      const res = await t.lic('POST', '/api/admin/generate', {
        headers: key,
        body: { plan: 'yearly', email: 'Batch@Example.com', device_cap: 3, count: 4, user_hint: 'batch' },
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['license', 'licenses', 'success']);
      const { licenses } = res.body;
      assert.equal(licenses.length, 4);
      assert.deepEqual(res.body.license, licenses[0]);
      assert.equal(new Set(licenses.map((l: any) => l.activation_code)).size, 4);
      for (const lic of licenses) {
        assert.match(lic.activation_code, CODE);
        const row = await licenseRow(t, lic.license_id);
        assert.deepEqual(
          [row.tenant_id, row.email, row.plan, row.device_cap, row.user_hint, row.status],
          [owner.tenantId, 'batch@example.com', 'yearly', 3, 'batch', 'active'],
        );
      }
      assert.equal((await eventRows(t, 'license.generated')).length, before + 4);
      for (const count of [0, 501, 2.5, 'ten']) {
        const refused = assertFailure(
          await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly', email: 'user@example.com', count } }),
          400,
          'INVALID_REQUEST',
        );
        assert.match(refused.message, /count/);
      }
    });

    it('400 INVALID_REQUEST without a plan or with a bad one; 400 MISSING_EMAIL without an email', async () => {
      assertFailure(await t.lic('POST', '/api/admin/generate', { headers: key, body: { email: 'user@example.com' } }), 400, 'INVALID_REQUEST');
      assertFailure(await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'weekly', email: 'user@example.com' } }), 400, 'INVALID_REQUEST');
      assertFailure(await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'custom', email: 'user@example.com' } }), 400, 'INVALID_REQUEST');
      assertFailure(
        await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly', email: 'user@example.com', device_cap: 0 } }),
        400,
        'INVALID_REQUEST',
      );
      assertFailure(
        await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly', email: 'user@example.com', days: 'thirty' } }),
        400,
        'INVALID_REQUEST',
      );
      assertFailure(await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly', email: 'not-an-email' } }), 400, 'INVALID_REQUEST');
      assertFailure(await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly' } }), 400, 'MISSING_EMAIL');
      assertFailure(await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly', email: '  ' } }), 400, 'MISSING_EMAIL');
      assertFailure(
        await t.lic('POST', '/api/admin/generate', { headers: { ...key, 'content-type': 'application/json' }, raw: '{"plan":' }),
        400,
        'INVALID_REQUEST',
      );
    });
  });

  describe('credentials', () => {
    const calls: Array<[string, string, unknown]> = [
      ['POST', '/api/admin/generate', { plan: 'monthly', email: 'user@example.com' }],
      ['POST', '/api/admin/revoke', { license_id: 'LIC-AAAAAAAA' }],
      ['POST', '/api/admin/deactivate-device', { license_id: 'LIC-AAAAAAAA', device_id: 'd' }],
      ['POST', '/api/admin/activate-device', { license_id: 'LIC-AAAAAAAA', device_id: 'd' }],
      ['GET', '/api/admin/licenses', undefined],
      ['GET', '/api/admin/stats', undefined],
    ];

    it('401 INVALID_API_KEY without X-API-Key or with a wrong one (whatever the body)', async () => {
      for (const [method, path, body] of calls) {
        assertFailure(await t.lic(method, path, { body }), 401, 'INVALID_API_KEY');
        assertFailure(
          await t.lic(method, path, { body, headers: { 'X-API-Key': 'mf_not-a-real-key-0123456789abcdefghijklmnopqrstuvwxyz' } }),
          401,
          'INVALID_API_KEY',
        );
        assertFailure(await t.lic(method, path, { body, headers: { 'X-API-Key': 'your_api_key' } }), 401, 'INVALID_API_KEY');
      }
      // Credentials are checked before the body: a bad body without a key is still 401.
      assertFailure(await t.lic('POST', '/api/admin/generate', { body: {} }), 401, 'INVALID_API_KEY');
      assertFailure(await t.lic('GET', '/api/admin/licenses?limit=0'), 401, 'INVALID_API_KEY');
    });

    it('403 INVALID_API_KEY for a key without licenses:manage', async () => {
      const weak = await apiKey(t, owner, ['account:read']);
      for (const [method, path, body] of calls) assertFailure(await t.lic(method, path, { body, headers: weak }), 403, 'INVALID_API_KEY');
      assertFailure(await t.lic('POST', '/api/admin/generate', { body: {}, headers: weak }), 403, 'INVALID_API_KEY');
    });

    it('a revoked API key stops working at once', async () => {
      const res = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'short-lived', scopes: ['licenses:manage'] } });
      assert.equal(res.status, 201, res.text);
      const headers = { 'X-API-Key': res.body.raw_key };
      assert.equal((await t.lic('GET', '/api/admin/stats', { headers })).status, 200);
      assert.equal((await t.api('DELETE', `/api-keys/${res.body.id}`, { headers: owner.headers })).status, 204);
      assertFailure(await t.lic('GET', '/api/admin/stats', { headers }), 401, 'INVALID_API_KEY');
    });
  });

  describe('POST /api/admin/revoke', () => {
    it('{ success: true }; the reason is kept in status_reason; license.revoked; verify fails at once', async () => {
      const lic = await generate(t, key);
      const body = { activation_code: lic.activation_code, email: 'user@example.com', device_id: 'device-uuid-123' };
      assert.equal((await verify(t, body)).status, 200);
      const res = await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: lic.license_id, reason: '用户申请退款' } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { success: true });
      const row = await licenseRow(t, lic.license_id);
      assert.equal(row.status, 'revoked');
      assert.equal(row.status_reason, '用户申请退款');
      const events = await eventRows(t, 'license.revoked', lic.license_id);
      assert.equal(events.length, 1);
      assert.deepEqual(events[0].payload, { license_id: lic.license_id, product: 'default', kind: 'license', reason: '用户申请退款' });
      assert.equal(events[0].tenant_id, owner.tenantId);
      assertFailure(await verify(t, body), 403, 'INVALID_LICENSE', { verify: true });

      // Again: still success, no second event.
      assert.equal((await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: lic.license_id } })).status, 200);
      assert.equal((await eventRows(t, 'license.revoked', lic.license_id)).length, 1);
    });

    it('without a reason: status_reason null', async () => {
      const lic = await generate(t, key);
      assert.equal((await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: lic.license_id } })).status, 200);
      assert.equal((await licenseRow(t, lic.license_id)).status_reason, null);
    });

    it('404 INVALID_LICENSE for an unknown license; 400 INVALID_REQUEST without license_id', async () => {
      assertFailure(await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: 'LIC-ZZZZZZZZ' } }), 404, 'INVALID_LICENSE');
      assertFailure(await t.lic('POST', '/api/admin/revoke', { headers: key, body: {} }), 400, 'INVALID_REQUEST');
    });
  });

  describe('POST /api/admin/deactivate-device and /api/admin/activate-device', () => {
    it('frees and takes a slot (active_devices); re-activating with the cap full is 409 DEVICE_LIMIT_REACHED', async () => {
      const lic = await generate(t, key, { device_cap: 2 });
      const v = (device_id: string) => verify(t, { activation_code: lic.activation_code, email: 'user@example.com', device_id });
      const admin = (action: string, device_id: string) =>
        t.lic('POST', `/api/admin/${action}`, { headers: key, body: { license_id: lic.license_id, device_id } });
      assert.equal((await v('one')).status, 200);
      assert.equal((await v('two')).status, 200);
      assert.equal((await licenseRow(t, lic.license_id)).active_devices, 2);

      const off = await admin('deactivate-device', 'one');
      assert.equal(off.status, 200, off.text);
      assert.deepEqual(off.body, { success: true });
      assert.equal((await licenseRow(t, lic.license_id)).active_devices, 1);
      const one = (await deviceRows(t, lic.license_id)).find((d) => d.device_id === 'one')!;
      assert.equal(one.status, 'deactivated');
      assert.equal(one.deactivated_at, clock.now().toISOString());
      assertFailure(await v('one'), 403, 'INVALID_LICENSE', { reason: 'DEVICE_DEACTIVATED', verify: true });

      // Deactivating again changes nothing (no double release of the slot).
      assert.equal((await admin('deactivate-device', 'one')).status, 200);
      assert.equal((await licenseRow(t, lic.license_id)).active_devices, 1);
      assert.equal((await eventRows(t, 'license.device_deactivated', lic.license_id)).length, 1);

      // The freed slot is taken by a new device; re-activating 'one' would exceed the cap.
      assert.equal((await v('three')).status, 200);
      assert.equal((await licenseRow(t, lic.license_id)).active_devices, 2);
      assertFailure(await admin('activate-device', 'one'), 409, 'INVALID_REQUEST', { reason: 'DEVICE_LIMIT_REACHED' });
      assert.equal((await deviceRows(t, lic.license_id)).find((d) => d.device_id === 'one')!.status, 'deactivated');
      assertFailure(await v('one'), 403, 'INVALID_LICENSE', { reason: 'DEVICE_DEACTIVATED', verify: true });

      // Free one, then 'one' comes back and verifies again.
      assert.equal((await admin('deactivate-device', 'two')).status, 200);
      const on = await admin('activate-device', 'one');
      assert.equal(on.status, 200, on.text);
      assert.deepEqual(on.body, { success: true });
      const row = (await deviceRows(t, lic.license_id)).find((d) => d.device_id === 'one')!;
      assert.equal(row.status, 'active');
      assert.equal(row.deactivated_at, null);
      assert.equal((await licenseRow(t, lic.license_id)).active_devices, 2);
      assert.equal((await v('one')).status, 200);
      assertFailure(await v('two'), 403, 'INVALID_LICENSE', { reason: 'DEVICE_DEACTIVATED', verify: true });
      assertFailure(await v('four'), 403, 'INVALID_LICENSE', { reason: 'DEVICE_LIMIT_REACHED', verify: true });

      // Activating an active device is a no-op.
      assert.equal((await admin('activate-device', 'one')).status, 200);
      assert.equal((await licenseRow(t, lic.license_id)).active_devices, 2);
    });

    it('404 for an unknown device or license; 400 INVALID_REQUEST without device_id', async () => {
      const lic = await generate(t, key);
      for (const action of ['deactivate-device', 'activate-device']) {
        const res = await t.lic('POST', `/api/admin/${action}`, { headers: key, body: { license_id: lic.license_id, device_id: 'never-seen' } });
        assert.equal(res.status, 404, res.text);
        assert.equal(res.body.success, false);
        assertFailure(
          await t.lic('POST', `/api/admin/${action}`, { headers: key, body: { license_id: 'LIC-ZZZZZZZZ', device_id: 'x' } }),
          404,
          'INVALID_LICENSE',
        );
        assertFailure(await t.lic('POST', `/api/admin/${action}`, { headers: key, body: { license_id: lic.license_id } }), 400, 'INVALID_REQUEST');
      }
    });

    it('concurrent deactivations of one device release its slot once', async () => {
      const lic = await generate(t, key, { device_cap: 3 });
      for (const d of ['p', 'q'])
        assert.equal((await verify(t, { activation_code: lic.activation_code, email: 'user@example.com', device_id: d })).status, 200);
      const replies = await Promise.all(
        Array.from({ length: 8 }, () => t.lic('POST', '/api/admin/deactivate-device', { headers: key, body: { license_id: lic.license_id, device_id: 'p' } })),
      );
      assert.deepEqual(
        replies.map((r) => r.status),
        Array(8).fill(200),
      );
      assert.equal((await licenseRow(t, lic.license_id)).active_devices, 1);
      assert.equal((await eventRows(t, 'license.device_deactivated', lic.license_id)).length, 1);
      const ons = await Promise.all(
        Array.from({ length: 8 }, () => t.lic('POST', '/api/admin/activate-device', { headers: key, body: { license_id: lic.license_id, device_id: 'p' } })),
      );
      assert.deepEqual(
        ons.map((r) => r.status),
        Array(8).fill(200),
      );
      assert.equal((await licenseRow(t, lic.license_id)).active_devices, 2);
    });
  });

  describe('GET /api/admin/licenses', () => {
    let k: Record<string, string>;
    before(async () => {
      ({ key: k } = await tenantKey(t, 'lister'));
    });

    it("the seed's field names (device_limit, active_devices), newest first", async () => {
      const a = await generate(t, k, { plan: 'yearly', device_cap: 3, user_hint: 'first' });
      const b = await generate(t, k, { plan: 'lifetime' });
      assert.equal((await verify(t, { activation_code: a.activation_code, email: 'user@example.com', device_id: 'd1' })).status, 200);
      assert.equal((await verify(t, { activation_code: a.activation_code, email: 'user@example.com', device_id: 'd2' })).status, 200);
      const res = await t.lic('GET', '/api/admin/licenses', { headers: k });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['licenses', 'success']);
      assert.equal(res.body.success, true);
      assert.deepEqual(
        res.body.licenses.map((l: any) => l.license_id),
        [b.license_id, a.license_id],
      );
      const [lb, la] = res.body.licenses;
      assert.deepEqual(Object.keys(la).sort(), LIST_FIELDS);
      const row = await licenseRow(t, a.license_id);
      assert.deepEqual(la, {
        id: Number(row.id),
        license_id: a.license_id,
        activation_code: a.activation_code,
        email: 'user@example.com',
        plan: 'yearly',
        device_limit: 3,
        issued_at: clock.now().toISOString(),
        valid_until: a.valid_until,
        user_hint: 'first',
        status: 'active',
        created_at: clock.now().toISOString(),
        updated_at: row.updated_at,
        active_devices: 2,
      });
      assert.equal(typeof la.id, 'number');
      assert.equal(lb.valid_until, null);
      assert.equal(lb.user_hint, null);
      assert.equal(lb.active_devices, 0);
      assert.equal(lb.device_limit, 5);
    });

    it('status filter: active / revoked', async () => {
      const { key: k2 } = await tenantKey(t, 'filter');
      const keep = await generate(t, k2);
      const gone = await generate(t, k2);
      assert.equal((await t.lic('POST', '/api/admin/revoke', { headers: k2, body: { license_id: gone.license_id } })).status, 200);
      const active = await t.lic('GET', '/api/admin/licenses?status=active', { headers: k2 });
      assert.deepEqual(
        active.body.licenses.map((l: any) => l.license_id),
        [keep.license_id],
      );
      const revoked = await t.lic('GET', '/api/admin/licenses?status=revoked', { headers: k2 });
      assert.deepEqual(
        revoked.body.licenses.map((l: any) => [l.license_id, l.status]),
        [[gone.license_id, 'revoked']],
      );
      const all = await t.lic('GET', '/api/admin/licenses', { headers: k2 });
      assert.equal(all.body.licenses.length, 2);
      assertFailure(await t.lic('GET', '/api/admin/licenses?status=bogus', { headers: k2 }), 400, 'INVALID_REQUEST');
    });

    it('limit: 100 by default, as asked within 1..1000, 400 INVALID_REQUEST outside', async () => {
      const { key: k3 } = await tenantKey(t, 'many');
      for (let i = 0; i < 103; i++) await generate(t, k3, { plan: 'lifetime' });
      assert.equal((await t.lic('GET', '/api/admin/licenses', { headers: k3 })).body.licenses.length, 100);
      assert.equal((await t.lic('GET', '/api/admin/licenses?limit=50', { headers: k3 })).body.licenses.length, 50);
      assert.equal((await t.lic('GET', '/api/admin/licenses?limit=1', { headers: k3 })).body.licenses.length, 1);
      assert.equal((await t.lic('GET', '/api/admin/licenses?limit=1000', { headers: k3 })).body.licenses.length, 103);
      for (const bad of ['0', '-1', '1001', 'abc', '2.5'])
        assertFailure(await t.lic('GET', `/api/admin/licenses?limit=${bad}`, { headers: k3 }), 400, 'INVALID_REQUEST');
    });
  });

  describe('GET /api/admin/stats', () => {
    it('exactly the seed: total_licenses, active_licenses, plan_statistics { monthly, yearly, lifetime }, active_devices', async () => {
      const { key: k } = await tenantKey(t, 'stats');
      const empty = await t.lic('GET', '/api/admin/stats', { headers: k });
      assert.equal(empty.status, 200, empty.text);
      assert.deepEqual(empty.body, {
        success: true,
        stats: { total_licenses: 0, active_licenses: 0, plan_statistics: { monthly: 0, yearly: 0, lifetime: 0 }, active_devices: 0 },
      });

      const m1 = await generate(t, k, { plan: 'monthly' });
      const m2 = await generate(t, k, { plan: 'monthly' });
      const y = await generate(t, k, { plan: 'yearly' });
      await generate(t, k, { plan: 'lifetime' });
      for (const d of ['a', 'b']) assert.equal((await verify(t, { activation_code: m1.activation_code, email: 'user@example.com', device_id: d })).status, 200);
      assert.equal((await verify(t, { activation_code: y.activation_code, email: 'user@example.com', device_id: 'c' })).status, 200);
      assert.equal((await verify(t, { activation_code: m2.activation_code, email: 'user@example.com', device_id: 'e' })).status, 200);
      // A revoked license counts in the total and its plan, not as active, nor its devices.
      assert.equal((await t.lic('POST', '/api/admin/revoke', { headers: k, body: { license_id: m2.license_id } })).status, 200);

      const res = await t.lic('GET', '/api/admin/stats', { headers: k });
      assert.deepEqual(res.body, {
        success: true,
        stats: { total_licenses: 4, active_licenses: 3, plan_statistics: { monthly: 2, yearly: 1, lifetime: 1 }, active_devices: 3 },
      });
    });
  });

  describe('events (core_events)', () => {
    it('license.generated, license.activated (first binding only), license.revoked, license.device_deactivated', async () => {
      const { owner: o, key: k } = await tenantKey(t, 'events');
      const lic = await generate(t, k, { plan: 'yearly', email: 'Events@Example.com' });
      const [generated] = await eventRows(t, 'license.generated', lic.license_id);
      assert.ok(generated, 'license.generated');
      assert.deepEqual(generated.payload, { license_id: lic.license_id, product: 'default', kind: 'license', plan: 'yearly', email: 'events@example.com' });
      assert.equal(generated.tenant_id, o.tenantId);

      const body = { activation_code: lic.activation_code, email: 'events@example.com', device_id: 'dev-ev', device_name: 'Phone' };
      for (let i = 0; i < 3; i++) assert.equal((await verify(t, body)).status, 200);
      const activated = await eventRows(t, 'license.activated', lic.license_id);
      assert.equal(activated.length, 1);
      assert.deepEqual(activated[0].payload, { license_id: lic.license_id, product: 'default', kind: 'license', device_id: 'dev-ev', device_name: 'Phone' });
      assert.equal(activated[0].tenant_id, o.tenantId);

      assert.equal(
        (await t.lic('POST', '/api/admin/deactivate-device', { headers: k, body: { license_id: lic.license_id, device_id: 'dev-ev' } })).status,
        200,
      );
      const deactivated = await eventRows(t, 'license.device_deactivated', lic.license_id);
      assert.equal(deactivated.length, 1);
      assert.deepEqual(deactivated[0].payload, { license_id: lic.license_id, product: 'default', kind: 'license', device_id: 'dev-ev' });
      assert.equal(deactivated[0].tenant_id, o.tenantId);

      // Re-activated: verifying again is not a new activation.
      assert.equal((await t.lic('POST', '/api/admin/activate-device', { headers: k, body: { license_id: lic.license_id, device_id: 'dev-ev' } })).status, 200);
      assert.equal((await verify(t, body)).status, 200);
      assert.equal((await eventRows(t, 'license.activated', lic.license_id)).length, 1);
      // A second device is.
      assert.equal((await verify(t, { ...body, device_id: 'dev-ev-2' })).status, 200);
      assert.equal((await eventRows(t, 'license.activated', lic.license_id)).length, 2);

      assert.equal((await t.lic('POST', '/api/admin/revoke', { headers: k, body: { license_id: lic.license_id, reason: 'chargeback' } })).status, 200);
      const [revoked] = await eventRows(t, 'license.revoked', lic.license_id);
      assert.deepEqual(revoked.payload, { license_id: lic.license_id, product: 'default', kind: 'license', reason: 'chargeback' });
      assert.equal(revoked.tenant_id, o.tenantId);
    });
  });

  describe('tenant isolation', () => {
    it("tenant B cannot list, revoke, see stats of, or change devices of tenant A's licenses; a platform:admin key sees all", async () => {
      const a = await tenantKey(t, 'tenant-a');
      const b = await tenantKey(t, 'tenant-b');
      const licA = await generate(t, a.key, { plan: 'monthly', email: 'a@example.com' });
      const licB = await generate(t, b.key, { plan: 'yearly', email: 'b@example.com' });
      assert.equal((await verify(t, { activation_code: licA.activation_code, email: 'a@example.com', device_id: 'a-dev' })).status, 200);

      const listB = await t.lic('GET', '/api/admin/licenses', { headers: b.key });
      assert.deepEqual(
        listB.body.licenses.map((l: any) => l.license_id),
        [licB.license_id],
      );
      const listA = await t.lic('GET', '/api/admin/licenses', { headers: a.key });
      assert.deepEqual(
        listA.body.licenses.map((l: any) => l.license_id),
        [licA.license_id],
      );

      assertFailure(await t.lic('POST', '/api/admin/revoke', { headers: b.key, body: { license_id: licA.license_id } }), 404, 'INVALID_LICENSE');
      assertFailure(
        await t.lic('POST', '/api/admin/deactivate-device', { headers: b.key, body: { license_id: licA.license_id, device_id: 'a-dev' } }),
        404,
        'INVALID_LICENSE',
      );
      assertFailure(
        await t.lic('POST', '/api/admin/activate-device', { headers: b.key, body: { license_id: licA.license_id, device_id: 'a-dev' } }),
        404,
        'INVALID_LICENSE',
      );
      assertFailure(await t.lic('GET', `/api/admin/licenses/${licA.license_id}`, { headers: b.key }), 404, 'INVALID_LICENSE');
      const oneA = await t.lic('GET', `/api/admin/licenses/${licA.license_id}`, { headers: a.key });
      assert.equal(oneA.status, 200, oneA.text);
      assert.equal(oneA.body.license.license_id, licA.license_id);
      assert.equal(oneA.body.license.active_devices, 1);
      assert.deepEqual(
        oneA.body.devices.map((d: any) => [d.device_id, d.status, d.deactivated_at]),
        [['a-dev', 'active', null]],
      );
      assert.equal((await licenseRow(t, licA.license_id)).status, 'active');
      assert.equal((await licenseRow(t, licA.license_id)).active_devices, 1);
      assert.equal((await verify(t, { activation_code: licA.activation_code, email: 'a@example.com', device_id: 'a-dev' })).status, 200);

      const statsB = await t.lic('GET', '/api/admin/stats', { headers: b.key });
      assert.deepEqual(statsB.body.stats, {
        total_licenses: 1,
        active_licenses: 1,
        plan_statistics: { monthly: 0, yearly: 1, lifetime: 0 },
        active_devices: 0,
      });
      const statsA = await t.lic('GET', '/api/admin/stats', { headers: a.key });
      assert.deepEqual(statsA.body.stats, {
        total_licenses: 1,
        active_licenses: 1,
        plan_statistics: { monthly: 1, yearly: 0, lifetime: 0 },
        active_devices: 1,
      });

      // A superadmin's key with platform:admin + licenses:manage sees every tenant's licenses.
      const admin = await loginAdmin(t);
      const superKey = await apiKey(t, admin, ['platform:admin', 'licenses:manage']);
      const all = await t.lic('GET', '/api/admin/licenses?limit=1000', { headers: superKey });
      assert.equal(all.status, 200, all.text);
      const ids = all.body.licenses.map((l: any) => l.license_id);
      assert.ok(ids.includes(licA.license_id) && ids.includes(licB.license_id));
      const total = Number(((await t.db('licensing_licenses').count({ n: '*' })) as any)[0].n);
      const stats = await t.lic('GET', '/api/admin/stats', { headers: superKey });
      assert.equal(stats.body.stats.total_licenses, total);
      assert.equal(
        (await t.lic('POST', '/api/admin/deactivate-device', { headers: superKey, body: { license_id: licA.license_id, device_id: 'a-dev' } })).status,
        200,
      );
      const deactivated = await t.lic('GET', `/api/admin/licenses/${licA.license_id}`, { headers: superKey });
      assert.equal(deactivated.status, 200, deactivated.text);
      assert.equal(deactivated.body.devices[0].status, 'deactivated');
      assert.equal(deactivated.body.devices[0].deactivated_at, clock.now().toISOString());
      assert.equal((await t.lic('POST', '/api/admin/revoke', { headers: superKey, body: { license_id: licB.license_id } })).status, 200);
      assert.equal((await licenseRow(t, licB.license_id)).status, 'revoked');

      // The superadmin's key without platform:admin is an ordinary tenant key.
      const plainKey = await apiKey(t, admin, ['licenses:manage']);
      const own = await t.lic('GET', '/api/admin/licenses', { headers: plainKey });
      assert.equal(own.status, 200, own.text);
      assert.ok(!own.body.licenses.some((l: any) => l.license_id === licA.license_id));
      assertFailure(await t.lic('POST', '/api/admin/revoke', { headers: plainKey, body: { license_id: licA.license_id } }), 404, 'INVALID_LICENSE');
    });
  });
});
