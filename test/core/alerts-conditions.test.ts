// The core's alert conditions (issue 37, Alerts), each produced for real and then made to clear:
// dead-lettered events, a job failing N times in a row, a failed backup, the database past its size
// threshold, the disk under its free-space threshold. Each is raised once (a second evaluation
// raises nothing), mailed to the superadmin, emitted as core.alert.raised, then cleared the same
// way (test/helpers/alerts.ts). HTTP 5xx, the AI provider and SMTP are in alerts-traffic.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Alerts } from '../../core/alerts/alerts.js';
import { alertsApp, expectCleared, expectRaisedOnce, rowsOf, signInOperator } from '../helpers/alerts.js';
import type { TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/processes.js';

describe('alerts: the core conditions, raised once, mailed, emitted and cleared', function () {
  this.timeout(60_000);
  let t: TestApp;
  let alerts: Alerts;

  before(async () => {
    t = await alertsApp({
      overrides: {
        events: { maxAttempts: 2 },
        alerts: { thresholds: { jobFailuresInARow: 3 } },
        backup: { dir: path.join(process.env.TMPDIR ?? '/tmp', `plinth-alerts-${process.pid}-${Date.now()}`) },
      },
    });
    alerts = t.app.container.resolve('alerts');
  });
  after(async () => {
    fs.rmSync(t?.app.config.backup.dir ?? '', { recursive: true, force: true });
    await t?.close();
  });

  it('dead events: raised when delivery gives up, cleared once the operator replays them and they are delivered', async () => {
    let failing = true;
    t.app.events.subscribe('test.probe.sent', 'test:probe', () => {
      if (failing) throw new Error('the probe handler is down');
    });
    const id = await t.app.events.emit(t.app.db, 'test.probe.sent', { n: 1 });
    await waitFor('the probe event to be dead', async () => (await t.app.db('core_events').where('id', id).first('status'))?.status === 'dead');

    const alert = await expectRaisedOnce(t, 'events.dead');
    assert.equal(alert.severity, 'warning');
    assert.match(alert.summary, /^1 dead event in the outbox \(newest: test\.probe\.sent #\d+\)$/);
    assert.equal(alert.details.dead, 1);
    assert.equal(alert.details.newest_error, 'Error: the probe handler is down');

    failing = false;
    const admin = await signInOperator(t);
    const replay = await t.request('POST', `/admin/api/system/events/${id}/replay`, { headers: admin.headers });
    assert.equal(replay.status, 200, replay.text);
    await waitFor('the replayed event to be delivered', async () => (await t.app.db('core_events').where('id', id).first('status'))?.status === 'delivered');
    await expectCleared(t, 'events.dead');
  });

  it('a job failing N times in a row (run by the scheduler): raised at the Nth failure, not before; cleared by a run that succeeds', async () => {
    let fail = true;
    t.app.scheduler.add({
      name: 'test.flaky',
      schedule: '0 4 * * *',
      run: async () => {
        if (fail) throw new Error('the flaky job broke\n    at somewhere (stack)');
      },
    });
    // Runs of one tick are unique: each manual run stands for "now", a millisecond apart at least.
    const runNow = async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return t.app.scheduler.runNow('test.flaky');
    };
    assert.equal(await runNow(), 'failed');
    assert.equal(await runNow(), 'failed');
    await alerts.evaluate();
    assert.deepEqual(await rowsOf(t, 'jobs.failing:test.flaky'), [], 'two failures in a row are not three');
    assert.equal(await runNow(), 'failed');

    const alert = await expectRaisedOnce(t, 'jobs.failing:test.flaky');
    assert.equal(alert.summary, 'Job test.flaky failed 3 times in a row: Error: the flaky job broke');
    assert.equal(alert.details.job, 'test.flaky');

    fail = false;
    assert.equal(await runNow(), 'succeeded');
    await expectCleared(t, 'jobs.failing:test.flaky');
  });

  it('a failed backup (its folder is a file), evaluated by the core.alerts job: critical; cleared by the next backup that succeeds', async () => {
    const dir = t.app.config.backup.dir!;
    fs.writeFileSync(dir, 'not a folder');
    assert.equal(await t.app.scheduler.runNow('core.backup'), 'failed');
    let tick = 0;
    // The job itself, as the scheduler runs it every minute (a manual run per call, so each is its own tick).
    const job = async () => {
      await new Promise((resolve) => setTimeout(resolve, 2 + tick++));
      assert.equal(await t.app.scheduler.runNow('core.alerts'), 'succeeded');
    };
    const alert = await expectRaisedOnce(t, 'backup.failed', job);
    assert.equal(alert.severity, 'critical');
    assert.match(alert.summary, /^The last backup failed \(schedule\): /);
    assert.equal(alert.details.trigger, 'schedule');

    fs.rmSync(dir);
    assert.equal(await t.app.scheduler.runNow('core.backup'), 'succeeded');
    await expectCleared(t, 'backup.failed', job);
  });

  it('the database past alerts.thresholds.databaseBytes; cleared when under it again (the threshold raised)', async () => {
    const thresholds = t.app.config.alerts.thresholds;
    thresholds.databaseBytes = 1;
    const alert = await expectRaisedOnce(t, 'database.size');
    assert.ok(Number(alert.details.bytes) > 1, 'the size on disk');
    assert.match(alert.summary, /^The database is [\d.]+ MiB, past 0\.0 MiB \(alerts\.thresholds\.databaseBytes\)$/);
    thresholds.databaseBytes = 1024 ** 4;
    await expectCleared(t, 'database.size');
    thresholds.databaseBytes = null;
  });

  it('free disk space under alerts.thresholds.diskFreeBytes or diskFreePercent; cleared when there is enough again', async () => {
    const thresholds = t.app.config.alerts.thresholds;
    thresholds.diskFreePercent = 100; // no disk has every byte free
    const alert = await expectRaisedOnce(t, 'disk.free');
    assert.equal(alert.severity, 'critical');
    assert.equal(alert.host, os.hostname(), 'about the disk of the instance that evaluated');
    const stats = fs.statfsSync(t.app.config.dataDir);
    assert.equal(alert.details.total_bytes, stats.blocks * stats.bsize, 'the data folder’s file system');
    thresholds.diskFreePercent = 0;
    thresholds.diskFreeBytes = Number.MAX_SAFE_INTEGER;
    await alerts.evaluate();
    assert.equal((await rowsOf(t, 'disk.free')).filter((r) => !r.cleared_at).length, 1, 'too few bytes free: still the same open alert');
    thresholds.diskFreeBytes = 0;
    await expectCleared(t, 'disk.free');
  });
});
