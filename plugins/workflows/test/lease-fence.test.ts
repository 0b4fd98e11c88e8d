// Every write a runner makes to a run is fenced by the run's lease, also when the writes of the
// runs worked on at once share one commit (one UPDATE for all of them, then their step records):
// a runner that lost one run's lease (paused past it; another instance took the run over) writes
// nothing to that run, and the runs beside it in the same commit still finish. And a run waiting on
// a slow target holds one of the runner's workers, not the runs started after it.
import assert from 'node:assert/strict';
import { capturingLogger } from '../../../test/helpers/logs.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { waitFor } from '../../../test/helpers/processes.js';
import { callStep, createWorkflow, Receiver, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

describe('workflows: the lease fences every write', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  let rx: Receiver;
  const { logger, lines } = capturingLogger('warn');
  before(async () => {
    t = await workflowsApp({ logger });
    owner = await registerOwner(t);
    rx = await Receiver.start();
  });
  after(async () => {
    await t?.close();
    await rx?.close();
  });

  /** The receiver answers nothing but `/fast` until the returned function is called; then everything, 200. */
  const holdAnswers = (): (() => void) => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    rx.respond = async (hit) => {
      if (hit.path !== '/fast') await gate;
      return { status: 200, body: { ok: true } };
    };
    return open;
  };

  it('a run taken over while its step ran keeps what its new holder wrote; the runs finishing beside it succeed', async () => {
    const open = holdAnswers();
    const wf = await createWorkflow(t, owner, { trigger: { type: 'manual' }, steps: [callStep(rx.url)] });
    const ids: number[] = [];
    for (const name of ['a', 'b', 'c']) {
      const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: { name } } });
      assert.equal(res.status, 202, res.text);
      ids.push(res.body.run_id);
    }
    await waitFor('the three steps to be calling the receiver', async () => rx.hits.length === 3, { timeoutMs: 5_000 });
    const [taken, ...kept] = ids;
    const takenOver = { lease_owner: 'another-instance/1', lease_until: new Date(Date.now() + 3_600_000).toISOString() };
    assert.equal(await t.app.db('workflows_runs').where('id', taken).update(takenOver), 1);
    open(); // the three steps end together: their outcomes are written in the same commit or a few

    for (const id of kept) {
      const run = await waitForRun(t, owner, id);
      assert.equal(run.status, 'succeeded', JSON.stringify(run));
      assert.equal(run.steps[0].status, 'succeeded');
      assert.deepEqual(run.steps[0].output.body, { ok: true });
    }
    await waitFor('the lost lease to be logged', async () => lines.some((l) => l.runId === taken && /lease lost/.test(l.msg)), { timeoutMs: 5_000 });
    const row = await t.app.db('workflows_runs').where('id', taken).first();
    assert.deepEqual(
      { status: row.status, finished_at: row.finished_at, lease_owner: row.lease_owner, lease_until: row.lease_until },
      { status: 'running', finished_at: null, ...takenOver },
    );
    const step = await t.app.db('workflows_run_steps').where('run_id', taken).first();
    assert.equal(step.status, 'running', 'the outcome of a run whose lease was lost is not recorded');
    assert.equal(step.output, null);
    const keptRows = await t.app.db('workflows_runs').whereIn('id', kept).select('status', 'lease_owner');
    assert.deepEqual(
      keptRows,
      kept.map(() => ({ status: 'succeeded', lease_owner: null })),
    );
  });

  it('a run waiting on a slow target does not hold up the runs started after it', async () => {
    const open = holdAnswers();
    const slowWf = await createWorkflow(t, owner, { trigger: { type: 'manual' }, steps: [callStep(`${rx.url}/slow`)] });
    const fastWf = await createWorkflow(t, owner, { trigger: { type: 'manual' }, steps: [callStep(`${rx.url}/fast`)] });
    const run = async (wf: { id: string }) => {
      const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: { name: 'x' } } });
      assert.equal(res.status, 202, res.text);
      return res.body.run_id as number;
    };
    const slow = await run(slowWf);
    await waitFor('the slow step to be calling', async () => rx.hits.some((h) => h.path === '/slow'), { timeoutMs: 5_000 });
    const fast = [await run(fastWf), await run(fastWf)];
    for (const id of fast) assert.equal((await waitForRun(t, owner, id, undefined, 5_000)).status, 'succeeded');
    assert.equal((await t.app.db('workflows_runs').where('id', slow).first()).status, 'running', 'the slow run is still in its step');
    open();
    assert.equal((await waitForRun(t, owner, slow)).status, 'succeeded');
  });
});
