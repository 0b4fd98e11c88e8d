// A step runs at least once, so every outgoing call of a run carries an Idempotency-Key made from
// the deployment, the run and the step: the same on every attempt of one step (a retry here; a
// resume after a crash in crash.test.ts), different for another step or another run, and a key
// the step sets in its own headers wins. A real local receiver records what arrives.
import assert from 'node:assert/strict';
import { deploymentId } from 'plinth/plugin';
import { registerOwner } from '../../../test/helpers/actors.js';
import { createWorkflow, Receiver, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

describe('workflows: Idempotency-Key on outgoing calls', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  let rx: Receiver;
  let deployment: string;
  before(async () => {
    t = await workflowsApp();
    owner = await registerOwner(t);
    rx = await Receiver.start();
    // The deployment's id (core/deployment.ts), made here if no instance has made it yet.
    deployment = await deploymentId(t.app.db);
    assert.match(deployment, /^[0-9a-f]{12}$/);
  });
  after(async () => {
    await t?.close();
    await rx?.close();
  });
  beforeEach(() => {
    rx.hits.length = 0;
    rx.respond = () => ({ status: 200, body: { ok: true } });
  });

  const run = async (workflowId: string) => {
    const res = await t.api('POST', `/workflows/${workflowId}/run`, { headers: owner.headers, body: { payload: {} } });
    assert.equal(res.status, 202, res.text);
    return waitForRun(t, owner, res.body.run_id);
  };
  const keysOf = (path: string) => rx.hits.filter((h) => h.path === path).map((h) => h.headers['idempotency-key']);

  it('is the same on each attempt of a step, differs between steps and between runs', async () => {
    // The first call to /first fails (500) and is retried; every other call succeeds.
    let failed = false;
    rx.respond = (hit) => {
      if (hit.path !== '/first' || failed) return { status: 200, body: { ok: true } };
      failed = true;
      return { status: 500 };
    };
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      steps: [
        { id: 'first', action: 'http.request', input: { url: `${rx.url}/first`, body: { n: 1 } }, retry: { attempts: 3, backoff_base_ms: 50 } },
        { id: 'second', action: 'http.request', input: { method: 'GET', url: `${rx.url}/second` } },
      ],
    });
    const one = await run(wf.id);
    assert.equal(one.status, 'succeeded', JSON.stringify(one));
    assert.equal(one.steps[0].attempts, 2, 'the first step was retried');

    const [firstTry, retry] = keysOf('/first');
    assert.equal(firstTry, `${deployment}.wfr_${one.id}_first`);
    assert.equal(retry, firstTry, 'the retry carries the same key');
    assert.deepEqual(keysOf('/second'), [`${deployment}.wfr_${one.id}_second`], 'another step, another key (a GET too)');

    rx.hits.length = 0;
    const two = await run(wf.id);
    assert.equal(two.status, 'succeeded');
    assert.notEqual(two.id, one.id);
    assert.deepEqual(keysOf('/first'), [`${deployment}.wfr_${two.id}_first`], 'another run of the same step, another key');
    assert.notEqual(keysOf('/first')[0], firstTry);
  });

  it('a key the step sets itself wins (any case), once; an empty one gets ours', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      steps: [
        { id: 'own', action: 'http.request', input: { url: `${rx.url}/own`, headers: { 'Idempotency-Key': 'order-{{run.id}}' } } },
        { id: 'empty', action: 'http.request', input: { url: `${rx.url}/empty`, headers: { 'idempotency-key': '{{trigger.missing}}' } } },
      ],
    });
    const done = await run(wf.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    // Node joins repeated header lines with ", ": equal to theirs alone means ours was not sent beside it.
    assert.deepEqual(keysOf('/own'), [`order-${done.id}`]);
    assert.deepEqual(keysOf('/empty'), [`${deployment}.wfr_${done.id}_empty`]);
  });
});
