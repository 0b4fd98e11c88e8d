// The daily workflows.prune-runs job: finished runs older than runRetentionDays go with their steps,
// in batches of retention.batchSize (each its own transaction, through the core's deleteInBatches),
// and the run's report says how many; recent runs and unfinished ones stay, whatever their age.
import assert from 'node:assert/strict';
import { registerOwner } from '../../../test/helpers/actors.js';
import { createWorkflow, workflowsApp, type WorkflowsApp } from './helpers.js';

const DAY = 86_400_000;
const BATCH = 5;

describe('workflows: prune-runs', () => {
  let t: WorkflowsApp;
  before(async () => {
    t = await workflowsApp({ workflows: { runRetentionDays: 30 }, overrides: { retention: { batchSize: BATCH } } });
  });
  after(async () => t?.close());

  it('deletes old finished runs with their steps in batches; keeps recent and unfinished runs', async () => {
    const owner = await registerOwner(t);
    const wf = await createWorkflow(t, owner, { trigger: { type: 'manual' }, steps: [{ id: 'only', action: 'delay', input: { seconds: 1 } }] });
    const version = await t.app.db('workflows_versions').where('workflow_id', wf.id).first('id', 'version');
    const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
    const insertRun = async (status: string, days: number) => {
      const [row] = await t.app
        .db('workflows_runs')
        .insert({
          workflow_id: wf.id,
          tenant_id: owner.tenantId,
          version_id: version.id,
          version: version.version,
          trigger_type: 'manual',
          trigger_payload: '{}',
          status,
          chain: JSON.stringify([wf.id]),
          depth: 1,
          created_at: ago(days),
          started_at: ago(days),
          finished_at: ['pending', 'running'].includes(status) ? null : ago(days),
        })
        .returning('id');
      const id = Number(typeof row === 'object' ? row.id : row);
      await t.app.db('workflows_run_steps').insert({ run_id: id, idx: 0, step_id: 'only', action: 'delay', status: 'succeeded', attempts: 1 });
      return id;
    };
    const statuses = ['succeeded', 'failed', 'stopped', 'blocked'];
    const old: number[] = [];
    for (let i = 0; i < 2 * BATCH + 3; i++) old.push(await insertRun(statuses[i % statuses.length], 31 + i));
    const kept = [await insertRun('succeeded', 29), await insertRun('failed', 1), await insertRun('running', 90), await insertRun('pending', 60)];

    assert.equal(await t.app.scheduler.runNow('workflows.prune-runs'), 'succeeded');
    const left = (await t.app.db('workflows_runs').where('workflow_id', wf.id).orderBy('id').pluck('id')).map(Number);
    assert.deepEqual(left, kept, 'every old finished run is gone, every other run kept');
    const steps = (
      await t.app
        .db('workflows_run_steps')
        .whereIn('run_id', [...old, ...kept])
        .orderBy('run_id')
        .pluck('run_id')
    ).map(Number);
    assert.deepEqual(steps, kept, 'the steps went with their runs');

    const run = await t.app.db('core_job_runs').where('job', 'workflows.prune-runs').orderBy('id', 'desc').first();
    const report = JSON.parse(run.report);
    assert.deepEqual(report.deleted, { workflows_runs: old.length });
    assert.equal(report.batches, 3, `${old.length} runs in batches of ${BATCH}`);
  });
});
