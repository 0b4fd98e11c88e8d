// One lease mechanism (core/leases.ts) for jobs, events and workflow runs, checked where it matters:
// real processes on one PostgreSQL database, the one running a job killed with SIGKILL mid-run.
// While the holder lives, its renewals keep the others off the job however long it runs; once it
// is dead, another process takes over within two lease periods, closes the dead run as
// `abandoned` with the reason, and runs the job again.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort, kill, openDatabase, startServer, waitFor, writeConfig, type PlinthProcess } from '../helpers/processes.js';

const LEASE_SECONDS = 2;

describe('leases: a job’s holder dies mid-run (real processes, PostgreSQL)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let db: Knex;
  const procs: PlinthProcess[] = [];

  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' });
    db = openDatabase(database);
  });
  after(async () => {
    for (const p of procs) await kill(p);
    await db?.destroy();
    await database?.drop();
  });

  async function startInstance(name: string): Promise<PlinthProcess> {
    const port = await freePort();
    const config = writeConfig(
      database,
      {
        server: { port },
        log: { level: 'warn' },
        plugins: ['lease-probe'],
        scheduler: { leaseSeconds: LEASE_SECONDS },
        settings: { 'lease-probe': { holdMs: 60_000 } },
      },
      `${name}.json`,
    );
    const p = await startServer(config, port);
    procs.push(p);
    return p;
  }

  it('renewals keep a long run to its holder; after SIGKILL another instance takes over, closes the run as abandoned and runs the job again', async () => {
    const a = await startInstance('a');
    const b = await startInstance('b');
    const first = await waitFor('a first run of the hold job', async () => (await db('lease_probe_runs').orderBy('id').first()) ?? null);
    const holder = [a, b].find((p) => p.child.pid === first.pid)!;
    const other = holder === a ? b : a;

    // Several lease periods pass while the holder works: nobody else starts the job.
    await new Promise((resolve) => setTimeout(resolve, LEASE_SECONDS * 3 * 1000));
    assert.deepEqual(await db('lease_probe_runs').pluck('pid'), [first.pid], 'one run while its holder lives and renews');

    await kill(holder);
    const taken = await waitFor(
      'another instance to take the job over',
      async () => (await db('lease_probe_runs').where('pid', other.child.pid).first()) ?? null,
    );
    // The next due tick: the abandoned one again (as its next attempt) if the watcher got there first, else a later one.
    assert.ok(taken.scheduled_for >= first.scheduled_for, `${taken.scheduled_for} ≥ ${first.scheduled_for}`);
    const runs = await db('core_job_runs').where('job', 'lease-probe.hold').orderBy('id');
    const dead = runs.find((r) => r.status === 'abandoned');
    assert.ok(dead, JSON.stringify(runs));
    assert.match(dead.error, /abandoned: instance .* stopped renewing the job's lease/);
    assert.ok(dead.finished_at);
    const again = runs.find((r) => r.status === 'running');
    assert.notEqual(again.instance, dead.instance);
    if (again.scheduled_for === dead.scheduled_for) assert.deepEqual([Number(again.attempt), again.trigger], [Number(dead.attempt) + 1, 'catchup']);
    assert.equal(runs.filter((r) => r.status === 'running').length, 1, 'one live run');
  });
});
