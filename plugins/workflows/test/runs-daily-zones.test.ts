// The runs chart counts the days of the viewer's time zone (`tz`), as the history shows its times: a
// run at 17:30 UTC is on the next day in Shanghai, so a Shanghai browser's chart puts it on that
// day, the day its history row says. Without `tz` the days are UTC, as before; an unknown zone is
// a 422 in the face's envelope, as its other query errors.
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { createWorkflow, waitForRun, workflowsApp, type WorkflowsApp } from './helpers.js';

describe('workflows: runs per day in the viewer’s time zone (GET /workflows/runs/daily?tz=)', () => {
  let t: WorkflowsApp;
  let owner: Actor;
  const clock = new ManualClock('2026-11-25T17:30:00.000Z');
  before(async () => {
    t = await workflowsApp({ clock });
    owner = await registerOwner(t, 'daily-zones');
  });
  after(() => t?.close());

  it('puts a run on the day of the zone it is asked in', async () => {
    const wf = await createWorkflow(t, owner, { trigger: { type: 'manual' }, steps: [{ id: 'wait', action: 'delay', input: { seconds: 3600 } }] });
    const run = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: {} } });
    assert.equal(run.status, 202, run.text);
    await waitForRun(t, owner, run.body.run_id, ['running']);
    const row = await t.app.db('workflows_runs').where('id', run.body.run_id).first('created_at');
    assert.equal(row.created_at, '2026-11-25T17:30:00.000Z');

    const shanghai = await t.api('GET', '/workflows/runs/daily?days=2&tz=Asia%2FShanghai', { headers: owner.headers });
    assert.equal(shanghai.status, 200, shanghai.text);
    assert.deepEqual(
      shanghai.body.days.map((d: { date: string; runs: Record<string, number> }) => [d.date, d.runs.running]),
      [
        ['2026-11-25', 0],
        ['2026-11-26', 1],
      ],
    );
    const utc = await t.api('GET', '/workflows/runs/daily?days=2', { headers: owner.headers });
    assert.deepEqual(
      utc.body.days.map((d: { date: string; runs: Record<string, number> }) => [d.date, d.runs.running]),
      [
        ['2026-11-24', 0],
        ['2026-11-25', 1],
      ],
    );
  });

  it('refuses an unknown zone (422 in the envelope, naming query.tz), never a 500', async () => {
    for (const tz of ['Mars/Olympus', "UTC' OR 1=1 --", 'x'.repeat(65)]) {
      const res = await t.api('GET', `/workflows/runs/daily?tz=${encodeURIComponent(tz)}`, { headers: owner.headers });
      assert.equal(res.status, 422, `${tz}: ${res.text}`);
      assert.deepEqual(res.body.detail[0].loc, ['query', 'tz'], res.text);
    }
  });
});
