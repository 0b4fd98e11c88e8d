// Longer than most: the scheduler's whole contract (leases across instances, catch-up at boot, the CLI) reads in one place.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../core/clock.js';
import type { Job } from '../../core/scheduler.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/database.js';
import { openDatabase, runPlinth, writeConfig, writePlugins } from '../helpers/processes.js';

const TICK = 'example.tick';
const jobOf = (t: TestApp, name = TICK): Job => {
  const job = t.app.scheduler.list().find((j) => j.name === name);
  assert.ok(job, `job ${name} is registered`);
  return job;
};
const runs = (t: TestApp, job = TICK) =>
  t.app.db('core_job_runs').where('job', job).orderBy('id').select('scheduled_for', 'trigger', 'status', 'instance', 'error', 'started_at', 'finished_at');
const ticks = (t: TestApp) => t.app.db('example_ticks').orderBy('id').select('scheduled_for', 'trigger');

/** Boots an app on `database` and stops its cron timers at once, so only the test drives ticks. */
async function boot(database: TestDatabase, clock: ManualClock, options: Parameters<typeof createTestApp>[0] = {}): Promise<TestApp> {
  const t = await createTestApp({ database, clock, ...options });
  await t.app.scheduler.stop();
  return t;
}

// The lease matters most on PostgreSQL (several instances); it runs there on both passes, and on a shared SQLite file too.
const leaseTargets: Array<'sqlite' | 'postgres'> = usingPostgres ? ['postgres'] : ['sqlite', 'postgres'];

describe('runtime: scheduler', () => {
  for (const dialect of leaseTargets) {
    describe(`the job lease: two instances on one ${dialect} database`, () => {
      let database: TestDatabase;
      let clock: ManualClock;
      let a: TestApp;
      let b: TestApp;
      beforeEach(async () => {
        database = await createTestDatabase({ dialect });
        clock = new ManualClock('2026-03-01T10:07:00.000Z');
        a = await boot(database, clock);
        b = await boot(database, clock);
      });
      afterEach(async () => {
        await b?.close();
        await a?.close();
        await database.drop();
      });

      it(
        'a holder that stopped renewing mid-run: the watcher takes the job over, closes its run as abandoned and runs the tick again; a live holder ' +
          'is left alone',
        async () => {
          clock.advance(4 * 60_000); // 10:11, the 10:10 tick was the dead holder's
          await a.app.db('core_jobs').where('name', TICK).update({ lease_owner: 'dead-instance', lease_until: '2026-03-01T10:10:58.000Z' });
          await a.app.db('core_job_runs').insert({
            job: TICK,
            scheduled_for: '2026-03-01T10:10:00.000Z',
            trigger: 'cron',
            status: 'running',
            instance: 'dead-instance',
            started_at: '2026-03-01T10:10:00.000Z',
          });
          await Promise.all([a.app.scheduler.takeOverAbandoned(), b.app.scheduler.takeOverAbandoned()]);
          const rows = await a.app
            .db('core_job_runs')
            .where('job', TICK)
            .orderBy('id')
            .select('scheduled_for', 'attempt', 'trigger', 'status', 'instance', 'error');
          assert.equal(rows.length, 2, JSON.stringify(rows));
          assert.deepEqual([rows[0].status, Number(rows[0].attempt)], ['abandoned', 0]);
          assert.match(rows[0].error, /abandoned: instance dead-instance stopped renewing/);
          assert.deepEqual(
            [rows[1].scheduled_for, Number(rows[1].attempt), rows[1].trigger, rows[1].status],
            ['2026-03-01T10:10:00.000Z', 1, 'catchup', 'succeeded'],
          );
          assert.ok([a.app.scheduler.instanceId, b.app.scheduler.instanceId].includes(rows[1].instance));
          assert.deepEqual(await ticks(a), [{ scheduled_for: '2026-03-01T10:10:00.000Z', trigger: 'catchup' }]);
          assert.deepEqual(
            await a.app.db('core_jobs').where('name', TICK).first('lease_owner', 'lease_until'),
            { lease_owner: null, lease_until: null },
            'released',
          );

          await a.app.db('core_jobs').where('name', TICK).update({ lease_owner: 'live-instance', lease_until: '2026-03-01T10:11:20.000Z' });
          await a.app.scheduler.takeOverAbandoned();
          assert.equal((await a.app.db('core_jobs').where('name', TICK).first('lease_owner')).lease_owner, 'live-instance');
          assert.equal(
            await a.app
              .db('core_job_runs')
              .where('job', TICK)
              .count({ n: '*' })
              .then((r) => Number(r[0].n)),
            2,
          );
        },
      );

      it('both run the same tick at once: exactly one runs it, the other is skipped', async () => {
        const outcomes = await Promise.all([a.app.scheduler.runTick(jobOf(a)), b.app.scheduler.runTick(jobOf(b))]);
        assert.deepEqual([...outcomes].sort(), ['skipped', 'succeeded']);
        const rows = await runs(a);
        assert.equal(rows.length, 1);
        assert.equal(rows[0].scheduled_for, '2026-03-01T10:05:00.000Z');
        assert.equal(rows[0].trigger, 'cron');
        assert.equal(rows[0].status, 'succeeded');
        const winner = outcomes[0] === 'succeeded' ? a : b;
        assert.equal(rows[0].instance, winner.app.scheduler.instanceId);
        assert.deepEqual(await ticks(a), [{ scheduled_for: '2026-03-01T10:05:00.000Z', trigger: 'cron' }]);
        const lease = await a.app.db('core_jobs').where('name', TICK).first();
        assert.equal(lease.lease_owner, null, 'the lease is released after the run');
      });

      it('over many ticks raced by both instances, each tick runs exactly once', async () => {
        const K = 12;
        for (let i = 0; i < K; i++) {
          clock.advance(5 * 60_000);
          const outcomes = await Promise.all([a.app.scheduler.runTick(jobOf(a)), b.app.scheduler.runTick(jobOf(b))]);
          assert.equal(outcomes.filter((o) => o === 'succeeded').length, 1, `tick ${i}: ${outcomes.join(', ')}`);
        }
        const rows = await runs(a);
        assert.equal(rows.length, K);
        assert.equal(new Set(rows.map((r) => r.scheduled_for)).size, K);
        assert.equal((await ticks(a)).length, K);
      });

      it('two instances booting at once after a downtime run one catch-up between them', async () => {
        await b.close();
        await a.close();
        clock.set('2026-03-01T10:17:30.000Z');
        [a, b] = await Promise.all([boot(database, clock), boot(database, clock)]);
        const rows = await runs(a);
        assert.deepEqual(
          rows.map((r) => [r.trigger, r.scheduled_for, r.status]),
          [['catchup', '2026-03-01T10:15:00.000Z', 'succeeded']],
        );
        assert.equal((await ticks(a)).length, 1);
      });

      it('a lease held by an instance that died blocks the job until the lease expires', async () => {
        await a.app.db('core_jobs').where('name', TICK).update({ lease_owner: 'crashed-instance', lease_until: '2026-03-01T10:12:00.000Z' });
        clock.set('2026-03-01T10:10:00.000Z');
        assert.equal(await a.app.scheduler.runTick(jobOf(a)), 'skipped');
        assert.equal(await b.app.scheduler.runTick(jobOf(b)), 'skipped');
        assert.equal((await runs(a)).length, 0);
        clock.set('2026-03-01T10:12:00.000Z');
        assert.equal(await a.app.scheduler.runTick(jobOf(a)), 'skipped', 'still held at exactly lease_until');
        clock.advance(1);
        assert.equal(await b.app.scheduler.runTick(jobOf(b)), 'succeeded');
        const rows = await runs(a);
        assert.deepEqual(
          rows.map((r) => [r.scheduled_for, r.instance]),
          [['2026-03-01T10:10:00.000Z', b.app.scheduler.instanceId]],
        );
        assert.equal((await a.app.db('core_jobs').where('name', TICK).first()).lease_owner, null);
      });
    });
  }

  describe('job runs', () => {
    let t: TestApp | undefined;
    let database: TestDatabase;
    beforeEach(async () => {
      database = await createTestDatabase();
    });
    afterEach(async () => {
      await t?.close();
      t = undefined;
      await database.drop();
    });

    it('a failing job records status failed with its error, releases the lease, and the next tick runs again', async () => {
      const clock = new ManualClock('2026-03-01T10:07:00.000Z');
      t = await boot(database, clock, { settings: { example: { failTick: true } } });
      assert.equal(await t.app.scheduler.runTick(jobOf(t)), 'failed');
      let rows = await runs(t);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].status, 'failed');
      assert.match(rows[0].error, /planned tick failure/);
      assert.equal(rows[0].finished_at, '2026-03-01T10:07:00.000Z');
      assert.deepEqual(await ticks(t), []);
      assert.equal((await t.app.db('core_jobs').where('name', TICK).first()).lease_owner, null);

      clock.advance(5 * 60_000);
      assert.equal(await t.app.scheduler.runTick(jobOf(t)), 'failed');
      rows = await runs(t);
      assert.deepEqual(
        rows.map((r) => [r.scheduled_for, r.status]),
        [
          ['2026-03-01T10:05:00.000Z', 'failed'],
          ['2026-03-01T10:10:00.000Z', 'failed'],
        ],
      );
      assert.equal(await t.app.scheduler.runTick(jobOf(t)), 'skipped', 'a tick that already ran (even failed) is not run twice');
    });

    it('runNow records a manual run at the current time; an unknown job is an error naming it', async () => {
      const clock = new ManualClock('2026-03-01T10:07:30.000Z');
      t = await boot(database, clock);
      assert.equal(await t.app.scheduler.runNow(TICK), 'succeeded');
      const rows = await runs(t);
      assert.deepEqual(
        rows.map((r) => [r.scheduled_for, r.trigger, r.status]),
        [['2026-03-01T10:07:30.000Z', 'manual', 'succeeded']],
      );
      assert.deepEqual(await ticks(t), [{ scheduled_for: '2026-03-01T10:07:30.000Z', trigger: 'manual' }]);
      await assert.rejects(t.app.scheduler.runNow('example.nope'), /no job named "example\.nope"/);
    });

    it('an invalid cron schedule fails the boot with a message naming the job and the schedule', async () => {
      const dir = writePlugins(fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-plugins-')), {
        badcron: { 'index.js': `export default { name: 'badcron', jobs: [{ name: 'sweep', schedule: 'every minute', async run() {} }] };\n` },
      });
      try {
        await assert.rejects(createTestApp({ database, plugins: ['badcron'], overrides: { pluginDirs: ['plugins', dir] } }), (err: Error) => {
          assert.match(err.message, /job "badcron\.sweep" has an invalid cron schedule "every minute"/);
          return true;
        });
        // The same through the CLI: the process exits non-zero with the message.
        const config = writeConfig(database, { plugins: ['badcron'], pluginDirs: ['plugins', dir] });
        const cli = await runPlinth(['migrate'], config);
        assert.equal(cli.code, 1, cli.output);
        assert.match(cli.output, /job "badcron\.sweep" has an invalid cron schedule "every minute"/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('catch-up at boot (ManualClock)', () => {
    let database: TestDatabase;
    let clock: ManualClock;
    let t: TestApp | undefined;
    const reboot = async (options: Parameters<typeof createTestApp>[0] = {}) => {
      await t?.close();
      t = await boot(database, clock, options);
      return t;
    };
    beforeEach(async () => {
      database = await createTestDatabase();
      clock = new ManualClock('2026-03-01T10:02:00.000Z');
    });
    afterEach(async () => {
      await t?.close();
      t = undefined;
      await database.drop();
    });

    it('first boot records the job without a run; a later boot runs one catch-up for the latest missed tick, once', async () => {
      await reboot();
      const job = await t!.app.db('core_jobs').where('name', TICK).first();
      assert.equal(job.schedule, '*/5 * * * *');
      assert.equal(job.created_at, '2026-03-01T10:02:00.000Z');
      assert.equal((await runs(t!)).length, 0, 'no catch-up on the first boot');

      clock.set('2026-03-01T10:17:30.000Z'); // 10:05, 10:10 and 10:15 were missed while down
      await reboot();
      let rows = await runs(t!);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].trigger, 'catchup');
      assert.equal(rows[0].status, 'succeeded');
      assert.equal(rows[0].scheduled_for, '2026-03-01T10:15:00.000Z');
      assert.deepEqual(await ticks(t!), [{ scheduled_for: '2026-03-01T10:15:00.000Z', trigger: 'catchup' }]);

      await reboot(); // same time again
      assert.equal((await runs(t!)).length, 1, 'no second catch-up for the same tick');

      clock.set('2026-03-01T10:19:59.999Z');
      await reboot();
      assert.equal((await runs(t!)).length, 1, 'no tick was missed since the catch-up');

      clock.set('2026-03-01T10:20:00.000Z');
      await reboot();
      rows = await runs(t!);
      assert.deepEqual(
        rows.map((r) => [r.scheduled_for, r.trigger]),
        [
          ['2026-03-01T10:15:00.000Z', 'catchup'],
          ['2026-03-01T10:20:00.000Z', 'catchup'],
        ],
      );
    });

    it('a tick that ran on schedule before the shutdown is not caught up again', async () => {
      await reboot();
      clock.set('2026-03-01T10:05:00.400Z');
      assert.equal(await t!.app.scheduler.runTick(jobOf(t!)), 'succeeded');
      clock.set('2026-03-01T10:09:00.000Z');
      await reboot();
      assert.deepEqual(
        (await runs(t!)).map((r) => r.trigger),
        ['cron'],
      );
    });

    it('manual runs do not count as the scheduled tick: the missed tick is still caught up', async () => {
      await reboot();
      clock.set('2026-03-01T10:06:00.000Z');
      assert.equal(await t!.app.scheduler.runNow(TICK), 'succeeded');
      clock.set('2026-03-01T10:07:00.000Z');
      await reboot();
      assert.deepEqual(
        (await runs(t!)).map((r) => [r.trigger, r.scheduled_for]),
        [
          ['manual', '2026-03-01T10:06:00.000Z'],
          ['catchup', '2026-03-01T10:05:00.000Z'],
        ],
      );
    });

    it('a boot with nothing due writes nothing to the job tables (no lease taken); a lease a dead instance left still leads to the catch-up', async () => {
      await reboot();
      await t!.close();
      t = await createTestApp({ database, clock, start: false });
      const writes: string[] = [];
      t.app.db.on('query', (q: { sql: string }) => {
        if (/^\s*(insert|update|delete)\b.*\b(core_jobs|core_job_runs)\b/is.test(q.sql)) writes.push(q.sql);
      });
      await t.app.start();
      await t.app.scheduler.stop();
      assert.deepEqual(writes, [], 'nothing was due and the schedules did not change');

      // A dead instance left its lease on the job while a tick was missed: the boot goes the leased way and runs it.
      await t.app.db('core_jobs').where('name', TICK).update({ lease_owner: 'dead-instance', lease_until: '2026-03-01T10:02:30.000Z' });
      clock.set('2026-03-01T10:06:00.000Z');
      await reboot();
      const rows = await runs(t!);
      assert.deepEqual(
        rows.map((r) => [r.trigger, r.status, r.scheduled_for]),
        [['catchup', 'succeeded', '2026-03-01T10:05:00.000Z']],
      );
      assert.deepEqual(await t!.app.db('core_jobs').where('name', TICK).first('lease_owner', 'lease_until'), { lease_owner: null, lease_until: null });
    });

    it('a job without catchUp is never caught up', async () => {
      const withPlainJob = async () => {
        await t?.close();
        t = await createTestApp({ database, clock, start: false });
        t.app.scheduler.add({ name: 'runtime.plain', schedule: '*/5 * * * *', run: async () => undefined });
        await t.app.start();
        await t.app.scheduler.stop();
      };
      await withPlainJob();
      clock.set('2026-03-01T10:17:30.000Z');
      await withPlainJob();
      assert.equal((await runs(t!, 'runtime.plain')).length, 0);
      assert.equal((await runs(t!)).length, 1, 'example.tick (catchUp: true) was caught up beside it');
    });
  });

  describe('the CLI: plinth jobs', function () {
    this.timeout(60_000);
    let database: TestDatabase;
    beforeEach(async () => {
      database = await createTestDatabase();
    });
    afterEach(async () => database.drop());

    it('jobs list, jobs run example.tick (recorded as manual), jobs list again', async () => {
      const config = writeConfig(database);
      let cli = await runPlinth(['jobs', 'list'], config);
      assert.equal(cli.code, 0, cli.output);
      assert.match(cli.output, /^example\.tick\t\*\/5 \* \* \* \*\tnever run$/m);

      cli = await runPlinth(['jobs', 'run', 'example.tick'], config);
      assert.equal(cli.code, 0, cli.output);
      assert.match(cli.output, /^example\.tick: succeeded$/m);

      const db = openDatabase(database);
      try {
        const rows = await db('core_job_runs').select('job', 'trigger', 'status');
        assert.deepEqual(rows, [{ job: 'example.tick', trigger: 'manual', status: 'succeeded' }]);
        assert.deepEqual(await db('example_ticks').pluck('trigger'), ['manual']);
        assert.equal((await db('core_jobs').where('name', TICK).first()).lease_owner, null);
      } finally {
        await db.destroy();
      }

      cli = await runPlinth(['jobs', 'list'], config);
      assert.equal(cli.code, 0, cli.output);
      assert.match(cli.output, /^example\.tick\t\*\/5 \* \* \* \*\tsucceeded at \d{4}-\d\d-\d\dT[\d:.]+Z \(manual\)$/m);
    });

    it('jobs run of a failing job exits 1 and records the failure; an unknown job exits non-zero naming it', async () => {
      const config = writeConfig(database, { settings: { example: { failTick: true } } });
      let cli = await runPlinth(['jobs', 'run', 'example.tick'], config);
      assert.equal(cli.code, 1, cli.output);
      assert.match(cli.output, /^example\.tick: failed$/m);
      const db = openDatabase(database);
      try {
        const row = await db('core_job_runs').first();
        assert.equal(row.status, 'failed');
        assert.equal(row.trigger, 'manual');
        assert.match(row.error, /planned tick failure/);
      } finally {
        await db.destroy();
      }

      cli = await runPlinth(['jobs', 'run', 'example.nope'], config);
      assert.notEqual(cli.code, 0);
      assert.match(cli.output, /no job named "example\.nope"/);
    });
  });
});
