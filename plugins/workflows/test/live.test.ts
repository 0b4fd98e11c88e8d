// A run that ends is announced on the admin pages' live channel (GET /admin/api/live): its tenant's
// pages hear `workflow.run` with the run, its workflow and how it ended (succeeded, failed); another
// tenant's pages hear nothing of it.
import assert from 'node:assert/strict';
import { openLive } from '../../../test/helpers/live.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { callStep, createWorkflow, Receiver, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

describe('workflows: runs ending on the live channel', () => {
  let t: WorkflowsApp;
  let rx: Receiver;
  let a: Owner;
  let b: Owner;
  before(async () => {
    t = await workflowsApp();
    rx = await Receiver.start();
    a = await registerOwner(t, 'live-a');
    b = await registerOwner(t, 'live-b');
  });
  after(async () => {
    await t?.close();
    await rx?.close();
  });

  const runNow = async (who: Owner, workflowId: string) => {
    const run = await t.api('POST', `/workflows/${workflowId}/run`, { headers: who.headers, body: { payload: { name: 'Ada' } } });
    assert.equal(run.status, 202, run.text);
    return Number(run.body.run_id ?? run.body.id);
  };

  it("a run that succeeds and one that fails are announced to their tenant's page, not to another tenant's", async () => {
    const pageA = await openLive(t.url, a.headers);
    const pageB = await openLive(t.url, b.headers);
    try {
      const ok = await createWorkflow(t, a, { name: 'calls home', trigger: { type: 'manual' }, steps: [callStep(`${rx.url}/ok`)] });
      rx.respond = (hit) => (hit.path === '/fails' ? { status: 500, body: { error: 'down' } } : { status: 200, body: { ok: true } });
      const fails = await createWorkflow(t, a, {
        name: 'calls a broken service',
        trigger: { type: 'manual' },
        steps: [callStep(`${rx.url}/fails`, { retry: { attempts: 1 } })],
      });

      const first = await runNow(a, ok.id);
      const heard = await pageA.next((e) => e.kind === 'workflow.run' && e.data.runId === first);
      assert.deepEqual(heard.data, { runId: first, workflowId: ok.id, status: 'succeeded' });
      assert.equal((await waitForRun(t, a, first)).status, 'succeeded');

      const second = await runNow(a, fails.id);
      assert.deepEqual((await pageA.next((e) => e.kind === 'workflow.run' && e.data.runId === second)).data, {
        runId: second,
        workflowId: fails.id,
        status: 'failed',
      });

      // B runs one of its own: by the time B hears it, A's would have come before it.
      const own = await createWorkflow(t, b, { name: 'theirs', trigger: { type: 'manual' }, steps: [callStep(`${rx.url}/ok`)] });
      const third = await runNow(b, own.id);
      await pageB.next((e) => e.kind === 'workflow.run' && e.data.runId === third);
      // (B also hears its own run start, workflow.started, which names no run.)
      assert.deepEqual(
        pageB.events.filter((e) => e.kind === 'workflow.run').map((e) => e.data.runId),
        [third],
        "B's page hears only its own run",
      );
      assert.ok(!pageA.events.some((e) => e.data.runId === third), "A's page does not hear B's run");
    } finally {
      pageA.close();
      pageB.close();
    }
  });
});
