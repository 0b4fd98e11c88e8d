// Retention of the platform's own bookkeeping (issue: bookkeeping that grows forever): delivered
// events and their handled records older than `retention.deliveredEventDays`, and job runs beyond
// the newest `retention.jobRunsPerJob` per job, deleted in batches of `retention.batchSize`, each
// its own short transaction. Pending and dead events, and running runs, are kept. The System API
// shows table sizes (what each job deleted: job-reports.test.ts), and a dead event can be replayed from it.
import assert from 'node:assert/strict';
import { ManualClock } from '../../core/clock.js';
import type { RateLimits } from '../../core/rate-limit.js';
import type { Retention, RetentionReport } from '../../core/retention.js';
import { createTestApp, testAuth, type TestApp } from '../helpers/app.js';

const NOW = '2026-06-20T12:00:00.000Z';
const daysAgo = (n: number) => new Date(Date.parse(NOW) - n * 86_400_000).toISOString();

describe('retention: events, handled records and job runs', () => {
  const clock = new ManualClock(NOW);
  let t: TestApp;
  const root = testAuth('root', 'platform', ['superadmin']);
  before(async () => {
    t = await createTestApp({
      clock,
      overrides: {
        retention: { deliveredEventDays: 7, jobRunsPerJob: 3, mailOutboxDays: 30, batchSize: 5 },
        scheduler: { enabled: false },
        rateLimit: { store: 'database' },
      },
    });
    // The database store makes its table on first use.
    await t.app.container.resolve<RateLimits>('rateLimits').consume({ bucket: 'retention.test', points: 10, durationSeconds: 60 }, 'someone');
    await t.app.events.stop();
  });
  after(async () => t?.close());

  const event = async (status: string, createdDaysAgo: number, handlers = 0) => {
    const [row] = await t.app
      .db('core_events')
      .insert({
        name: 'example.note.created',
        payload: '{}',
        status,
        attempts: status === 'dead' ? 10 : 1,
        available_at: daysAgo(createdDaysAgo),
        created_at: daysAgo(createdDaysAgo),
        delivered_at: status === 'delivered' ? daysAgo(createdDaysAgo) : null,
        last_error: status === 'dead' ? 'boom' : null,
      })
      .returning('id');
    const id = Number(typeof row === 'object' ? row.id : row);
    for (let h = 0; h < handlers; h++)
      await t.app.db('core_event_handled').insert({ event_id: id, handler: `handler-${h}`, handled_at: daysAgo(createdDaysAgo) });
    return id;
  };
  const run = async (job: string, i: number, status = 'succeeded') => {
    const [row] = await t.app
      .db('core_job_runs')
      .insert({
        job,
        scheduled_for: daysAgo(30 - i),
        attempt: 0,
        trigger: 'cron',
        status,
        instance: 'test',
        started_at: daysAgo(30 - i),
        finished_at: status === 'running' ? null : daysAgo(30 - i),
      })
      .returning('id');
    return Number(typeof row === 'object' ? row.id : row);
  };

  it('deletes old delivered events with their handled records and old runs in batches; keeps pending, dead, recent, running and the newest runs', async () => {
    const old = [];
    for (let i = 0; i < 12; i++) old.push(await event('delivered', 10 + i, 2));
    const recent = [await event('delivered', 2, 1), await event('delivered', 6, 1)];
    const pending = [await event('pending', 30), await event('pending', 9)];
    const dead = [await event('dead', 40, 1), await event('dead', 12)];
    const stuck = await run('x.job', 0, 'running');
    const xRuns = [];
    for (let i = 1; i <= 8; i++) xRuns.push(await run('x.job', i));
    const yRuns = [await run('y.job', 1), await run('y.job', 2, 'failed')];

    const mail = (age: number) => ({
      from: 'p@x.test',
      to: '["a@x.test"]',
      subject: `${age} days`,
      raw: 'raw',
      transport: 'outbox',
      status: 'stored',
      created_at: daysAgo(age),
    });
    await t.app.db('core_mail_outbox').insert([mail(45), mail(31), mail(29), mail(1)]);
    await t.app.db('core_rate_limits').insert([
      { key: 'retention.test:expired', points: 3, expire: Date.parse(NOW) - 2 * 3_600_000 },
      { key: 'retention.test:live', points: 3, expire: Date.parse(NOW) + 60_000 },
    ]);

    const report: RetentionReport = await t.app.container.resolve<Retention>('retention').run();
    assert.deepEqual([report.events, report.handled, report.jobRuns, report.outboxMails, report.rateLimitKeys], [12, 24, 5, 2, 1]);
    assert.deepEqual(await t.app.db('core_mail_outbox').orderBy('id').pluck('subject'), ['29 days', '1 days']);
    assert.ok((await t.app.db('core_rate_limits').pluck('key')).includes('retention.test:live'));
    assert.ok(report.batches >= 4, `12 events in batches of 5 (3) and 5 runs (1): ${report.batches}`);
    assert.equal(report.at, NOW);

    const left = (await t.app.db('core_events').orderBy('id').pluck('id')).map(Number);
    assert.deepEqual(
      left,
      [...recent, ...pending, ...dead].sort((a, b) => a - b),
      'recent delivered, pending and dead events stay',
    );
    assert.equal(Number((await t.app.db('core_event_handled').whereIn('event_id', old).count({ n: '*' }))[0].n), 0);
    assert.equal(Number((await t.app.db('core_event_handled').count({ n: '*' }))[0].n), 3, 'the handled records of kept events stay');
    const runsLeft = (await t.app.db('core_job_runs').orderBy('id').pluck('id')).map(Number);
    assert.deepEqual(
      runsLeft,
      [stuck, ...xRuns.slice(-3), ...yRuns].sort((a, b) => a - b),
      'the newest three per job, and a running one',
    );

    const again = await t.app.container.resolve<Retention>('retention').run();
    assert.deepEqual([again.events, again.handled, again.jobRuns, again.outboxMails, again.rateLimitKeys], [0, 0, 0, 0, 0], 'a second run finds nothing');
  });

  it('the System API shows table sizes; a dead event is replayed, anything else refused', async () => {
    const system = await t.request('GET', '/admin/api/system', { headers: root });
    assert.equal(system.status, 200, system.text);
    const tables = system.body.storage.tables as Array<{ table: string; rows: number }>;
    assert.equal(tables.find((x) => x.table === 'core_events')?.rows, Number((await t.app.db('core_events').count({ n: '*' }))[0].n));
    assert.ok(system.body.storage.database_bytes > 0);

    const dead = Number((await t.app.db('core_events').where('status', 'dead').orderBy('id').first('id')).id);
    const member = await t.request('POST', `/admin/api/system/events/${dead}/replay`, { headers: testAuth('m', 'platform', ['member']) });
    assert.equal(member.status, 403, member.text);
    assert.equal((await t.app.db('core_events').where('id', dead).first('status')).status, 'dead');

    const replayed = await t.request('POST', `/admin/api/system/events/${dead}/replay`, { headers: root });
    assert.equal(replayed.status, 200, replayed.text);
    const row = await t.app.db('core_events').where('id', dead).first();
    assert.deepEqual([row.status, Number(row.attempts), row.last_error], ['pending', 0, null]);
    assert.equal(Number((await t.app.db('core_event_handled').where('event_id', dead).count({ n: '*' }))[0].n), 1, 'what already succeeded is not run again');

    const notDead = await t.request('POST', `/admin/api/system/events/${dead}/replay`, { headers: root });
    assert.equal(notDead.status, 409, notDead.text);
    assert.match(notDead.text, /event_not_dead/);
    assert.match(notDead.text, /only a dead event can be replayed/);
    assert.equal((await t.request('POST', '/admin/api/system/events/999999/replay', { headers: root })).status, 404);
    assert.equal((await t.request('POST', '/admin/api/system/events/abc/replay', { headers: root })).status, 422, 'not an id: a validation error');
  });

  it('is the daily core.retention job, whose run reports what it deleted per table (0 where nothing was old enough)', async () => {
    const job = t.app.scheduler.list().find((j) => j.name === 'core.retention');
    assert.ok(job);
    assert.equal(await t.app.scheduler.runNow('core.retention'), 'succeeded');
    const run = await t.app.db('core_job_runs').where('job', 'core.retention').orderBy('id', 'desc').first('report');
    assert.deepEqual(JSON.parse(run.report), {
      deleted: { core_events: 0, core_event_handled: 0, core_job_runs: 0, core_mail_outbox: 0, core_rate_limits: 0 },
    });
  });
});
