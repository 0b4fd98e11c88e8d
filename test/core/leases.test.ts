// One lease mechanism (core/leases.ts) for jobs, events and workflow runs, checked where it matters:
// real processes on one PostgreSQL database, the one holding the work killed with SIGKILL midway.
// While the holder lives, its renewals keep the others off however long the work takes; once it
// is dead, a second live process takes over within two lease periods (measured from the kill to
// the takeover the database records). A job's dead run is closed as `abandoned` with the reason
// and its tick caught up; an event's handler runs to completion once. (The workflow runner's
// takeover is in plugins/workflows/test/crash.test.ts.)
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort, kill, openDatabase, startServer, waitFor, writeConfig, type PlinthProcess } from '../helpers/processes.js';

const LEASE_SECONDS = 2;
const LEASE_MS = LEASE_SECONDS * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (iso: string) => new Date(iso).getTime();

describe('leases: the holder dies mid-work, a second live process takes over (real processes, PostgreSQL)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let db: Knex;
  const procs: PlinthProcess[] = [];

  beforeEach(async () => {
    database = await createTestDatabase({ dialect: 'postgres' });
    db = openDatabase(database);
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await kill(p);
    await db?.destroy();
    await database?.drop();
  });

  async function startInstance(name: string, settings: Record<string, unknown>): Promise<{ p: PlinthProcess; url: string }> {
    const port = await freePort();
    const config = writeConfig(
      database,
      {
        server: { port },
        log: { level: 'warn' },
        plugins: ['lease-probe'],
        scheduler: { leaseSeconds: LEASE_SECONDS },
        events: { leaseSeconds: LEASE_SECONDS, pollIntervalMs: 100 },
        settings: { 'lease-probe': settings },
      },
      `${name}.json`,
    );
    const p = await startServer(config, port);
    procs.push(p);
    return { p, url: `http://127.0.0.1:${port}` };
  }

  it('a job: renewals keep a long run to its holder; after SIGKILL the other closes the run as abandoned and catches its tick up', async () => {
    const a = await startInstance('a', { holdMs: 60_000 });
    const b = await startInstance('b', { holdMs: 60_000 });
    const first = await waitFor('a first run of the hold job', async () => (await db('lease_probe_runs').orderBy('id').first()) ?? null);
    const holder = [a.p, b.p].find((p) => p.child.pid === first.pid)!;
    const other = holder === a.p ? b.p : a.p;

    // Several lease periods pass while the holder works: nobody else starts the job.
    await sleep(LEASE_MS * 3);
    assert.deepEqual(await db('lease_probe_runs').pluck('pid'), [first.pid], 'one run while its holder lives and renews');

    const killedAt = Date.now();
    await kill(holder);
    const taken = await waitFor(
      'the other instance to take the job over',
      async () => (await db('lease_probe_runs').where('pid', other.child.pid).first()) ?? null,
    );
    const runs = await db('core_job_runs').where('job', 'lease-probe.hold').orderBy('id');
    assert.equal(runs.length, 2, JSON.stringify(runs));
    const [dead, again] = runs;
    assert.equal(dead.status, 'abandoned');
    assert.match(dead.error, /abandoned: instance .* stopped renewing the job's lease/);
    assert.ok(ms(dead.finished_at) - killedAt <= 2 * LEASE_MS, `taken over ${ms(dead.finished_at) - killedAt} ms after the kill (lease ${LEASE_MS} ms)`);
    // The abandoned tick is caught up: the same tick, its next attempt, by the other instance.
    assert.deepEqual(
      [again.status, again.trigger, again.scheduled_for, Number(again.attempt)],
      ['running', 'catchup', dead.scheduled_for, Number(dead.attempt) + 1],
    );
    assert.notEqual(again.instance, dead.instance);
    assert.deepEqual([taken.trigger, taken.scheduled_for], ['catchup', first.scheduled_for]);
    assert.ok(ms(again.started_at) >= ms(dead.finished_at));
  });

  it('an event: its handler running when its process dies is run again by the other, and recorded as handled once', async () => {
    const a = await startInstance('a', { handlerHoldMs: 60_000 });
    const poked = await fetch(`${a.url}/lease-probe/poke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"note":"once"}' });
    assert.equal(poked.status, 200);
    const { eventId } = (await poked.json()) as { eventId: number };
    await waitFor('A to handle the event', async () => (await db('lease_probe_deliveries').where({ event_id: eventId, pid: a.p.child.pid }).first()) ?? null);
    // B is up and polling while A's handler runs; A's renewals keep the event from it.
    const b = await startInstance('b', { handlerHoldMs: 0 });
    await sleep(LEASE_MS * 2);
    assert.deepEqual(await db('lease_probe_deliveries').where('event_id', eventId).pluck('pid'), [a.p.child.pid], 'one delivery while A lives');
    assert.equal((await db('core_events').where('id', eventId).first()).status, 'pending');

    const killedAt = Date.now();
    await kill(a.p);
    const done = await waitFor('B to deliver the event', async () => {
      const row = await db('core_events').where('id', eventId).first();
      return row.status === 'delivered' ? row : null;
    });
    const deliveries = await db('lease_probe_deliveries').where('event_id', eventId).orderBy('id');
    assert.deepEqual(
      deliveries.map((d) => [d.pid, Boolean(d.finished_at)]),
      [
        [a.p.child.pid, false],
        [b.p.child.pid, true],
      ],
      'cut short on A, run to completion once on B',
    );
    assert.ok(
      ms(deliveries[1].started_at) - killedAt <= 2 * LEASE_MS,
      `taken over ${ms(deliveries[1].started_at) - killedAt} ms after the kill (lease ${LEASE_MS} ms)`,
    );
    const handled = await db('core_event_handled').where('event_id', eventId);
    assert.deepEqual(
      handled.map((h) => h.handler),
      ['lease-probe:lease-probe.poked'],
      'handled once',
    );
    assert.deepEqual([Number(done.attempts), done.locked_by, done.last_error], [1, null, null]);
    // Nothing delivers it again.
    await sleep(LEASE_MS * 2);
    assert.equal((await db('lease_probe_deliveries').where('event_id', eventId)).length, 2);
  });
});
