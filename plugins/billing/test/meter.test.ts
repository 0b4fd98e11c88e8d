// Longer than most: one feature end-to-end, the meter (usage.consume) at its limits, under concurrency, across instances.
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { count, eventRows, loginAdmin, setOverrides, settle, startBillingApp, usageRows, type BillingApp } from './metering-helpers.js';

const NOW = '2026-05-14T10:00:00.000Z';

function assertRefusals(errors: unknown[], n: number, metric: string, limit: number) {
  assert.equal(errors.length, n, `${errors.length} refusals: ${errors.slice(0, 3).map(String).join('; ')}`);
  for (const err of errors) {
    assert.ok(err instanceof AppError, `not an AppError: ${String(err)}`);
    assert.equal(err.status, 402);
    assert.equal(err.code, 'usage_limit_reached');
    assert.match(err.message, new RegExp(`${metric}.*\\b${limit}\\b`));
  }
}

describe('billing: the meter (usage.consume)', () => {
  const clock = new ManualClock(NOW);
  let t: BillingApp;
  let admin: Actor;

  before(async () => {
    t = await startBillingApp({ clock, extraPlugins: ['example'] });
    admin = await loginAdmin(t);
  });
  after(() => t?.close());

  /** A fresh tenant with the given overrides. */
  async function tenant(limits: Record<string, number | null>): Promise<Actor> {
    const o = await registerOwner(t);
    await setOverrides(t, admin, o.tenantId, limits);
    return o;
  }

  it("the container's `usage` is the billing meter", () => {
    assert.equal(t.app.container.resolve('usage').provided, t.meter);
    assert.equal(typeof t.meter.consume, 'function');
  });

  describe('at the edge of a limit, under concurrency', () => {
    it('counter (limit 20): 50 concurrent consume() → exactly 20 succeed, 30 get 402 usage_limit_reached, 20 stored', async () => {
      const o = await tenant({ notes_per_month: 20 });
      const usage = t.app.container.resolve<BillingApp['meter']>('usage');
      const { ok, errors } = await settle(Array.from({ length: 50 }, () => usage.consume(o.tenantId, 'notes_per_month')));
      assert.equal(ok, 20);
      assertRefusals(errors, 30, 'notes_per_month', 20);
      const rows = await usageRows(t, o.tenantId);
      assert.equal(rows['notes_per_month/2026-05'], 20);
      assert.equal(rows['notes_per_month/2026-05-14'], 20, 'the daily breakdown counts only what was accepted');
    });

    it('counter: 50 concurrent consumes, each in its own caller transaction → 20 succeed, 20 stored', async () => {
      const o = await tenant({ notes_per_month: 20 });
      const { ok, errors } = await settle(Array.from({ length: 50 }, () => t.db.transaction((trx) => t.meter.consume(o.tenantId, 'notes_per_month', 1, trx))));
      assert.equal(ok, 20);
      assertRefusals(errors, 30, 'notes_per_month', 20);
      assert.equal((await usageRows(t, o.tenantId))['notes_per_month/2026-05'], 20);
    });

    it('counter with mixed amounts: never overshoots, every accepted unit is counted', async () => {
      const o = await tenant({ notes_per_month: 20 });
      const amounts = Array.from({ length: 30 }, (_, i) => 1 + (i % 3));
      const results = await Promise.allSettled(amounts.map((n) => t.meter.consume(o.tenantId, 'notes_per_month', n)));
      const accepted = amounts.filter((_, i) => results[i].status === 'fulfilled').reduce((s, n) => s + n, 0);
      const stored = (await usageRows(t, o.tenantId))['notes_per_month/2026-05'];
      assert.equal(stored, accepted);
      assert.ok(stored <= 20 && stored >= 18, `stored ${stored}`);
    });

    it('gauge (max_api_keys, limit 20): 50 concurrent consume() → 20 succeed, 30 refused, 20 stored; release frees one', async () => {
      const o = await tenant({ max_api_keys: 20 });
      const { ok, errors } = await settle(Array.from({ length: 50 }, () => t.meter.consume(o.tenantId, 'max_api_keys')));
      assert.equal(ok, 20);
      assertRefusals(errors, 30, 'max_api_keys', 20);
      assert.equal((await usageRows(t, o.tenantId))['max_api_keys/-'], 20);

      await t.meter.release(o.tenantId, 'max_api_keys');
      const again = await settle(Array.from({ length: 5 }, () => t.meter.consume(o.tenantId, 'max_api_keys')));
      assert.equal(again.ok, 1);
      assert.equal((await usageRows(t, o.tenantId))['max_api_keys/-'], 20);
    });

    it('50 concurrent consumes spread over 5 tenants: each tenant stops at its own limit', async () => {
      const tenants = await Promise.all(Array.from({ length: 5 }, () => tenant({ notes_per_month: 4 })));
      const { ok, errors } = await settle(Array.from({ length: 50 }, (_, i) => t.meter.consume(tenants[i % 5].tenantId, 'notes_per_month')));
      assert.equal(ok, 20);
      assert.equal(errors.length, 30);
      for (const o of tenants) assert.equal((await usageRows(t, o.tenantId))['notes_per_month/2026-05'], 4);
    });
  });

  describe('refusals and edge cases', () => {
    it("a counter's 402 names the metric, the plan, the month and when the next one starts; nothing is written", async () => {
      const o = await tenant({ notes_per_month: 2 });
      await t.meter.consume(o.tenantId, 'notes_per_month', 2);
      const err = await t.meter.consume(o.tenantId, 'notes_per_month').then(
        () => null,
        (e) => e,
      );
      assert.ok(err instanceof AppError);
      assert.equal(err.status, 402);
      assert.equal(
        err.message,
        'plan limit reached for notes_per_month on plan "free": 2 of 2 notes used in May 2026; upgrade the plan or wait for the next period (from 2026-06-01)',
      );
      const details = { metric: 'notes_per_month', limit: 2, used: 2, plan_id: 'free', kind: 'counter', period: '2026-05', resets_on: '2026-06-01' };
      assert.deepEqual(err.details, details);
      assert.equal((await usageRows(t, o.tenantId))['notes_per_month/2026-05'], 2);
    });

    it("a gauge's 402 says how many are in use and to remove some: a gauge has no next period", async () => {
      const o = await tenant({ max_api_keys: 3 });
      await t.meter.consume(o.tenantId, 'max_api_keys', 3);
      const err = await t.meter.consume(o.tenantId, 'max_api_keys').then(
        () => null,
        (e) => e,
      );
      assert.ok(err instanceof AppError);
      assert.equal(err.status, 402);
      assert.equal(err.message, 'plan limit reached for max_api_keys on plan "free": 3 of 3 API keys in use; upgrade the plan or remove some');
      assert.doesNotMatch(err.message, /period/);
      assert.deepEqual(err.details, { metric: 'max_api_keys', limit: 3, used: 3, plan_id: 'free', kind: 'gauge', period: null, resets_on: null });
      // Asking for more than is left says so; removing one makes room.
      await t.meter.release(o.tenantId, 'max_api_keys', 2);
      const big = await t.meter.consume(o.tenantId, 'max_api_keys', 3).then(
        () => null,
        (e) => e,
      );
      assert.equal(
        big.message,
        'plan limit reached for max_api_keys on plan "free": 1 of 3 API keys in use (3 more do not fit); upgrade the plan or remove some',
      );
      await t.meter.consume(o.tenantId, 'max_api_keys', 2);
    });

    it('a request larger than what is left is refused without taking the rest', async () => {
      const o = await tenant({ notes_per_month: 10 });
      await t.meter.consume(o.tenantId, 'notes_per_month', 7);
      await assert.rejects(t.meter.consume(o.tenantId, 'notes_per_month', 4), { status: 402 });
      await assert.rejects(t.meter.consume(o.tenantId, 'notes_per_month', 11), { status: 402 });
      await t.meter.consume(o.tenantId, 'notes_per_month', 3);
      assert.equal((await usageRows(t, o.tenantId))['notes_per_month/2026-05'], 10);
    });

    it('limit 0 refuses everything; null (unlimited) refuses nothing; a metric without a limit is unlimited', async () => {
      const zero = await tenant({ notes_per_month: 0 });
      await assert.rejects(t.meter.consume(zero.tenantId, 'notes_per_month'), { status: 402 });
      assert.equal((await usageRows(t, zero.tenantId))['notes_per_month/2026-05'], undefined);

      const unlimited = await tenant({ max_api_keys: null });
      await t.meter.consume(unlimited.tenantId, 'max_api_keys', 1000);
      const plain = await registerOwner(t); // the free plan has no notes_per_month limit
      await t.meter.consume(plain.tenantId, 'notes_per_month', 10_000);
      assert.equal((await usageRows(t, plain.tenantId))['notes_per_month/2026-05'], 10_000);
    });

    it('a bad amount or an undeclared metric is a programming error, not a 402', async () => {
      const o = await registerOwner(t);
      for (const n of [0, -1, 1.5])
        await assert.rejects(
          t.meter.consume(o.tenantId, 'notes_per_month', n),
          (err: Error) => !(err instanceof AppError) && /positive whole/.test(err.message),
        );
      await assert.rejects(t.meter.consume(o.tenantId, 'no_such_metric'), /not declared/);
      await assert.rejects(t.meter.release(o.tenantId, 'notes_per_month'), /only gauges/);
    });

    it('a gauge never goes below zero', async () => {
      const o = await registerOwner(t);
      await t.meter.consume(o.tenantId, 'max_api_keys', 2);
      await t.meter.release(o.tenantId, 'max_api_keys', 5);
      assert.equal((await usageRows(t, o.tenantId))['max_api_keys/-'], 0);
      await t.meter.release(o.tenantId, 'max_api_keys');
      assert.equal((await usageRows(t, o.tenantId))['max_api_keys/-'], 0);
    });

    it('a consume in a caller transaction that rolls back leaves nothing behind', async () => {
      const o = await tenant({ notes_per_month: 5 });
      await assert.rejects(
        t.db.transaction(async (trx) => {
          await t.meter.consume(o.tenantId, 'notes_per_month', 5, trx);
          throw new Error('the caller changed its mind');
        }),
        /changed its mind/,
      );
      assert.equal((await usageRows(t, o.tenantId))['notes_per_month/2026-05'] ?? 0, 0);
      assert.equal(await count(t.db('core_events').where({ name: 'usage.limit_reached', tenant_id: o.tenantId })), 0);
      await t.meter.consume(o.tenantId, 'notes_per_month', 5);
    });

    it('a daily counter limits per day and starts again the next day', async () => {
      const metrics = t.app.container.resolve('metrics');
      metrics.set('test_calls_per_day', { name: 'test_calls_per_day', kind: 'counter', period: 'day', plugins: ['test'] });
      try {
        const o = await tenant({ test_calls_per_day: 3 });
        const first = await settle(Array.from({ length: 5 }, () => t.meter.consume(o.tenantId, 'test_calls_per_day')));
        assert.equal(first.ok, 3);
        assert.equal(
          (first.errors[0] as AppError).message,
          'plan limit reached for test_calls_per_day on plan "free": 3 of 3 test_calls_per_day used on 2026-05-14; upgrade the plan or wait for the ' +
            'next period (from 2026-05-15)',
        );
        clock.advance(86_400_000);
        const second = await settle(Array.from({ length: 5 }, () => t.meter.consume(o.tenantId, 'test_calls_per_day')));
        assert.equal(second.ok, 3);
        const rows = await usageRows(t, o.tenantId);
        assert.deepEqual([rows['test_calls_per_day/2026-05-14'], rows['test_calls_per_day/2026-05-15'], rows['test_calls_per_day/2026-05']], [3, 3, undefined]);
        // History adds a daily counter's days into its month.
        const history = await t.meter.history(o.tenantId, 1);
        assert.deepEqual(history, [{ period: '2026-05', usage: { test_calls_per_day: 6 } }]);
      } finally {
        metrics.delete('test_calls_per_day');
        clock.set(NOW);
      }
    });
  });

  describe('usage.limit_reached', () => {
    const alerts = async (tenantId: string) => (await eventRows(t, 'usage.limit_reached', { tenant_id: tenantId })).map((e) => e.payload);

    it('is emitted once at 80% and once at 100% per period, not on further refusals, and again in the next period', async () => {
      const o = await tenant({ notes_per_month: 20 });
      const { ok } = await settle(Array.from({ length: 50 }, () => t.meter.consume(o.tenantId, 'notes_per_month')));
      assert.equal(ok, 20);
      for (let i = 0; i < 5; i++) await assert.rejects(t.meter.consume(o.tenantId, 'notes_per_month'), { status: 402 });
      const words = {
        kind: 'counter',
        unit: 'notes',
        period_label: 'in May 2026',
        resets_on: '2026-06-01',
        advice: 'upgrade the plan or wait for the next period (from 2026-06-01)',
      };
      assert.deepEqual(await alerts(o.tenantId), [
        {
          tenant_id: o.tenantId,
          metric: 'notes_per_month',
          period: '2026-05',
          threshold: 80,
          used: 16,
          limit: 20,
          ...words,
          summary: '16 of 20 notes used in May 2026',
        },
        {
          tenant_id: o.tenantId,
          metric: 'notes_per_month',
          period: '2026-05',
          threshold: 100,
          used: 20,
          limit: 20,
          ...words,
          summary: '20 of 20 notes used in May 2026',
        },
      ]);
      assert.equal(await count(t.db('billing_usage_alerts').where('tenant_id', o.tenantId)), 2);

      // Next month: a fresh counter, fresh alerts.
      clock.set('2026-06-02T08:00:00.000Z');
      try {
        const next = await settle(Array.from({ length: 25 }, () => t.meter.consume(o.tenantId, 'notes_per_month')));
        assert.equal(next.ok, 20);
        const june = (await alerts(o.tenantId)).filter((a) => a.period === '2026-06');
        assert.deepEqual(
          june.map((a) => [a.threshold, a.used]),
          [
            [80, 16],
            [100, 20],
          ],
        );
        assert.equal((await alerts(o.tenantId)).length, 4);
      } finally {
        clock.set(NOW);
      }
    });

    it('a jump past both thresholds at once emits both; small steps emit each once', async () => {
      const jump = await tenant({ notes_per_month: 10 });
      await t.meter.consume(jump.tenantId, 'notes_per_month', 10);
      assert.deepEqual(
        (await alerts(jump.tenantId)).map((a) => [a.threshold, a.used]),
        [
          [80, 10],
          [100, 10],
        ],
      );

      const steps = await tenant({ notes_per_month: 10 });
      for (let i = 0; i < 7; i++) await t.meter.consume(steps.tenantId, 'notes_per_month');
      assert.deepEqual(await alerts(steps.tenantId), []);
      await t.meter.consume(steps.tenantId, 'notes_per_month');
      await t.meter.consume(steps.tenantId, 'notes_per_month');
      assert.deepEqual(
        (await alerts(steps.tenantId)).map((a) => [a.threshold, a.used]),
        [[80, 8]],
      );
      await t.meter.consume(steps.tenantId, 'notes_per_month');
      await assert.rejects(t.meter.consume(steps.tenantId, 'notes_per_month'), { status: 402 });
      assert.deepEqual(
        (await alerts(steps.tenantId)).map((a) => [a.threshold, a.used]),
        [
          [80, 8],
          [100, 10],
        ],
      );
    });

    it('a request bigger than what is left is no 100% crossing; a lowered limit is, with the real usage', async () => {
      const o = await tenant({ notes_per_month: 10 });
      await t.meter.consume(o.tenantId, 'notes_per_month', 5);
      await assert.rejects(t.meter.consume(o.tenantId, 'notes_per_month', 6), { status: 402 });
      assert.deepEqual(await alerts(o.tenantId), []);
      await setOverrides(t, admin, o.tenantId, { notes_per_month: 4 });
      await assert.rejects(t.meter.consume(o.tenantId, 'notes_per_month'), { status: 402 });
      assert.deepEqual(
        (await alerts(o.tenantId)).map((a) => [a.threshold, a.used, a.limit]),
        [[100, 5, 4]],
      );
    });

    it('fires again after reset-limits (the alerts of the period are cleared)', async () => {
      const o = await tenant({ notes_per_month: 5 });
      await t.meter.consume(o.tenantId, 'notes_per_month', 5);
      assert.equal((await alerts(o.tenantId)).length, 2);
      const reset = await t.api('POST', `/admin/tenants/${o.tenantId}/reset-limits`, { headers: admin.headers });
      assert.equal(reset.status, 200, reset.text);
      await t.meter.consume(o.tenantId, 'notes_per_month', 5);
      assert.equal((await alerts(o.tenantId)).length, 4);
    });

    it('for a gauge: once at 80% and once at 100%', async () => {
      const o = await tenant({ max_api_keys: 5 });
      const { ok } = await settle(Array.from({ length: 12 }, () => t.meter.consume(o.tenantId, 'max_api_keys')));
      assert.equal(ok, 5);
      assert.deepEqual(
        (await alerts(o.tenantId)).map((a) => [a.period, a.threshold, a.used]),
        [
          ['-', 80, 4],
          ['-', 100, 5],
        ],
      );
      // Words true for a gauge: what is in use now, and no period to wait for.
      const [eighty] = await alerts(o.tenantId);
      assert.deepEqual(
        {
          kind: eighty.kind,
          unit: eighty.unit,
          period_label: eighty.period_label,
          resets_on: eighty.resets_on,
          summary: eighty.summary,
          advice: eighty.advice,
        },
        { kind: 'gauge', unit: 'API keys', period_label: null, resets_on: null, summary: '4 of 5 API keys in use', advice: 'upgrade the plan or remove some' },
      );
    });

    it('is delivered as an event with a valid payload', async () => {
      const o = await tenant({ notes_per_month: 1 });
      await t.meter.consume(o.tenantId, 'notes_per_month');
      await t.app.events.flush();
      const rows = await eventRows(t, 'usage.limit_reached', { tenant_id: o.tenantId });
      assert.equal(rows.length, 2);
      for (const r of rows) assert.equal(r.status, 'delivered');
    });
  });
});

describe('billing: the meter across two instances on one PostgreSQL database (row locking across pools)', () => {
  let database: TestDatabase;
  let a: BillingApp;
  let b: BillingApp;
  let admin: Actor;
  const clock = new ManualClock(NOW);

  before(async () => {
    // On the SQLite pass this still runs on the PostgreSQL server beside the tests: it is about PostgreSQL.
    database = await createTestDatabase({ dialect: 'postgres' });
    a = await startBillingApp({ clock, database, extraPlugins: ['example'] });
    b = await startBillingApp({ clock, database, extraPlugins: ['example'] });
    admin = await loginAdmin(a);
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await database?.drop();
  });

  it('runs on PostgreSQL', () => {
    assert.equal(a.app.container.resolve('dialect'), 'postgres');
    assert.equal(b.app.container.resolve('dialect'), 'postgres');
  });

  it('counter: 25 + 25 concurrent consumes on two instances → exactly 20 succeed, 20 stored, one 80% and one 100% alert', async () => {
    const o = await registerOwner(a);
    await setOverrides(a, admin, o.tenantId, { notes_per_month: 20 });
    const calls = [
      ...Array.from({ length: 25 }, () => a.meter.consume(o.tenantId, 'notes_per_month')),
      ...Array.from({ length: 25 }, () => b.meter.consume(o.tenantId, 'notes_per_month')),
      // and some in callers' own transactions, on both pools
      ...Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).db.transaction((trx) => (i % 2 ? a : b).meter.consume(o.tenantId, 'notes_per_month', 1, trx))),
    ];
    const { ok, errors } = await settle(calls);
    assert.equal(ok, 20);
    assertRefusals(errors, 40, 'notes_per_month', 20);
    assert.equal((await usageRows(a, o.tenantId))['notes_per_month/2026-05'], 20);
    assert.equal((await usageRows(a, o.tenantId))['notes_per_month/2026-05-14'], 20);
    const alerts = await eventRows(a, 'usage.limit_reached', { tenant_id: o.tenantId });
    assert.deepEqual(alerts.map((e) => e.payload.threshold).sort(), [100, 80]);
  });

  it('gauge: 25 + 25 concurrent consumes on two instances → exactly 20 succeed, 20 stored', async () => {
    const o = await registerOwner(a);
    await setOverrides(a, admin, o.tenantId, { max_api_keys: 20 });
    const { ok, errors } = await settle([
      ...Array.from({ length: 25 }, () => a.meter.consume(o.tenantId, 'max_api_keys')),
      ...Array.from({ length: 25 }, () => b.meter.consume(o.tenantId, 'max_api_keys')),
    ]);
    assert.equal(ok, 20);
    assertRefusals(errors, 30, 'max_api_keys', 20);
    assert.equal((await usageRows(a, o.tenantId))['max_api_keys/-'], 20);
  });

  it('many tenants in both instances’ batches, in opposite orders: no deadlock, each stops at its limit', async () => {
    const tenants = await Promise.all(Array.from({ length: 8 }, () => registerOwner(a)));
    for (const o of tenants) await setOverrides(a, admin, o.tenantId, { notes_per_month: 5 });
    const reversed = [...tenants].reverse();
    const { ok, errors } = await settle(
      Array.from({ length: 10 }, () => [
        ...tenants.map((o) => a.meter.consume(o.tenantId, 'notes_per_month')),
        ...reversed.map((o) => b.meter.consume(o.tenantId, 'notes_per_month')),
      ]).flat(),
    );
    assert.equal(ok, 40);
    assertRefusals(errors, 120, 'notes_per_month', 5);
    for (const o of tenants) assert.equal((await usageRows(a, o.tenantId))['notes_per_month/2026-05'], 5);
  });

  it('a limit raised on one instance applies on the other (invalidation over pub/sub)', async () => {
    const o = await registerOwner(a);
    await setOverrides(a, admin, o.tenantId, { notes_per_month: 1 });
    await b.meter.consume(o.tenantId, 'notes_per_month'); // b caches the limit 1
    await assert.rejects(b.meter.consume(o.tenantId, 'notes_per_month'), { status: 402 });
    await setOverrides(a, admin, o.tenantId, { notes_per_month: 3 }); // through instance a
    const deadline = Date.now() + 5000;
    for (;;) {
      const r = await b.meter.consume(o.tenantId, 'notes_per_month').then(
        () => true,
        () => false,
      );
      if (r) break;
      assert.ok(Date.now() < deadline, 'instance b never saw the raised limit');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal((await usageRows(a, o.tenantId))['notes_per_month/2026-05'], 2);
  });
});
