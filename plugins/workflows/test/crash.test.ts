// Durability with real processes: a Plinth process is killed (SIGKILL) in the middle of a run —
// once while the run is parked in a delay, once while a step's HTTP target hangs — and another
// process on the same database finishes the run, once: a restarted one, and (on PostgreSQL) a
// second instance that was running all along and takes the run over within two lease periods.
// The step that was in progress at the crash runs again (at least once), with the same Idempotency-Key;
// steps that had finished do not.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { freePort, kill, openDatabase, startServer, waitFor, writeConfig, type PlinthProcess } from '../../../test/helpers/processes.js';
import { server } from '../../../test/helpers/app.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { ADMIN, Receiver } from './helpers.js';

describe('workflows: crash and resume (real processes)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let db: Knex;
  let rx: Receiver;
  let port: number;
  let config: string;
  let proc: PlinthProcess | null = null;
  let headers: Record<string, string>;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v2${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  };
  const hits = (path: string) => rx.hits.filter((h) => h.path === path).length;
  const run = (id: number) => db('workflows_runs').where('id', id).first();

  before(async () => {
    database = await createTestDatabase();
    db = openDatabase(database);
    rx = await Receiver.start();
    port = await freePort();
    config = writeConfig(database, {
      server: { port },
      log: { level: 'warn' },
      plugins: ['auth', 'workflows'],
      settings: {
        // Registers and signs in at once: open registration (the default, verify, waits for the mailed link).
        auth: { admin: ADMIN, registration: 'open', limits: { loginPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 } },
        workflows: { pollIntervalMs: 100, leaseSeconds: 2, http: { allowPrivate: true } },
      },
    });
    proc = await startServer(config, port);
    const email = `crash-${Date.now()}@workflows.test`;
    headers = {};
    assert.equal((await api('POST', '/auth/register', { email, password: 'Crash-test-password-9' })).status, 201);
    const login = await api('POST', '/auth/login', { email, password: 'Crash-test-password-9' });
    headers = { authorization: `Bearer ${login.body.access_token}` };
  });

  after(async () => {
    if (proc) await kill(proc, 'SIGTERM');
    await rx?.close();
    await db?.destroy();
    await database?.drop();
  });

  it('killed while the run waits in a delay: restarted, it resumes after the delay and every step runs once', async () => {
    const created = await api('POST', '/workflows', {
      name: 'delay then call',
      trigger: { type: 'manual' },
      steps: [
        { id: 'before', action: 'http.request', input: { url: `${rx.url}/before` } },
        { id: 'wait', action: 'delay', input: { seconds: 3 } },
        { id: 'after', action: 'http.request', input: { url: `${rx.url}/after` } },
      ],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const started = await api('POST', `/workflows/${created.body.id}/run`, { payload: {} });
    const runId = started.body.run_id as number;
    await waitFor(
      'the run to park in its delay',
      async () => (await db('workflows_run_steps').where({ run_id: runId, idx: 1, status: 'waiting' }).first()) ?? null,
    );
    await kill(proc!, 'SIGKILL');
    proc = null;
    assert.equal((await run(runId)).status, 'running');

    proc = await startServer(config, port);
    const done = await waitFor('the run to finish after restart', async () => {
      const r = await run(runId);
      return ['succeeded', 'failed'].includes(r.status) ? r : null;
    });
    assert.equal(done.status, 'succeeded', done.reason);
    assert.equal(hits('/before'), 1);
    assert.equal(hits('/after'), 1);
    const steps = await db('workflows_run_steps').where('run_id', runId).orderBy('idx');
    assert.deepEqual(
      steps.map((s: { status: string; attempts: number }) => [s.status, Number(s.attempts)]),
      [
        ['succeeded', 1],
        ['succeeded', 1],
        ['succeeded', 1],
      ],
    );
    const waited = JSON.parse(steps[1].output);
    assert.equal(waited.waited_seconds, 3);
    assert.ok(new Date(steps[2].started_at).getTime() - new Date(steps[1].started_at).getTime() >= 3000);
  });

  it('killed while a step’s target hangs: the lease expires, the step runs again, the run completes once', async () => {
    rx.respond = (hit) => (hit.path === '/hang' && rx.hits.filter((h) => h.path === '/hang').length === 1 ? 'hang' : { status: 200, body: { ok: true } });
    const created = await api('POST', '/workflows', {
      name: 'hanging call',
      trigger: { type: 'manual' },
      steps: [
        { id: 'slow', action: 'http.request', input: { url: `${rx.url}/hang`, timeout_ms: 30_000 } },
        { id: 'next', action: 'http.request', input: { url: `${rx.url}/next` } },
      ],
    });
    const started = await api('POST', `/workflows/${created.body.id}/run`, { payload: {} });
    const runId = started.body.run_id as number;
    await waitFor('the target to be called', () => hits('/hang') === 1);
    await kill(proc!, 'SIGKILL');
    proc = null;
    const stuck = await run(runId);
    assert.equal(stuck.status, 'running');
    assert.ok(stuck.lease_owner, 'the dead process still holds the lease');

    proc = await startServer(config, port);
    const done = await waitFor('the run to finish after restart', async () => {
      const r = await run(runId);
      return ['succeeded', 'failed'].includes(r.status) ? r : null;
    });
    assert.equal(done.status, 'succeeded', done.reason);
    assert.equal(hits('/hang'), 2, 'the step in progress at the crash ran again (at least once)');
    assert.equal(hits('/next'), 1);
    // …with the same Idempotency-Key, by which the receiver can drop the repeat.
    const keys = rx.hits.filter((h) => h.path === '/hang').map((h) => h.headers['idempotency-key']);
    assert.match(String(keys[0]), new RegExp(`^[0-9a-f]{12}\\.wfr_${runId}_slow$`));
    assert.equal(keys[1], keys[0], 'the restarted process sent the same key');
    const [slow, next] = await db('workflows_run_steps').where('run_id', runId).orderBy('idx');
    assert.equal(Number(slow.attempts), 2);
    const history = JSON.parse(slow.history);
    assert.equal(history[0].finished_at, undefined, 'the first attempt never finished');
    assert.ok(history[1].finished_at);
    assert.equal(Number(next.attempts), 1);
    assert.equal((await db('workflows_runs').where('workflow_id', created.body.id)).length, 1, 'one run');
  });
});

describe('workflows: a second live process takes a run over (real processes, PostgreSQL)', function () {
  this.timeout(120_000);
  const LEASE_MS = 2000;
  let database: TestDatabase;
  let db: Knex;
  let rx: Receiver;
  const procs: PlinthProcess[] = [];

  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' }); // instances share a database only on PostgreSQL
    db = openDatabase(database);
    rx = await Receiver.start();
  });
  after(async () => {
    for (const p of procs) await kill(p);
    await rx?.close();
    await db?.destroy();
    await database?.drop();
  });

  async function startInstance(name: string): Promise<{ p: PlinthProcess; url: string }> {
    const port = await freePort();
    const config = writeConfig(
      database,
      {
        server: { port },
        log: { level: 'warn' },
        plugins: ['auth', 'workflows'],
        settings: {
          auth: { admin: ADMIN, registration: 'open', limits: { loginPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 } },
          workflows: { pollIntervalMs: 100, leaseSeconds: LEASE_MS / 1000, http: { allowPrivate: true } },
        },
      },
      `${name}.json`,
    );
    const p = await startServer(config, port);
    procs.push(p);
    return { p, url: `http://127.0.0.1:${port}` };
  }

  it('A is killed while a step’s target is slow: B, already running, resumes the run within two lease periods and finishes it once', async () => {
    const [a, b] = [await startInstance('a'), await startInstance('b')];
    const owner = await registerOwner(server(a.url), 'takeover');
    const call = async (url: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}/api/v2${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...owner.headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as any };
    };
    // The first call to /slow never answers (A is killed meanwhile); later calls answer at once.
    rx.respond = (hit) => (hit.path === '/slow' && rx.hits.filter((h) => h.path === '/slow').length === 1 ? 'hang' : { status: 200, body: { ok: true } });
    const created = await call(a.url, 'POST', '/workflows', {
      name: 'slow call',
      trigger: { type: 'manual' },
      steps: [
        { id: 'slow', action: 'http.request', input: { url: `${rx.url}/slow`, timeout_ms: 30_000 } },
        { id: 'next', action: 'http.request', input: { url: `${rx.url}/next` } },
      ],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const started = await call(a.url, 'POST', `/workflows/${created.body.id}/run`, { payload: {} });
    const runId = started.body.run_id as number;
    await waitFor('A to call the slow target', () => rx.hits.some((h) => h.path === '/slow'));

    // A's renewals keep B (polling every 100 ms) off the run while A waits on the target.
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 2));
    assert.equal(rx.hits.filter((h) => h.path === '/slow').length, 1, 'one call while A lives');
    const held = await db('workflows_runs').where('id', runId).first();
    assert.deepEqual([held.status, Number(held.current_step)], ['running', 0]);

    const killedAt = Date.now();
    await kill(a.p);
    const done = await waitFor('B to finish the run', async () => {
      const r = await db('workflows_runs').where('id', runId).first();
      return r.status === 'running' ? null : r;
    });
    assert.equal(done.status, 'succeeded', done.reason);
    assert.deepEqual(
      rx.hits.map((h) => h.path),
      ['/slow', '/slow', '/next'],
      'the step cut short ran again once; the next step once',
    );
    const keys = rx.hits.map((h) => h.headers['idempotency-key']);
    assert.match(String(keys[0]), new RegExp(`^[0-9a-f]{12}\\.wfr_${runId}_slow$`));
    assert.deepEqual([keys[1] === keys[0], keys[2] === keys[0]], [true, false], 'B sent A’s key for the step it took over; the next step its own');
    const [slow, next] = await db('workflows_run_steps').where('run_id', runId).orderBy('idx');
    const history = JSON.parse(slow.history);
    assert.deepEqual(
      [Number(slow.attempts), slow.status, history.length, history[0].finished_at],
      [2, 'succeeded', 2, undefined],
      'the first attempt never finished',
    );
    const takenOver = new Date(history[1].started_at).getTime() - killedAt;
    assert.ok(takenOver <= 2 * LEASE_MS, `taken over ${takenOver} ms after the kill (lease ${LEASE_MS} ms)`);
    assert.deepEqual([Number(next.attempts), next.status], [1, 'succeeded']);
    assert.equal((await db('workflows_runs').where('workflow_id', created.body.id)).length, 1, 'one run');
    assert.equal(done.lease_owner, null, 'B let the finished run go');
    // B answers for the run like A did.
    const seen = await call(b.url, 'GET', `/workflows/runs/${runId}`);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.status, 'succeeded');
  });
});
