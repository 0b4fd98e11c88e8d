// A run a free worker takes up at once is inserted running, its first step's record written in
// the same commit (one commit fewer per run); the step then goes straight to its action, and its
// outcome and the run's end are written as any step's. A run inserted free turns running with its
// claim, not with a write of its own.
import assert from 'node:assert/strict';
import { registerOwner } from '../../../test/helpers/actors.js';
import { waitFor } from '../../../test/helpers/processes.js';
import type { WorkflowsServices } from '../services/index.js';
import { callStep, createWorkflow, Receiver, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

describe('workflows: a run’s first step recorded with its insert', () => {
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

  /** The receiver holds its 200 until the returned function is called: the step's call stays in flight. */
  function holdReplies(receiver: Receiver): () => void {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    receiver.respond = async () => {
      await gate;
      return { status: 200, body: { ok: true } };
    };
    return open;
  }

  it('an idle runner: the run is inserted running with its step’s record in one transaction; the call and its outcome follow', async () => {
    const open = holdReplies(rx);
    const wf = await createWorkflow(t, owner, { trigger: { type: 'manual' }, steps: [callStep(rx.url)] });
    const writes: Array<{ sql: string; tx: unknown }> = [];
    const record = (q: { sql: string; __knexTxId?: unknown }) => {
      // The run's insert and every write of a step record (the claim loop's polls and lease renewals aside).
      if (/^insert into .workflows_runs./i.test(q.sql) || (/workflows_run_steps/.test(q.sql) && !/^\s*select/i.test(q.sql)))
        writes.push({ sql: q.sql, tx: q.__knexTxId });
    };
    t.app.db.on('query', record);
    try {
      const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: { name: 'ada' } } });
      assert.equal(res.status, 202, res.text);
      await waitFor('the step to call the receiver', async () => rx.hits.length === 1, { timeoutMs: 5_000 });
      const run = await t.app.db('workflows_runs').where('id', res.body.run_id).first();
      assert.equal(run.status, 'running');
      assert.equal(run.started_at, run.created_at);
      const steps = await t.app.db('workflows_run_steps').where('run_id', run.id);
      assert.equal(steps.length, 1);
      assert.equal(steps[0].status, 'running');
      assert.equal(Number(steps[0].attempts), 1);
      assert.deepEqual(JSON.parse(steps[0].input).body, { hello: 'ada' });
      assert.equal(JSON.parse(steps[0].history).length, 1);
      assert.equal(JSON.parse(rx.hits[0].body).hello, 'ada');
      // The run's insert and its step's record: one transaction, before the call.
      assert.equal(writes.length, 2, JSON.stringify(writes));
      assert.match(writes[0].sql, /^insert into .workflows_runs./i);
      assert.match(writes[1].sql, /^insert into .workflows_run_steps./i);
      assert.ok(writes[0].tx && writes[0].tx === writes[1].tx);

      open();
      const done = await waitForRun(t, owner, res.body.run_id);
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      assert.equal(done.steps.length, 1);
      assert.equal(done.steps[0].status, 'succeeded');
      assert.equal(done.steps[0].attempts, 1);
      assert.deepEqual(done.steps[0].output.body, { ok: true });
      assert.equal(done.steps[0].history.length, 1);
      assert.ok(done.steps[0].history[0].finished_at);
      assert.equal(writes.length, 3, 'then one write of the step: its outcome, with the run’s end');
    } finally {
      t.app.db.off('query', record);
    }
  });

  it('a run inserted free turns running with its claim: its row is written by the claim and at its end, nothing between', async () => {
    const open = holdReplies(rx);
    rx.hits.length = 0;
    const wf = await createWorkflow(t, owner, { trigger: { type: 'manual' }, steps: [callStep(rx.url)] });
    const { runner } = t.app.container.resolve<WorkflowsServices>('workflowsServices');
    await runner.stop(); // the run is inserted free, pending, as when the runner here is full
    const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: { name: 'bob' } } });
    assert.equal(res.status, 202, res.text);
    const pending = await t.app.db('workflows_runs').where('id', res.body.run_id).first();
    assert.equal(pending.status, 'pending');
    assert.equal(pending.started_at, null);
    assert.equal(pending.lease_owner, null);

    // Writes of a run's row other than claims (the claim loop polls) and lease renewals.
    const runWrites: string[] = [];
    const record = (q: { sql: string }) => {
      const claimOrRenewal = /where .id. in \(select/i.test(q.sql) || /set .lease_until. = \?\s+where/i.test(q.sql);
      // On PostgreSQL a batch's writes are one statement: the run's UPDATE is in a CTE.
      if (/update .?workflows_runs.? (as \w+ )?set/i.test(q.sql) && !claimOrRenewal) runWrites.push(q.sql);
    };
    t.app.db.on('query', record);
    try {
      runner.start();
      await waitFor('the step to call the receiver', async () => rx.hits.length === 1, { timeoutMs: 5_000 });
      const claimed = await t.app.db('workflows_runs').where('id', res.body.run_id).first();
      assert.equal(claimed.status, 'running');
      assert.ok(claimed.started_at >= pending.created_at, claimed.started_at);
      assert.ok(claimed.lease_owner);
      assert.deepEqual(runWrites, [], 'running from its claim, not from a write of its own');
      const steps = await t.app.db('workflows_run_steps').where('run_id', res.body.run_id);
      assert.deepEqual(
        steps.map((s) => s.status),
        ['running'],
      );

      open();
      const done = await waitForRun(t, owner, res.body.run_id);
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      assert.equal(done.started_at, claimed.started_at);
      assert.equal(done.steps[0].status, 'succeeded');
      assert.equal(runWrites.length, 1, `then its end, once: ${JSON.stringify(runWrites)}`);
    } finally {
      t.app.db.off('query', record);
    }
  });
});
