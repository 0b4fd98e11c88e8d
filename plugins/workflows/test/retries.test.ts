// Steps retry with backoff until their attempts run out; a run whose step gives up says failed;
// a permanent error (4xx) is not retried; a delay parks the run and the runner resumes it.
import assert from 'node:assert/strict';
import { waitFor } from '../../../test/helpers/processes.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { createWorkflow, Receiver, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

const ms = (iso: string) => new Date(iso).getTime();

describe('workflows: retries, failures and delays', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  let rx: Receiver;
  before(async () => {
    t = await workflowsApp();
    owner = await registerOwner(t);
    rx = await Receiver.start();
  });
  after(async () => {
    await t?.close();
    await rx?.close();
  });
  beforeEach(() => {
    rx.hits.length = 0;
  });

  const start = async (steps: unknown[], payload: Record<string, unknown> = {}) => {
    const wf = await createWorkflow(t, owner, { trigger: { type: 'manual' }, steps });
    const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload } });
    assert.equal(res.status, 202, res.text);
    return res.body.run_id as number;
  };

  it('a receiver failing twice then succeeding: three attempts recorded, with growing backoff between them', async () => {
    rx.respond = (_h, n) => (n <= 2 ? { status: 503, body: { error: 'busy' } } : { status: 200, body: { done: true } });
    const runId = await start([
      { id: 'call', action: 'http.request', input: { url: rx.url, body: { x: 1 } }, retry: { attempts: 5, backoff_base_ms: 200, backoff_max_ms: 5000 } },
    ]);
    const run = await waitForRun(t, owner, runId);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    const step = run.steps[0];
    assert.equal(step.status, 'succeeded');
    assert.equal(step.attempts, 3);
    assert.equal(step.error, null);
    assert.deepEqual(step.output.body, { done: true });
    assert.equal(step.history.length, 3);
    assert.match(step.history[0].error, /answered 503/);
    assert.match(step.history[1].error, /answered 503/);
    assert.equal(step.history[2].error, undefined);
    // Equal jitter: the wait before attempt n+1 is at least half of base * 2^(n-1).
    const gap1 = ms(step.history[1].started_at) - ms(step.history[0].finished_at);
    const gap2 = ms(step.history[2].started_at) - ms(step.history[1].finished_at);
    assert.ok(gap1 >= 100, `first backoff ${gap1} ms`);
    assert.ok(gap2 >= 200, `second backoff ${gap2} ms`);
    assert.equal(rx.hits.length, 3);
    const row = await t.app.db('workflows_run_steps').where('run_id', runId).first();
    assert.equal(Number(row.attempts), 3);
    assert.equal(row.status, 'succeeded');
  });

  it('a step that keeps failing fails the run once its attempts run out; later steps never run', async () => {
    rx.respond = () => ({ status: 500 });
    const runId = await start([
      { id: 'call', action: 'http.request', input: { url: rx.url }, retry: { attempts: 2, backoff_base_ms: 50, backoff_max_ms: 100 } },
      { id: 'after', action: 'http.request', input: { url: `${rx.url}/after` } },
    ]);
    const run = await waitForRun(t, owner, runId);
    assert.equal(run.status, 'failed');
    assert.match(run.reason, /^step call \(http\.request\) failed after 2 attempts: POST 127\.0\.0\.1:\d+ answered 500$/);
    // The same as a code with its values, for a UI to say in its language.
    assert.equal(run.reason_code, 'failed');
    const { error, ...args } = run.reason_args;
    assert.deepEqual(args, { step: 'call', action: 'http.request', attempts: 2 });
    assert.match(error, /^POST 127\.0\.0\.1:\d+ answered 500$/);
    assert.equal(run.current_step, 0);
    assert.deepEqual(
      run.steps.map((s: { id: string; status: string; attempts: number }) => [s.id, s.status, s.attempts]),
      [['call', 'failed', 2]],
    );
    assert.ok(run.finished_at);
    assert.equal(rx.hits.length, 2);
    assert.ok(!rx.hits.some((h) => h.path === '/after'));
    const row = await t.app.db('workflows_runs').where('id', runId).first();
    assert.equal(row.status, 'failed');
    assert.equal(row.lease_owner, null);
  });

  it('a permanent error (the receiver refuses with 401) is not retried', async () => {
    rx.respond = () => ({ status: 401 });
    const run = await waitForRun(
      t,
      owner,
      await start([{ id: 'call', action: 'http.request', input: { url: rx.url }, retry: { attempts: 5, backoff_base_ms: 50 } }]),
    );
    assert.equal(run.status, 'failed');
    assert.match(run.reason, /not retried: the error is permanent.*answered 401/);
    assert.equal(run.reason_code, 'failed_permanent');
    assert.equal(run.steps[0].attempts, 1);
    assert.equal(rx.hits.length, 1);
  });

  it('a target that hangs times out, and the attempt counts as a failure', async () => {
    rx.respond = () => 'hang';
    const run = await waitForRun(
      t,
      owner,
      await start([{ id: 'call', action: 'http.request', input: { url: rx.url, timeout_ms: 300 }, retry: { attempts: 2, backoff_base_ms: 20 } }]),
    );
    assert.equal(run.status, 'failed');
    assert.match(run.steps[0].error, /timed out after 300 ms/);
    assert.equal(run.steps[0].attempts, 2);
  });

  it('a target that answers and then stalls mid-body times out too: the deadline covers the whole call', async () => {
    rx.respond = () => 'stall';
    const run = await waitForRun(
      t,
      owner,
      await start([{ id: 'call', action: 'http.request', input: { url: rx.url, timeout_ms: 300 }, retry: { attempts: 1 } }]),
    );
    assert.equal(run.status, 'failed');
    assert.match(run.steps[0].error, /timed out after 300 ms/);
    assert.equal(run.steps[0].attempts, 1);
  });

  it('a delay parks the run (no lease held, the step waiting) and the runner resumes it when due', async () => {
    rx.respond = () => ({ status: 200 });
    const runId = await start([
      { id: 'wait', action: 'delay', input: { seconds: 1 } },
      { id: 'call', action: 'http.request', input: { url: rx.url } },
    ]);
    const waiting = await waitFor(
      'the delay step to wait',
      async () => (await t.app.db('workflows_run_steps').where({ run_id: runId, idx: 0, status: 'waiting' }).first()) ?? null,
    );
    const row = await t.app.db('workflows_runs').where('id', runId).first();
    assert.equal(row.status, 'running');
    assert.equal(row.lease_owner, null, 'a parked run holds no lease');
    assert.equal(row.next_at, JSON.parse(waiting.output).until);
    assert.ok(ms(row.next_at) - ms(waiting.started_at) >= 1000, 'due no sooner than the delay after the step started');
    const run = await waitForRun(t, owner, runId);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.steps[0].output.waited_seconds, 1);
    assert.ok(ms(run.steps[1].started_at) - ms(run.steps[0].started_at) >= 1000, 'the next step ran after the delay');
    assert.equal(rx.hits.length, 1);
  });

  it('re-runs a finished run with the same payload: a new run that points at the first', async () => {
    rx.respond = () => ({ status: 200 });
    const first = await waitForRun(
      t,
      owner,
      await start([{ id: 'call', action: 'http.request', input: { url: rx.url, body: { n: '{{trigger.n}}' } } }], { n: 41 }),
    );
    const res = await t.api('POST', `/workflows/runs/${first.id}/rerun`, { headers: owner.headers });
    assert.equal(res.status, 202, res.text);
    const again = await waitForRun(t, owner, res.body.run_id);
    assert.equal(again.rerun_of, first.id);
    assert.equal(again.trigger.type, 'rerun');
    assert.deepEqual(again.trigger_payload, { n: 41 });
    assert.deepEqual(
      rx.hits.map((h) => JSON.parse(h.body)),
      [{ n: 41 }, { n: 41 }],
    );
    const list = await t.api('GET', `/workflows/runs?workflow_id=${first.workflow_id}&trigger_type=rerun`, { headers: owner.headers });
    assert.deepEqual(
      list.body.items.map((r: { id: number }) => r.id),
      [again.id],
    );
    const failed = await t.api('GET', `/workflows/runs?workflow_id=${first.workflow_id}&status=failed`, { headers: owner.headers });
    assert.equal(failed.body.total, 0);
  });
});
