import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import {
  assertError,
  assertValidation,
  createKey,
  loginAdmin,
  MISSING_ID,
  setOverrides,
  startBillingApp,
  usageRows,
  type BillingApp,
} from './metering-helpers.js';

const NOW = '2026-03-10T12:00:00.000Z';

describe('billing: /usage/current, /usage/history, /usage/daily', () => {
  const clock = new ManualClock(NOW);
  let t: BillingApp;
  let admin: Actor;
  let owner: Actor;
  let other: Actor;

  /** Consumes as if at `at`, then returns to NOW. */
  async function consumeAt(at: string, tenantId: string, n: number) {
    clock.set(at);
    try {
      await t.meter.consume(tenantId, 'notes_per_month', n);
    } finally {
      clock.set(NOW);
    }
  }

  before(async () => {
    t = await startBillingApp({ clock, extraPlugins: ['example'] });
    admin = await loginAdmin(t);
    owner = await registerOwner(t);
    other = await registerOwner(t);
    await consumeAt('2025-12-31T23:59:59.000Z', owner.tenantId, 1);
    await consumeAt('2026-01-15T10:00:00.000Z', owner.tenantId, 4);
    await consumeAt('2026-02-20T10:00:00.000Z', owner.tenantId, 6);
    await consumeAt('2026-03-03T10:00:00.000Z', owner.tenantId, 2);
    await consumeAt('2026-03-10T09:00:00.000Z', owner.tenantId, 5);
    await consumeAt('2026-03-10T09:00:00.000Z', other.tenantId, 9);
    await createKey(t, owner, ['usage:read']);
  });
  after(() => t?.close());

  const get = (path: string, who: Actor = owner) => t.api('GET', path, { headers: who.headers });

  describe('GET /usage/current', () => {
    it("this month's usage per metric with limit and remaining (null = unlimited)", async () => {
      const res = await get('/usage/current');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.plan_id, 'free');
      assert.equal(res.body.period, '2026-03');
      const by = Object.fromEntries(res.body.metrics.map((m: { metric: string }) => [m.metric, m]));
      // Beside the seed's numbers, what each one counts: a counter and its period, a gauge (what exists now),
      // or nothing (kind null: a limit of the plan that no enabled plugin meters).
      assert.deepEqual(by.notes_per_month, {
        metric: 'notes_per_month',
        used: 7,
        limit: null,
        remaining: null,
        kind: 'counter',
        period: 'month',
        unit: 'notes',
      });
      assert.deepEqual(by.max_api_keys, { metric: 'max_api_keys', used: 1, limit: 5, remaining: 4, kind: 'gauge', period: null, unit: 'API keys' });
      assert.deepEqual(by.max_messages_per_month, {
        metric: 'max_messages_per_month',
        used: 0,
        limit: 500,
        remaining: 500,
        kind: null,
        period: null,
        unit: null,
      });
      const names = res.body.metrics.map((m: { metric: string }) => m.metric);
      assert.deepEqual(names, [...names].sort(), 'sorted by metric');
    });

    it('follows the limit overrides; remaining never goes below 0', async () => {
      await setOverrides(t, admin, owner.tenantId, { notes_per_month: 20 });
      let by = Object.fromEntries((await get('/usage/current')).body.metrics.map((m: { metric: string }) => [m.metric, m]));
      assert.deepEqual([by.notes_per_month.used, by.notes_per_month.limit, by.notes_per_month.remaining], [7, 20, 13]);
      await setOverrides(t, admin, owner.tenantId, { notes_per_month: 3 }); // lowered below what is used
      by = Object.fromEntries((await get('/usage/current')).body.metrics.map((m: { metric: string }) => [m.metric, m]));
      assert.deepEqual([by.notes_per_month.used, by.notes_per_month.limit, by.notes_per_month.remaining], [7, 3, 0]);
      await setOverrides(t, admin, owner.tenantId, {});
    });

    it("is the caller's tenant only", async () => {
      const by = Object.fromEntries((await get('/usage/current', other)).body.metrics.map((m: { metric: string }) => [m.metric, m]));
      assert.equal(by.notes_per_month.used, 9);
      assert.equal(by.max_api_keys.used, 0);
    });
  });

  describe('GET /usage/history', () => {
    it('by month, newest first, 12 months by default, empty months included', async () => {
      const res = await get('/usage/history');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.months.length, 12);
      assert.deepEqual(res.body.months.map((m: { period: string }) => m.period).slice(0, 4), ['2026-03', '2026-02', '2026-01', '2025-12']);
      assert.equal(res.body.months[11].period, '2025-04');
      const by = Object.fromEntries(res.body.months.map((m: { period: string; usage: Record<string, number> }) => [m.period, m.usage]));
      assert.equal(by['2026-03'].notes_per_month, 7);
      assert.equal(by['2026-02'].notes_per_month, 6);
      assert.equal(by['2026-01'].notes_per_month, 4);
      assert.equal(by['2025-12'].notes_per_month, 1, 'the last second of December is December');
      assert.deepEqual(by['2025-11'], {});
      assert.equal(by['2026-03'].max_api_keys, undefined, 'gauges have no history');
    });

    it('`months` bounds it (1…36); out of range, not a number or an unknown parameter → 422', async () => {
      const two = await get('/usage/history?months=2');
      assert.equal(two.status, 200, two.text);
      assert.deepEqual(
        two.body.months.map((m: { period: string }) => m.period),
        ['2026-03', '2026-02'],
      );
      const one = await get('/usage/history?months=1');
      assert.deepEqual(one.body.months, [{ period: '2026-03', usage: { notes_per_month: 7 } }]);
      assert.equal((await get('/usage/history?months=36')).body.months.length, 36);
      for (const q of ['months=0', 'months=37', 'months=-1', 'months=abc', 'months=1.5', 'days=3']) {
        const locs = assertValidation(await get(`/usage/history?${q}`));
        assert.ok(
          locs.every((l) => l.startsWith('query')),
          `${q}: ${locs}`,
        );
      }
    });
  });

  describe('GET /usage/daily', () => {
    it('this month by day up to today; the days add up to the month row (same rows)', async () => {
      const res = await get('/usage/daily');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.month, '2026-03');
      assert.equal(res.body.days.length, 10);
      assert.deepEqual(
        res.body.days.map((d: { date: string }) => d.date),
        Array.from({ length: 10 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`),
      );
      const by = Object.fromEntries(res.body.days.map((d: { date: string; usage: Record<string, number> }) => [d.date, d.usage]));
      assert.deepEqual(by['2026-03-03'], { notes_per_month: 2 });
      assert.deepEqual(by['2026-03-10'], { notes_per_month: 5 });
      assert.deepEqual(by['2026-03-01'], {});
      const sum = res.body.days.reduce((s: number, d: { usage: Record<string, number> }) => s + (d.usage.notes_per_month ?? 0), 0);
      const rows = await usageRows(t, owner.tenantId);
      assert.equal(sum, rows['notes_per_month/2026-03']);
    });

    it("a consume today shows in today's row, the month row, /usage/current and /usage/history alike", async () => {
      await t.meter.consume(owner.tenantId, 'notes_per_month', 3);
      const daily = await get('/usage/daily');
      assert.deepEqual(daily.body.days.at(-1), { date: '2026-03-10', usage: { notes_per_month: 8 } });
      const history = await get('/usage/history?months=1');
      assert.equal(history.body.months[0].usage.notes_per_month, 10);
      const current = (await get('/usage/current')).body.metrics.find((m: { metric: string }) => m.metric === 'notes_per_month');
      assert.equal(current.used, 10);
      const rows = await usageRows(t, owner.tenantId);
      assert.equal(rows['notes_per_month/2026-03-10'], 8);
      assert.equal(rows['notes_per_month/2026-03'], 10);
      // The other tenant is untouched.
      assert.deepEqual((await get('/usage/daily', other)).body.days.at(-1).usage, { notes_per_month: 9 });
    });

    it('on the first of a month: one day, last month is history', async () => {
      clock.set('2026-04-01T00:30:00.000Z');
      try {
        await t.meter.consume(owner.tenantId, 'notes_per_month');
        const o = await registerOwner(t); // a fresh token at the new time
        await t.meter.consume(o.tenantId, 'notes_per_month', 2);
        const daily = await get('/usage/daily', o);
        assert.deepEqual(daily.body, { month: '2026-04', days: [{ date: '2026-04-01', usage: { notes_per_month: 2 } }] });
        const history = await get('/usage/history?months=2', o);
        assert.deepEqual(history.body.months, [
          { period: '2026-04', usage: { notes_per_month: 2 } },
          { period: '2026-03', usage: {} },
        ]);
      } finally {
        clock.set(NOW);
      }
    });
  });

  describe('access', () => {
    it('401 without credentials; 403 for a key without usage:read; the superadmin-only views of a tenant', async () => {
      for (const path of ['/usage/current', '/usage/history', '/usage/daily']) {
        assertError(await t.api('GET', path), 401);
      }
      const key = await createKey(t, owner, ['billing:read']);
      for (const path of ['/usage/current', '/usage/history', '/usage/daily']) {
        const res = assertError(await t.api('GET', path, { headers: { 'x-api-key': key.raw } }), 403);
        assert.match(res.detail, /usage:read/);
      }
      const usageKey = await createKey(t, owner, ['usage:read']);
      assert.equal((await t.api('GET', '/usage/daily', { headers: { 'x-api-key': usageKey.raw } })).status, 200);

      const adminDaily = await t.api('GET', `/admin/tenants/${owner.tenantId}/usage/daily`, { headers: admin.headers });
      assert.equal(adminDaily.status, 200, adminDaily.text);
      assert.deepEqual(adminDaily.body, (await get('/usage/daily')).body);
      assertError(await t.api('GET', `/admin/tenants/${owner.tenantId}/usage/daily`, { headers: owner.headers }), 403);

      // The same views of any tenant for the superadmin (Tenant billing), theirs only for anyone else.
      for (const view of ['usage/current', 'usage/history?months=3']) {
        const mine = await t.api('GET', `/admin/tenants/${owner.tenantId}/${view}`, { headers: admin.headers });
        assert.equal(mine.status, 200, mine.text);
        assert.deepEqual(mine.body, (await get(`/${view}`)).body);
        const theirs = await t.api('GET', `/admin/tenants/${other.tenantId}/${view}`, { headers: admin.headers });
        assert.deepEqual(theirs.body, (await get(`/${view}`, other)).body);
        assert.notDeepEqual(theirs.body, mine.body);
        assertError(await t.api('GET', `/admin/tenants/${other.tenantId}/${view}`, { headers: owner.headers }), 403);
        assertError(await t.api('GET', `/admin/tenants/${MISSING_ID}/${view}`, { headers: admin.headers }), 404);
      }
      assertValidation(await t.api('GET', `/admin/tenants/${owner.tenantId}/usage/history?months=37`, { headers: admin.headers }));
      assertValidation(await t.api('GET', '/admin/tenants/not-a-uuid/usage/current', { headers: admin.headers }));
    });
  });
});
