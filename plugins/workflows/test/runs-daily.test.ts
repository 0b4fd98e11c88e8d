// The runs chart's data: runs started per UTC day by status, every day of the range listed (zeros
// included), only the caller's tenant, the range bounded.
import assert from 'node:assert/strict';
import { registerOwner } from '../../../test/helpers/actors.js';
import { utcDay } from '../../../test/helpers/utc-day.js';
import { createWorkflow, Receiver, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

describe('workflows: runs per day (GET /workflows/runs/daily)', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  let other: Owner;
  let rx: Receiver;
  before(async () => {
    t = await workflowsApp();
    owner = await registerOwner(t, 'daily');
    other = await registerOwner(t, 'daily-other');
    rx = await Receiver.start();
  });
  after(async () => {
    await t?.close();
    await rx?.close();
  });

  it("counts today's runs by status, lists every day of the range, and shows another tenant nothing", async () => {
    const wf = await createWorkflow(t, owner, { trigger: { type: 'manual' }, steps: [{ id: 'call', action: 'http.request', input: { url: rx.url } }] });
    rx.respond = () => ({ status: 200, body: { ok: true } });
    const firstDay = utcDay();
    for (let i = 0; i < 2; i++) {
      const run = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: {} } });
      assert.equal(run.status, 202, run.text);
      await waitForRun(t, owner, run.body.run_id ?? run.body.id);
    }
    const res = await t.api('GET', '/workflows/runs/daily?days=7', { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.days.length, 7);
    // The two may fall either side of midnight UTC: both are in the last two days, the last of which is today.
    assert.ok([firstDay, utcDay()].includes(res.body.days[6].date), res.text);
    assert.equal(res.body.days[5].runs.succeeded + res.body.days[6].runs.succeeded, 2, res.text);
    assert.equal(res.body.days[0].runs.succeeded, 0, 'a day without runs is listed with zeros');

    const theirs = await t.api('GET', '/workflows/runs/daily?days=7', { headers: other.headers });
    assert.equal(theirs.status, 200);
    assert.equal(
      theirs.body.days.reduce((sum: number, d: { runs: { succeeded: number } }) => sum + d.runs.succeeded, 0),
      0,
      "another tenant's runs are not counted",
    );
  });

  it('refuses a range of 0 or over 366 days, naming the field, and asks for a session', async () => {
    for (const days of [0, 367, 'many']) {
      const res = await t.api('GET', `/workflows/runs/daily?days=${days}`, { headers: owner.headers });
      assert.equal(res.status, 422, res.text);
      assert.ok(JSON.stringify(res.body.detail).includes('days'), res.text);
    }
    assert.equal((await t.api('GET', '/workflows/runs/daily')).status, 401);
  });
});
