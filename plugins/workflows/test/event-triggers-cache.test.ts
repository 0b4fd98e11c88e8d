// Every event of the platform is matched against its tenant's enabled event-triggered workflows,
// which each instance keeps in memory (most events match none). A workflow enabled, disabled or
// edited through one instance is what another instance matches its events against next: the
// change drops the tenant's entry on every instance over pub/sub (two instances, one database,
// Redis), well before the entry's one-minute TTL would.
import assert from 'node:assert/strict';
import { registerOwner } from '../../../test/helpers/actors.js';
import { sleep } from '../../../test/helpers/robots.js';
import { createWorkflow, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

describe('workflows: event triggers cached on every instance (two instances, one database, Redis)', () => {
  const withRedis = { redis: { url: 'redis://127.0.0.1:6379' } };
  let a: WorkflowsApp;
  let b: WorkflowsApp;
  let owner: Owner;
  before(async () => {
    a = await workflowsApp({ plugins: ['example'], overrides: withRedis });
    b = await workflowsApp({ plugins: ['example'], overrides: withRedis, database: a.database });
    owner = await registerOwner(a, 'event-triggers');
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  const runCount = async (workflowId: string) => Number((await a.app.db('workflows_runs').where('workflow_id', workflowId).count({ n: '*' }).first())!.n);

  /** Whether a note made through `b` (its event delivered by `b`) starts a run of the workflow. */
  async function noteStartsRun(workflowId: string): Promise<boolean> {
    const before = await runCount(workflowId);
    const res = await b.request('POST', '/example/notes', { headers: { authorization: `Test someone;${owner.tenantId};owner;*` }, body: { title: 'hello' } });
    assert.equal(res.status, 201, res.text);
    await b.app.events.flush();
    return (await runCount(workflowId)) > before;
  }

  /** Notes through `b` until one does (or does not) start a run: the change made through `a` has reached `b`. */
  async function untilNoteStartsRun(workflowId: string, expected: boolean): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((await noteStartsRun(workflowId)) === expected) return;
      await sleep(20);
    }
    assert.fail(`after 100 notes over ~3 s, b still ${expected ? 'starts no run' : 'starts runs'}`);
  }

  it('disabling, enabling and retargeting a workflow through one instance is what the other matches next', async () => {
    const wf = await createWorkflow(a, owner, {
      trigger: { type: 'event', event: 'example.note.created' },
      steps: [{ id: 'check', action: 'stop_if', input: { condition: { const: 'never' }, value: '{{trigger.title}}', reason: 'never' } }],
    });
    assert.equal(await noteStartsRun(wf.id), true, 'b matches the new workflow at once (nothing cached before it existed)');

    const off = await a.api('POST', `/workflows/${wf.id}/disable`, { headers: owner.headers });
    assert.equal(off.status, 200, off.text);
    await untilNoteStartsRun(wf.id, false);
    assert.equal(await noteStartsRun(wf.id), false, 'and stays so');

    const on = await a.api('POST', `/workflows/${wf.id}/enable`, { headers: owner.headers });
    assert.equal(on.status, 200, on.text);
    await untilNoteStartsRun(wf.id, true);

    const moved = await a.api('PATCH', `/workflows/${wf.id}`, { headers: owner.headers, body: { trigger: { type: 'event', event: 'auth.login' } } });
    assert.equal(moved.status, 200, moved.text);
    await untilNoteStartsRun(wf.id, false);
    const runs = await a.app.db('workflows_runs').where('workflow_id', wf.id).select('status');
    assert.ok(runs.length >= 2 && runs.every((r: { status: string }) => r.status === 'succeeded'), JSON.stringify(runs));
  });
});
