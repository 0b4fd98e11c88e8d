// Tenant isolation: a workflow sees only its own tenant's events and acts only within its tenant;
// another tenant's workflows and runs are 404 through every endpoint.
import assert from 'node:assert/strict';
import { waitFor } from '../../../test/helpers/processes.js';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import { createWorkflow, runRows, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

describe('workflows: tenant isolation', () => {
  let t: WorkflowsApp;
  let a: Owner;
  let b: Owner;
  before(async () => {
    t = await workflowsApp({ plugins: ['licensing'] });
    a = await registerOwner(t, 'tenant-a');
    b = await registerOwner(t, 'tenant-b');
  });
  after(async () => t?.close());

  it('an event of one tenant starts only that tenant’s workflows', async () => {
    const generate = {
      id: 'license',
      action: 'licensing.generate',
      input: { plan: 'monthly', email: 'new-user@example.test', user_hint: 'for {{trigger.user_id}}' },
    };
    const wfA = await createWorkflow(t, a, { trigger: { type: 'event', event: 'auth.user.created' }, steps: [generate] });
    const wfB = await createWorkflow(t, b, { trigger: { type: 'event', event: 'auth.user.created' }, steps: [generate] });
    const userB = await addUser(t, b.tenantId, 'member');
    const [run] = await waitFor('B’s run', async () => {
      await t.app.events.flush();
      const rows = await runRows(t, wfB.id);
      return rows.length === 1 && rows[0].status === 'succeeded' ? rows : null;
    });
    assert.equal(run.tenant_id, b.tenantId);
    assert.equal((await runRows(t, wfA.id)).length, 0, 'A’s workflow did not see B’s event');
    // The action acted in B's tenant.
    const license = await t.app.db('licensing_licenses').where('user_hint', `for ${userB.id}`).first();
    assert.equal(license.tenant_id, b.tenantId);
    for (const wf of [wfA, wfB]) await t.api('POST', `/workflows/${wf.id}/disable`, { headers: (wf === wfA ? a : b).headers });
  });

  it('an action cannot reach another tenant: notifying B’s user from A’s workflow fails with not found', async () => {
    const userB = await addUser(t, b.tenantId, 'admin', { label: 'target' });
    const wf = await createWorkflow(t, a, {
      trigger: { type: 'manual' },
      steps: [{ id: 'mail', action: 'auth.notify_user', input: { user_id: userB.id, subject: 'hi', text: 'hello' } }],
    });
    const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: a.headers, body: {} });
    const run = await waitForRun(t, a, res.body.run_id);
    assert.equal(run.status, 'failed');
    assert.match(run.reason, /user not found/);
    assert.equal(
      await t.app
        .db('core_mail_outbox')
        .whereRaw('"to" like ?', [`%${userB.email}%`])
        .first(),
      undefined,
      'no mail went out',
    );
  });

  it('another tenant’s workflows and runs are 404 through every endpoint; lists show only one’s own', async () => {
    const wf = await createWorkflow(t, b, { name: 'B only', trigger: { type: 'manual' }, steps: [{ id: 'wait', action: 'delay', input: { seconds: 1 } }] });
    const started = await t.api('POST', `/workflows/${wf.id}/run`, { headers: b.headers, body: {} });
    const runId = started.body.run_id;
    for (const [method, path, body] of [
      ['GET', `/workflows/${wf.id}`],
      ['PATCH', `/workflows/${wf.id}`, { name: 'stolen' }],
      ['DELETE', `/workflows/${wf.id}`],
      ['POST', `/workflows/${wf.id}/disable`],
      ['POST', `/workflows/${wf.id}/run`, {}],
      ['POST', `/workflows/${wf.id}/dry-run`, {}],
      ['GET', `/workflows/${wf.id}/versions`],
      ['GET', `/workflows/${wf.id}/export`],
      ['PATCH', `/workflows/${wf.id}/secrets`, { secrets: { x: 'y' } }],
      ['GET', `/workflows/runs/${runId}`],
      ['POST', `/workflows/runs/${runId}/rerun`],
    ] as Array<[string, string, unknown?]>) {
      const res = await t.api(method, path, { headers: a.headers, body });
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
    }
    const row = await t.app.db('workflows_workflows').where('id', wf.id).first();
    assert.equal(row.name, 'B only');
    assert.equal(Boolean(row.enabled), true);
    assert.equal(row.secrets, '{}');
    assert.equal((await runRows(t, wf.id)).length, 1, 'no run was started by A');

    const listA = await t.api('GET', '/workflows', { headers: a.headers });
    assert.ok(!listA.body.items.some((w: { id: string }) => w.id === wf.id));
    const runsA = await t.api('GET', '/workflows/runs', { headers: a.headers });
    assert.ok(!runsA.body.items.some((r: { id: number }) => r.id === runId));
    const byFilter = await t.api('GET', `/workflows/runs?workflow_id=${wf.id}`, { headers: a.headers });
    assert.equal(byFilter.body.total, 0);
    const runsB = await t.api('GET', `/workflows/runs?workflow_id=${wf.id}`, { headers: b.headers });
    assert.equal(runsB.body.total, 1);
  });
});
