// What every job run deleted, per table: the core's deleteInBatches adds to the report of the job
// run it is called in (core.retention's and each plugin's prune job alike), a job may return a
// report of its own, the scheduler stores it with the run (core_job_runs.report), and GET
// /admin/api/system shows each job's last one. Two runs at once keep their reports apart.
import assert from 'node:assert/strict';
import { ManualClock } from '../../core/clock.js';
import type { Retention } from '../../core/retention.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const NOW = '2026-08-01T12:00:00.000Z';
const daysAgo = (n: number) => new Date(Date.parse(NOW) - n * 86_400_000).toISOString();
const ADMIN = { email: 'root@job-reports.test', password: 'Operator-pass-for-reports-42' };

describe('job reports: what each job run deleted', () => {
  const clock = new ManualClock(NOW);
  let t: TestApp;
  let retention: Retention;
  before(async () => {
    t = await createTestApp({
      clock,
      plugins: ['auth'],
      settings: { auth: { admin: ADMIN } },
      overrides: { retention: { deliveredEventDays: 7, jobRunsPerJob: 200, mailOutboxDays: 30, batchSize: 2 }, scheduler: { enabled: false } },
    });
    retention = t.app.container.resolve<Retention>('retention');
  });
  after(async () => t?.close());

  const mails = (subject: string, n: number, age: number) =>
    t.app
      .db('core_mail_outbox')
      .insert(
        Array.from({ length: n }, () => ({ from: 'p@x.test', to: '[]', subject, raw: 'raw', transport: 'outbox', status: 'stored', created_at: daysAgo(age) })),
      );
  const lastReport = async (job: string) => {
    const run = await t.app.db('core_job_runs').where('job', job).orderBy('id', 'desc').first('status', 'report');
    return { status: run.status as string, report: run.report === null ? null : JSON.parse(run.report) };
  };

  it('deleteInBatches reports its rows and batches; a returned report is added; a failed run keeps what it deleted; a quiet job reports nothing', async () => {
    await mails('batched', 5, 40);
    await mails('fails', 1, 40);
    t.app.scheduler.add({
      name: 'test.batched',
      schedule: '0 4 * * *',
      run: async () => void (await retention.deleteInBatches('core_mail_outbox', 'id', (q) => q.where('subject', 'batched'))),
    });
    t.app.scheduler.add({
      name: 'test.returns',
      schedule: '0 4 * * *',
      run: async () => {
        await retention.deleteInBatches('core_mail_outbox', 'id', (q) => q.where('subject', 'none such'));
        return { deleted: { elsewhere: 3 } };
      },
    });
    t.app.scheduler.add({
      name: 'test.fails',
      schedule: '0 4 * * *',
      run: async () => {
        await retention.deleteInBatches('core_mail_outbox', 'id', (q) => q.where('subject', 'fails'));
        throw new Error('broke after deleting');
      },
    });
    t.app.scheduler.add({ name: 'test.quiet', schedule: '0 4 * * *', run: async () => undefined });

    assert.equal(await t.app.scheduler.runNow('test.batched'), 'succeeded');
    const batched = await lastReport('test.batched');
    assert.equal(batched.report.batches, 3, '5 rows in batches of 2');
    assert.ok(batched.report.slowestBatchMs >= 0);
    assert.deepEqual(batched.report.deleted, { core_mail_outbox: 5 });

    assert.equal(await t.app.scheduler.runNow('test.returns'), 'succeeded');
    assert.deepEqual(await lastReport('test.returns'), { status: 'succeeded', report: { deleted: { core_mail_outbox: 0, elsewhere: 3 } } });

    assert.equal(await t.app.scheduler.runNow('test.fails'), 'failed');
    const failed = await lastReport('test.fails');
    assert.deepEqual([failed.status, failed.report.deleted], ['failed', { core_mail_outbox: 1 }]);

    assert.equal(await t.app.scheduler.runNow('test.quiet'), 'succeeded');
    assert.deepEqual(await lastReport('test.quiet'), { status: 'succeeded', report: null });

    // Outside a job run, deleteInBatches deletes and reports to no run.
    await mails('outside', 1, 40);
    assert.equal(await retention.deleteInBatches('core_mail_outbox', 'id', (q) => q.where('subject', 'outside')), 1);
  });

  it('two job runs at once keep their reports apart', async () => {
    await mails('left', 4, 40);
    await mails('right', 3, 40);
    // Each run waits until both have started, so their deletes (2 and 3 batches) interleave.
    let started = 0;
    let bothStarted: () => void;
    const barrier = new Promise<void>((resolve) => (bothStarted = resolve));
    const prune = (subject: string) => async () => {
      if (++started === 2) bothStarted();
      await barrier;
      await retention.deleteInBatches('core_mail_outbox', 'id', (q) => q.where('subject', subject));
    };
    t.app.scheduler.add({ name: 'test.left', schedule: '0 4 * * *', run: prune('left') });
    t.app.scheduler.add({ name: 'test.right', schedule: '0 4 * * *', run: prune('right') });
    assert.deepEqual(await Promise.all([t.app.scheduler.runNow('test.left'), t.app.scheduler.runNow('test.right')]), ['succeeded', 'succeeded']);
    assert.deepEqual((await lastReport('test.left')).report.deleted, { core_mail_outbox: 4 });
    assert.deepEqual((await lastReport('test.right')).report.deleted, { core_mail_outbox: 3 });
  });

  it('GET /admin/api/system shows each job’s last report: core.retention’s and a plugin prune job’s', async () => {
    await mails('old', 3, 45);
    await t.app.db('auth_audit_logs').insert({ actor_type: 'system', action: 'test.ancient', created_at: daysAgo(400) });
    clock.advance(1000);
    assert.equal(await t.app.scheduler.runNow('core.retention'), 'succeeded');
    assert.equal(await t.app.scheduler.runNow('auth.purge-expired'), 'succeeded');

    const login = await t.request('POST', '/api/v2/auth/login', { body: ADMIN });
    assert.equal(login.status, 200, login.text);
    const res = await t.request('GET', '/admin/api/system', { headers: { authorization: `Bearer ${login.body.access_token}` } });
    assert.equal(res.status, 200, res.text);
    const jobs = new Map((res.body.jobs as Array<{ job: string; last: { status: string; report: unknown } | null }>).map((j) => [j.job, j.last]));
    const core = jobs.get('core.retention')!;
    assert.equal(core.status, 'succeeded');
    assert.deepEqual(core.report, {
      deleted: { core_events: 0, core_event_handled: 0, core_job_runs: 0, core_mail_outbox: 3 }, // no core_rate_limits: the memory store here
      batches: 2,
      slowestBatchMs: (core.report as { slowestBatchMs: number }).slowestBatchMs,
    });
    // A plugin's job: every table it prunes, the one it found rows in with their count.
    const auth = jobs.get('auth.purge-expired')! as { report: { deleted: Record<string, number> } };
    assert.equal(auth.report.deleted.auth_audit_logs, 1);
    assert.equal(auth.report.deleted.auth_sessions, 0);
    assert.deepEqual(
      Object.entries(auth.report.deleted).filter(([table, rows]) => table !== 'auth_audit_logs' && rows !== 0),
      [],
      JSON.stringify(auth.report),
    );
    assert.equal(jobs.get('test.quiet')?.report, null, 'a job that deletes nothing reports nothing');
    assert.equal(res.body.storage.retention, undefined, 'one place for every report: the jobs');
  });
});
