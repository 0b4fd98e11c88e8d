import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { addMonths, lastMonths, periodContaining } from '../services/periods.js';
import { type Actor, login, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, count, createKey, eventRows, loginAdmin, setOverrides, startBillingApp, usageRows, type BillingApp } from './metering-helpers.js';

const JOB = 'billing.close-periods';

type Row = { tenant_id: string; metric: string; period_key: string; used: number | string; closed_at: string | null };
const snapshot = async (t: BillingApp) => ({
  usage: (await t.db('billing_usage').orderBy(['tenant_id', 'metric', 'period_key'])).map((r: Row) => ({ ...r, used: Number(r.used) })),
  subscriptions: await t.db('billing_subscriptions').orderBy('tenant_id'),
  events: await count(t.db('core_events')),
});

describe('billing: period helpers', () => {
  it('month keys and manual periods are calendar months in UTC', () => {
    assert.deepEqual(lastMonths(new Date('2026-02-28T23:59:59Z'), 3), ['2025-12', '2026-01', '2026-02']);
    assert.deepEqual(periodContaining(new Date('2026-01-31T22:00:00Z'), 'monthly'), {
      start: new Date('2026-01-01T00:00:00Z'),
      end: new Date('2026-02-01T00:00:00Z'),
    });
    assert.deepEqual(periodContaining(new Date('2026-12-15T00:00:00Z'), 'yearly'), {
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-12-01T00:00:00Z'),
    });
    assert.equal(addMonths(new Date('2026-11-01T00:00:00Z'), 2).toISOString(), '2027-01-01T00:00:00.000Z');
  });
});

describe('billing: the period reset job (billing.close-periods)', () => {
  const clock = new ManualClock('2026-02-10T09:00:00.000Z');
  let t: BillingApp;
  let admin: Actor;
  let a: Actor;
  let b: Actor;
  let canceler: Actor;
  let yearly: Actor;

  before(async () => {
    t = await startBillingApp({ clock, extraPlugins: ['example'] });
    admin = await loginAdmin(t);
    a = await registerOwner(t);
    b = await registerOwner(t);
    canceler = await registerOwner(t);
    yearly = await registerOwner(t);
    await t.meter.consume(a.tenantId, 'notes_per_month', 4);
    await t.meter.consume(b.tenantId, 'notes_per_month', 2);
    await createKey(t, a, ['usage:read']); // a gauge: never closed
    clock.set('2026-02-27T09:00:00.000Z');
    admin = await loginAdmin(t); // tokens live 30 minutes
    canceler = await login(t, canceler.email);
    await t.meter.consume(a.tenantId, 'notes_per_month', 1);
    // A tenant on pro that cancels (manual provider: effective at the period end), one on a yearly plan.
    assert.equal((await t.api('PUT', `/admin/tenants/${canceler.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'pro' } })).status, 200);
    for (let i = 0; i < 6; i++) await createKey(t, canceler, ['usage:read']); // 6 > free's 5
    const cancel = await t.api('POST', '/billing/cancel', { headers: canceler.headers });
    assert.equal(cancel.status, 200, cancel.text);
    assert.equal(cancel.body.cancel_at_period_end, true);
    assert.equal(cancel.body.plan_id, 'pro', 'still pro until the period ends');
    assert.equal(
      (await t.api('PUT', `/admin/tenants/${yearly.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'business', billing_cycle: 'yearly' } }))
        .status,
      200,
    );
  });
  after(() => t?.close());

  it('before the month ends, nothing closes but finished days', async () => {
    const result = await t.billing.closer.close();
    assert.deepEqual(result.closedMonths, []);
    assert.equal(result.downgraded, 0);
    assert.equal(result.rolledSubscriptions, 0);
    const open = await t.db('billing_usage').whereNull('closed_at').orderBy('period_key');
    assert.ok(
      open.every((r: Row) => r.period_key === '-' || r.period_key >= '2026-02-27' || r.period_key === '2026-02'),
      JSON.stringify(open),
    );
    const closedDay = await t.db('billing_usage').where({ tenant_id: a.tenantId, period_key: '2026-02-10' }).first();
    assert.equal(closedDay.closed_at, '2026-02-27T09:00:00.000Z', 'the 10th was a finished day');
    assert.equal(await count(t.db('core_events').where('name', 'usage.period_closed')), 0);
  });

  it(
    "after midnight on the 1st: closes last month's rows, emits usage.period_closed with the tenant count, rolls and downgrades manual " + 'subscriptions',
    async () => {
      clock.set('2026-03-01T00:01:00.000Z');
      assert.equal(await t.app.scheduler.runNow(JOB), 'succeeded');

      const feb = await t.db('billing_usage').where('period_key', 'like', '2026-02%');
      assert.ok(feb.length >= 4);
      for (const r of feb as Row[]) assert.ok(r.closed_at, `${r.tenant_id} ${r.metric} ${r.period_key} closed`);
      assert.equal((await t.db('billing_usage').where({ tenant_id: a.tenantId, period_key: '2026-02' }).first()).closed_at, '2026-03-01T00:01:00.000Z');
      assert.equal((await usageRows(t, a.tenantId))['notes_per_month/2026-02'], 5, 'closing keeps the count (it is history now)');
      const gauge = await t.db('billing_usage').where({ tenant_id: a.tenantId, period_key: '-' }).first();
      assert.equal(gauge.closed_at, null, 'gauges never close');

      const closed = await eventRows(t, 'usage.period_closed');
      assert.equal(closed.length, 1);
      assert.deepEqual(closed[0].payload, { period: '2026-02', tenants: 2, next_period: '2026-03' });

      // Manual monthly subscriptions roll into March.
      for (const o of [a, b]) {
        const sub = await t.db('billing_subscriptions').where('tenant_id', o.tenantId).first();
        assert.deepEqual([sub.current_period_start, sub.current_period_end], ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
      }
      // The yearly one is mid-period: untouched.
      const y = await t.db('billing_subscriptions').where('tenant_id', yearly.tenantId).first();
      assert.deepEqual([y.plan_id, y.current_period_end], ['business', '2027-02-01T00:00:00.000Z']);

      // The cancellation took effect: back to free, in a fresh period, reported.
      const c = await t.db('billing_subscriptions').where('tenant_id', canceler.tenantId).first();
      assert.equal(c.plan_id, 'free');
      assert.equal(c.status, 'active');
      assert.equal(Boolean(c.cancel_at_period_end), false);
      assert.equal(c.current_period_end, '2026-04-01T00:00:00.000Z');
      const changes = await eventRows(t, 'billing.subscription.changed', { tenant_id: canceler.tenantId });
      assert.deepEqual(changes.at(-1)!.payload, {
        tenant_id: canceler.tenantId,
        plan_id: 'free',
        previous_plan_id: 'pro',
        status: 'active',
        billing_cycle: 'monthly',
        cancel_at_period_end: false,
      });

      const [run] = await t.db('core_job_runs').where({ job: JOB, trigger: 'manual' });
      assert.equal(run.status, 'succeeded');
    },
  );

  it("the downgraded tenant gets free's limits at once (no stale cached plan): the 7th key is refused", async () => {
    const owner = await login(t, canceler.email); // a token at the new time
    const view = await t.api('GET', '/billing/subscription', { headers: owner.headers });
    assert.equal(view.body.plan_id, 'free');
    assert.equal(view.body.limits.max_api_keys, 5);
    assert.equal(view.body.usage.api_keys, 6);
    const res = assertError(
      await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'seventh', scopes: ['usage:read'] } }),
      402,
      'usage_limit_reached',
    );
    assert.match(res.detail, /max_api_keys on plan "free": 6 of 5 API keys in use/);
  });

  it('a second run changes nothing: same rows, no second event', async () => {
    const before = await snapshot(t);
    clock.advance(60_000);
    assert.equal(await t.app.scheduler.runNow(JOB), 'succeeded');
    const direct = await t.billing.closer.close();
    assert.deepEqual(direct, { closedRows: 0, closedMonths: [], rolledSubscriptions: 0, downgraded: 0 });
    const after = await snapshot(t);
    assert.deepEqual(after, before);
    assert.equal((await eventRows(t, 'usage.period_closed')).length, 1);
    assert.equal(await count(t.db('core_job_runs').where({ job: JOB, status: 'succeeded' })), 2);
  });

  it('March usage starts from zero while February stays in history', async () => {
    await setOverrides(t, await loginAdmin(t), a.tenantId, { notes_per_month: 3 });
    await t.meter.consume(a.tenantId, 'notes_per_month', 3);
    await assert.rejects(t.meter.consume(a.tenantId, 'notes_per_month'), { status: 402 });
    const history = await t.meter.history(a.tenantId, 2);
    assert.deepEqual(
      history.map((h) => [h.period, h.usage.notes_per_month]),
      [
        ['2026-03', 3],
        ['2026-02', 5],
      ],
    );
  });

  it('a closer running beside another (two at once) reports each month once', async () => {
    clock.set('2026-04-01T00:01:00.000Z');
    const results = await Promise.all([t.billing.closer.close(), t.billing.closer.close()]);
    assert.deepEqual(results.map((r) => r.closedMonths).sort(), [[], ['2026-03']]);
    assert.deepEqual(
      (await eventRows(t, 'usage.period_closed')).map((e) => e.payload.period),
      ['2026-02', '2026-03'],
    );
  });
});

describe('billing: catch-up of the period reset after downtime', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await database?.drop();
  });

  const runs = (t: BillingApp) => t.db('core_job_runs').where('job', JOB).orderBy('id');

  it('down across the 1st for 3 days: one catch-up run at the next boot closes the month', async () => {
    const clock = new ManualClock('2026-03-30T12:00:00.000Z');
    const first = await startBillingApp({ clock, database, extraPlugins: ['example'] });
    const owner = await registerOwner(first);
    await first.meter.consume(owner.tenantId, 'notes_per_month', 2);
    assert.deepEqual(await runs(first), [], 'nothing was due at the first boot');
    await first.close();

    clock.advance(3 * 86_400_000); // 2026-04-02T12:00Z: the 04-01 and 04-02 ticks were missed
    const second = await startBillingApp({ clock, database, extraPlugins: ['example'] });
    try {
      const rows = await runs(second);
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.equal(rows[0].trigger, 'catchup');
      assert.equal(rows[0].status, 'succeeded');
      assert.equal(rows[0].scheduled_for, '2026-04-02T00:01:00.000Z', 'the latest missed tick');
      const march = await second.db('billing_usage').where({ tenant_id: owner.tenantId, period_key: '2026-03' }).first();
      assert.equal(march.closed_at, '2026-04-02T12:00:00.000Z');
      assert.equal(Number(march.used), 2);
      const [event] = await eventRows(second, 'usage.period_closed');
      assert.deepEqual(event.payload, { period: '2026-03', tenants: 1, next_period: '2026-04' });
      const sub = await second.db('billing_subscriptions').where('tenant_id', owner.tenantId).first();
      assert.equal(sub.current_period_end, '2026-05-01T00:00:00.000Z');
    } finally {
      await second.close();
    }

    // A third boot the same day has nothing to catch up.
    clock.advance(3_600_000);
    const third = await startBillingApp({ clock, database, extraPlugins: ['example'] });
    try {
      assert.equal((await runs(third)).length, 1);
      assert.equal((await eventRows(third, 'usage.period_closed')).length, 1);
    } finally {
      await third.close();
    }
  });

  it('down for 3 days within a month: the catch-up runs and closes the finished days, no month event', async () => {
    const clock = new ManualClock('2026-06-10T12:00:00.000Z');
    const first = await startBillingApp({ clock, database, extraPlugins: ['example'] });
    const owner = await registerOwner(first);
    await first.meter.consume(owner.tenantId, 'notes_per_month', 1);
    await first.close();
    clock.advance(3 * 86_400_000);
    const second = await startBillingApp({ clock, database, extraPlugins: ['example'] });
    try {
      const rows = await runs(second);
      assert.deepEqual(
        rows.map((r: { trigger: string; status: string }) => [r.trigger, r.status]),
        [['catchup', 'succeeded']],
      );
      const usage = await second.db('billing_usage').where('tenant_id', owner.tenantId);
      const byKey = Object.fromEntries(usage.map((r: Row) => [r.period_key, r.closed_at]));
      assert.equal(byKey['2026-06-10'], '2026-06-13T12:00:00.000Z');
      assert.equal(byKey['2026-06'], null);
      assert.equal((await eventRows(second, 'usage.period_closed')).length, 0);
    } finally {
      await second.close();
    }
  });
});

describe('billing: the period reset is set-based', () => {
  it("one run closes 5,000 tenants' usage rows and reports them in one event", async function () {
    this.timeout(120_000);
    const clock = new ManualClock('2026-09-15T10:00:00.000Z');
    const t = await startBillingApp({ clock, extraPlugins: ['example'] });
    try {
      const now = clock.now().toISOString();
      const rows = Array.from({ length: 5000 }, (_, i) => ({
        tenant_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        metric: 'notes_per_month',
        period_key: '2026-09',
        used: 1 + (i % 50),
        updated_at: now,
      }));
      // One multi-row insert (knex's SQLite form is a compound SELECT, capped at 500 terms).
      await t.db.raw(
        `INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        rows.flatMap((r) => [r.tenant_id, r.metric, r.period_key, r.used, r.updated_at]),
      );
      assert.equal(await count(t.db('billing_usage').whereNull('closed_at')), 5000);

      clock.set('2026-10-01T00:01:00.000Z');
      assert.equal(await t.app.scheduler.runNow(JOB), 'succeeded');
      assert.equal(await count(t.db('billing_usage').whereNull('closed_at')), 0);
      assert.equal(await count(t.db('billing_usage').where('closed_at', '2026-10-01T00:01:00.000Z')), 5000);
      const events = await eventRows(t, 'usage.period_closed');
      assert.deepEqual(
        events.map((e) => e.payload),
        [{ period: '2026-09', tenants: 5000, next_period: '2026-10' }],
      );
      const total = await t.db('billing_usage').sum({ s: 'used' }).first();
      assert.equal(
        Number(total!.s),
        rows.reduce((s, r) => s + r.used, 0),
        'counts are kept',
      );

      clock.advance(60_000);
      const again = await t.billing.closer.close();
      assert.equal(again.closedRows, 0);
      assert.equal((await eventRows(t, 'usage.period_closed')).length, 1);
    } finally {
      await t.close();
    }
  });
});
