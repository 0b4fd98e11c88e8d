// Issue 40, "Not live where it claims to be", for the workflow runs page in a real browser: the chart
// showed 1 run today while the history listed 2 (it counted only runs that had ended, and it was
// read once). Now a run started while the page is open shows in the history and in the chart within
// two seconds, by the live stream (with the page's clock run a minute ahead nothing is fetched again
// while the stream is open), and the chart counts every run the history lists, running or blocked
// ones too. Needs the UI bundle in dist/ui: `npm test` builds it first; alone, `npm run build`.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PASSWORD, registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { launchBrowser, signIn, type TestBrowser } from '../../../test/helpers/browser.js';
import { openLive } from '../../../test/helpers/live.js';
import { assertNoPolling, bars, logGets, until, waitLive } from '../../../test/helpers/live-page.js';
import { createWorkflow, waitForRun, workflowsApp, type WorkflowsApp } from './helpers.js';

describe('workflow runs follow the live stream, the chart agreeing with the history (browser)', () => {
  let t: WorkflowsApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Actor;

  before(async () => {
    t = await workflowsApp();
    owner = await registerOwner(t, 'runs-live');
    browser = await launchBrowser(t.url);
    page = browser.page;
    await page.clock.install();
    await signIn(page, { email: owner.email, password: PASSWORD });
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  const run = async (workflowId: string) => {
    const res = await t.api('POST', `/workflows/${workflowId}/run`, { headers: owner.headers, body: { payload: {} } });
    assert.equal(res.status, 202, res.text);
    return res.body.run_id as number;
  };

  it('a run that waits and a run that ended both show, in the history and in the chart, as they start', async () => {
    const waits = await createWorkflow(t, owner, {
      name: 'Waits an hour',
      trigger: { type: 'manual' },
      steps: [{ id: 'wait', action: 'delay', input: { seconds: 3600 } }],
    });
    const stops = await createWorkflow(t, owner, {
      name: 'Stops at once',
      trigger: { type: 'manual' },
      steps: [{ id: 'stop', action: 'stop_if', input: { condition: {}, value: 1, reason: 'nothing to do' } }],
    });
    const list = logGets(page, '/api/v2/workflows/runs');
    const daily = logGets(page, '/api/v2/workflows/runs/daily');
    await page.goto('/admin/workflows/runs');
    await page.getByRole('heading', { name: 'Workflow runs', level: 1 }).waitFor();
    await page.getByText('No runs yet.').waitFor();
    await page.getByText('No workflow ran in the last 30 days.').waitFor();
    await waitLive(page);
    await assertNoPolling(page, list);
    await assertNoPolling(page, daily);

    const first = await run(waits.id);
    await waitForRun(t, owner, first, ['running']);
    const second = await run(stops.id);
    await waitForRun(t, owner, second, ['stopped']);

    const rows = page.getByRole('table', { name: 'Runs, newest first' }).getByRole('row');
    await until('runs in the history', async () => (await rows.count()) - 1, 2);
    const started = page.getByRole('list', { name: /^Runs started per day/ });
    await started.waitFor();
    await until('runs started today in the chart', async () => (await bars(started)).at(-1)?.[1], 2);
    const total = (await bars(started)).reduce((n, [, v]) => n + v, 0);
    assert.equal(total, 2, 'the chart counts what the history lists');
    const failed = page.getByRole('list', { name: /^Runs failed, stopped or blocked per day/ });
    assert.equal((await bars(failed)).at(-1)?.[1], 1, 'the stopped one');
    await assertNoPolling(page, list);
    await assertNoPolling(page, daily);
    list.stop();
    daily.stop();
  });

  it("a run's start reaches only its tenant's stream", async () => {
    const other = await registerOwner(t, 'runs-live-other');
    const mine = await openLive(t.url, owner.headers);
    const theirs = await openLive(t.url, other.headers);
    try {
      const wf = await createWorkflow(t, owner, {
        name: 'Told',
        trigger: { type: 'manual' },
        steps: [{ id: 'wait', action: 'delay', input: { seconds: 3600 } }],
      });
      await run(wf.id);
      await mine.next((e) => e.kind === 'workflow.started');
      const own = await createWorkflow(t, other, {
        name: 'Theirs',
        trigger: { type: 'manual' },
        steps: [{ id: 'wait', action: 'delay', input: { seconds: 3600 } }],
      });
      const res = await t.api('POST', `/workflows/${own.id}/run`, { headers: other.headers, body: { payload: {} } });
      assert.equal(res.status, 202, res.text);
      await theirs.next((e) => e.kind === 'workflow.started');
      assert.equal(theirs.events.filter((e) => e.kind === 'workflow.started').length, 1, 'only its own run');
    } finally {
      mine.close();
      theirs.close();
    }
  });
});
