// Longer than most: one feature end-to-end, the workflows admin UI in a real browser, page after page on one
// signed-in session (editor, runs, live updates, templates, import/export, a member's read-only view).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { webhookHeaders } from 'plinth/plugin';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';
import { API, Receiver, workflowsApp, type WorkflowsApp } from './helpers.js';
import { authServices } from '../../auth/services/own.js';

// The workflows admin pages in a real browser, signed in as a tenant owner (the admin UI's session
// cookie is accepted by /api/v2/workflows/*): the editor makes a manual workflow whose one step is
// an http.request to a local receiver with a body templated from the trigger payload (the action's
// form is generated from its input schema: choosing `delay` shows `seconds`); a bad condition is
// refused with the error under the field; a dry run renders the input; Run now with a JSON payload
// opens the run, which shows its step succeeded with the rendered input and the receiver's status;
// the receiver got the templated body. Then a new version, the list (toggle, last run) and a member's
// read-only view. settings.workflows.http.allowPrivate is on (helpers.ts): the receiver is loopback.
// Needs the UI bundle in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.

const OWNER = { email: 'olga@workflows-ui.test', password: 'Owner-pass-for-workflows-ui-42', name: 'Olga Owner' };
const MEMBER = { email: 'mark@workflows-ui.test', password: 'Member-pass-for-workflows-ui-42' };
const NAME = 'Forward codes to the receiver';
const HOOKED = 'Stop on demand';

describe('workflows admin UI (browser)', () => {
  let t: WorkflowsApp;
  let browser: TestBrowser;
  let page: Page;
  let rx: Receiver;
  let tenantId = '';
  let workflowId = '';
  let runId = 0;

  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const step = (n: number) => page.getByRole('group', { name: `Step ${n}` });
  const field = (n: number, name: string) => page.getByRole('group', { name: `Input of step ${n}` }).getByLabel(new RegExp(`^${name}\\b`));
  const count = async (table: string, where: Record<string, unknown> = {}) => Number((await t.app.db(table).where(where).count({ n: '*' }).first())?.n);

  async function signIn(p: Page, who: { email: string; password: string }) {
    await p.goto('/admin');
    await p.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await p.getByLabel('Email').fill(who.email);
    await p.getByLabel('Password', { exact: true }).fill(who.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Workflow runs' }).waitFor();
  }

  before(async () => {
    t = await workflowsApp();
    rx = await Receiver.start();
    rx.respond = () => ({ status: 200, body: { received: true } });
    const reg = await t.request('POST', `${API}/auth/register`, { body: { email: OWNER.email, password: OWNER.password, full_name: OWNER.name } });
    assert.equal(reg.status, 201, reg.text);
    tenantId = reg.body.user?.tenant_id ?? (await t.app.db('auth_users').where('email', OWNER.email).first()).tenant_id;
    const auth = authServices.of(t.app);
    await auth.users.create(t.app.db, {
      tenantId,
      email: MEMBER.email,
      passwordHash: await auth.passwords.hash(MEMBER.password),
      role: 'member',
      fullName: 'Mark Member',
    });
    browser = await launchBrowser(t.url);
    page = browser.page;
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await rx?.close();
      await t?.close();
    }
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && page) return screenshot(page, `workflows-failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  it('signs in as the owner: Workflows and Workflow runs are in the nav (the editor opens from the list); the list is empty', async () => {
    await signIn(page, OWNER);
    assert.equal(await nav().getByRole('link', { name: 'Workflow editor' }).count(), 0);
    await nav().getByRole('link', { name: 'Workflows', exact: true }).click();
    await heading('Workflows');
    assert.equal(new URL(page.url()).pathname, '/admin/workflows');
    await page.getByText('No workflows yet. Create one, start from a template, or import one.').waitFor();
  });

  it('the action form is generated from the schema: delay shows seconds; http.request its own fields', async () => {
    await page.getByRole('button', { name: 'New workflow' }).click();
    await heading('New workflow');
    assert.equal(new URL(page.url()).pathname, '/admin/workflows/edit');
    await page.getByRole('button', { name: 'Add step' }).click();
    await step(1).getByLabel('Action', { exact: true }).selectOption('delay');
    const seconds = field(1, 'seconds');
    await seconds.waitFor();
    assert.match((await page.locator(`#${await seconds.getAttribute('id')}-hint`).textContent()) ?? '', /whole number, from 1 to 2592000/);
    assert.equal(await step(1).getByLabel('Step id').inputValue(), 'delay');
    await seconds.fill('soon');
    await step(1).getByText('must be a number (or a {{template}})').waitFor();

    await step(1).getByLabel('Action', { exact: true }).selectOption('http.request');
    await field(1, 'url').waitFor();
    assert.equal(await field(1, 'seconds').count(), 0, 'the delay field is gone');
    assert.equal(await step(1).getByLabel('Step id').inputValue(), 'http_request');
    const labels = await page.getByRole('group', { name: 'Input of step 1' }).locator('label').allTextContents();
    assert.deepEqual(
      labels.map((l) => l.split(/[\s*]/)[0]),
      ['url', 'method', 'headers', 'body', 'sign', 'timeout_ms'],
    );
    // An enum is a select (with the schema's default), an object a JSON text area.
    assert.equal(await field(1, 'method').evaluate((el) => el.tagName), 'SELECT');
    assert.equal(await field(1, 'headers').evaluate((el) => el.tagName), 'TEXTAREA');
    assert.match((await field(1, 'method').locator('option').first().textContent()) ?? '', /default: POST/);
    await screenshot(page, 'workflows-editor-fields');
  });

  it('a condition that is not a JSON Schema is refused: the message is under the field and nothing is saved', async () => {
    await page.getByLabel('Name', { exact: true }).fill(NAME);
    await field(1, 'url').fill(`${rx.url}/hook`);
    await field(1, 'method').selectOption('POST');
    await field(1, 'body').fill('{ "code": "{{trigger.code}}", "from": "{{workflow.name}}" }');
    await page.getByRole('textbox', { name: /^Condition/ }).fill('{ "type": "object", "required": ["code"], "properties": { "code": { "type": "text" } } }');
    browser.expectRefusal({ status: 422, method: 'POST', path: '/api/v2/workflows' });
    await page.getByRole('button', { name: 'Create workflow' }).click();
    const message = page.locator('#condition-errors');
    await message.waitFor();
    assert.match((await message.textContent()) ?? '', /is not a valid JSON Schema/);
    assert.equal(await page.getByRole('textbox', { name: /^Condition/ }).getAttribute('aria-invalid'), 'true');
    assert.equal(await count('workflows_workflows'), 0);
  });

  it('a dry run of the draft shows the condition matched and the rendered input; nothing runs', async () => {
    await page.getByRole('textbox', { name: /^Condition/ }).fill('{ "type": "object", "required": ["code"] }');
    await page.getByLabel('Sample payload (JSON)').fill('{ "code": "DRY-1" }');
    await page.getByRole('button', { name: 'Dry run' }).click();
    const result = page.getByRole('region', { name: 'Dry run result' });
    await result.getByText('It would run: the condition matches and every step’s input is valid.').waitFor();
    const rendered = JSON.parse((await result.getByLabel('Rendered input of step 1').textContent()) ?? '');
    // An unsaved draft is dry-run as the workflow "draft" (version 0); the schema's default method is filled in.
    assert.deepEqual(rendered, { url: `${rx.url}/hook`, method: 'POST', body: { code: 'DRY-1', from: 'draft' } });
    assert.equal(rx.hits.length, 0);
  });

  it('creates it: version 1, enabled, and the page moves to the saved workflow', async () => {
    await page.getByRole('button', { name: 'Create workflow' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved “${NAME}” as version 1, enabled.` })
      .waitFor();
    await heading(NAME);
    // Editing a workflow is part of the Workflows section: that is the nav item highlighted.
    assert.equal(await nav().getByRole('link', { name: 'Workflows', exact: true }).getAttribute('aria-current'), 'page');
    assert.equal(await nav().locator('[aria-current="page"]').count(), 1);
    workflowId = new URL(page.url()).searchParams.get('id') ?? '';
    const row = await t.app.db('workflows_workflows').where('id', workflowId).first();
    assert.ok(row, 'saved under the id in the URL');
    assert.deepEqual([row.tenant_id, Number(row.version), Boolean(row.enabled), row.trigger_type], [tenantId, 1, true, 'manual']);
    const version = await t.app.db('workflows_versions').where('id', row.version_id).first();
    assert.deepEqual(JSON.parse(version.definition), {
      trigger: { type: 'manual' },
      condition: { type: 'object', required: ['code'] },
      steps: [
        {
          id: 'http_request',
          action: 'http.request',
          input: { url: `${rx.url}/hook`, method: 'POST', body: { code: '{{trigger.code}}', from: '{{workflow.name}}' } },
        },
      ],
    });
    // The saved draft is loaded back into the form.
    assert.equal(await field(1, 'url').inputValue(), `${rx.url}/hook`);
    await screenshot(page, 'workflows-editor-saved');
  });

  it('Run now with a JSON payload opens the run: the step succeeded with the rendered input and the receiver’s status', async () => {
    await page.getByRole('button', { name: 'Run now' }).click();
    const dialog = page.getByRole('dialog', { name: `Run “${NAME}” now` });
    await dialog.getByLabel('Payload (JSON)').fill('{ "code": "XY-42", "note": "from the test" }');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/admin\/workflows\/runs\?run=\d+$/);
    runId = Number(new URL(page.url()).searchParams.get('run'));
    await heading(`Run #${runId}`);

    const summary = page.getByRole('region', { name: 'Run summary' });
    await summary.getByText('succeeded', { exact: true }).waitFor();
    const stepCard = page.getByRole('region', { name: 'Step 1: http_request' });
    await stepCard.getByText('succeeded', { exact: true }).waitFor();
    const facts = await stepCard.locator('.facts').innerText();
    assert.match(facts, /Attempts\s+1/);
    assert.match(facts, /Response status\s+200/);
    const input = JSON.parse((await stepCard.getByLabel('Input of step 1').textContent()) ?? '');
    assert.deepEqual(input, { url: `${rx.url}/hook`, method: 'POST', body: { code: 'XY-42', from: NAME } });
    const output = JSON.parse((await stepCard.getByLabel('Output of step 1').textContent()) ?? '');
    assert.deepEqual([output.status, output.body], [200, { received: true }]);
    assert.deepEqual(JSON.parse((await page.getByLabel('Trigger payload as JSON').textContent()) ?? ''), { code: 'XY-42', note: 'from the test' });

    // What the receiver got: the templated body, once.
    assert.equal(rx.hits.length, 1);
    assert.deepEqual([rx.hits[0].method, rx.hits[0].path], ['POST', '/hook']);
    assert.deepEqual(JSON.parse(rx.hits[0].body), { code: 'XY-42', from: NAME });
    const run = await t.app.db('workflows_runs').where('id', runId).first();
    assert.deepEqual([run.workflow_id, run.status, run.trigger_type], [workflowId, 'succeeded', 'manual']);
    await screenshot(page, 'workflows-run');
  });

  it('the run history lists the run; the status filter narrows it', async () => {
    await nav().getByRole('link', { name: 'Workflow runs' }).click();
    await heading('Workflow runs');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: `Run ${runId}` }) });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(0, 5), [`#${runId}`, NAME, '1', 'manual', 'succeeded']);
    // Above the history, the last 30 days as charts: today's bar counts every run the history lists.
    const started = page.getByRole('list', { name: 'Runs started per day, last 30 days' });
    await started.waitFor();
    const runs = (await t.app.db('workflows_runs').where('tenant_id', tenantId)).length;
    const today = new Date().toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
    assert.equal(await started.getByRole('listitem', { name: `${today}: ${runs}` }).count(), 1);
    assert.equal(await page.getByRole('list', { name: 'Runs failed, stopped or blocked per day, last 30 days' }).getByRole('listitem').count(), 30);
    await screenshot(page, 'workflows-runs-list');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No runs match.').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('status'), 'failed');
    await page.getByLabel('Status').selectOption('succeeded');
    await row.waitFor();
  });

  it('a run started elsewhere shows here when it ends, from the live stream: no reload, no polling', async () => {
    // The page's clock is the test's: it runs as usual until paused below, to show what moves the page.
    await page.clock.install();
    await page.goto('/admin/workflows/runs');
    await heading('Workflow runs');
    await page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: `Run ${runId}` }) })
      .waitFor();
    await page.locator('.live-note').getByText('live', { exact: true }).waitFor();
    await page.evaluate(() => Object.assign(window, { loadedOnce: true }));
    let listRequests = 0;
    page.on('request', (req) => {
      if (req.method() === 'GET' && new URL(req.url()).pathname === `${API}/workflows/runs`) listRequests++;
    });
    await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
    await page.clock.runFor('10:00');
    assert.equal(listRequests, 0, 'nothing polls while the stream is open');

    // Started through the API (another tab, a script): its start and its end (on the stream) reload the list.
    const login = await t.request('POST', `${API}/auth/login`, { body: { email: OWNER.email, password: OWNER.password } });
    const started = await t.request('POST', `${API}/workflows/${workflowId}/run`, {
      headers: { authorization: `Bearer ${login.body.access_token}` },
      body: { payload: { code: 'LIVE-1' } },
    });
    assert.equal(started.status, 202, started.text);
    const newRun = Number(started.body.run_id ?? started.body.id);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: `Run ${newRun}` }) });
    while (!(await row.getByText('succeeded', { exact: true }).isVisible())) await page.clock.runFor(200);
    // As it starts (workflow.started) and as it ends (workflow.run): one reload each, or one for both when they come together.
    assert.ok([1, 2].includes(listRequests), `a reload per event, no more (saw ${listRequests})`);
    await page.clock.resume();
    assert.equal(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce), true, 'the page was not reloaded');
    runId = newRun; // the workflow's last run from now on
  });

  it('a run in progress shows its end from the live stream: its page does not poll while the stream is open', async () => {
    const login = await t.request('POST', `${API}/auth/login`, { body: { email: OWNER.email, password: OWNER.password } });
    const headers = { authorization: `Bearer ${login.body.access_token}` };
    const made = await t.request('POST', `${API}/workflows`, {
      headers,
      body: { name: 'Wait five seconds', trigger: { type: 'manual' }, steps: [{ id: 'wait', action: 'delay', input: { seconds: 5 } }] },
    });
    assert.equal(made.status, 201, made.text);
    const started = await t.request('POST', `${API}/workflows/${made.body.id}/run`, { headers, body: { payload: {} } });
    assert.equal(started.status, 202, started.text);
    const waiting = Number(started.body.run_id ?? started.body.id);

    await page.clock.install();
    await page.goto(`/admin/workflows/runs?run=${waiting}`);
    await heading(`Run #${waiting}`);
    const summary = page.getByRole('region', { name: 'Run summary' });
    await page.locator('.live-note').getByText('live', { exact: true }).waitFor();
    let runRequests = 0;
    page.on('request', (req) => {
      if (req.method() === 'GET' && new URL(req.url()).pathname === `${API}/workflows/runs/${waiting}`) runRequests++;
    });
    // The page's clock is the test's now: ten minutes of it bring no request while the stream is open.
    await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
    try {
      await page.clock.runFor('10:00');
      assert.equal(runRequests, 0, 'nothing polls while the stream is open');
      // The run ends on the server (real time, about 5 s); its workflow.run on the stream reloads the page's run once.
      const until = Date.now() + 30_000;
      while (!(await summary.getByText('succeeded', { exact: true }).isVisible()) && Date.now() < until) {
        await page.clock.runFor(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await summary.getByText('succeeded', { exact: true }).waitFor({ timeout: 1000 });
      assert.equal(runRequests, 1, 'one reload, on the run’s end');
    } finally {
      await page.clock.resume();
    }
    await t.request('DELETE', `${API}/workflows/${made.body.id}`, { headers });
  });

  it('editing the steps saves version 2; the list shows it with its last run, and the toggle disables it', async () => {
    await page.goto(`/admin/workflows/edit?id=${workflowId}`);
    await heading(NAME);
    await field(1, 'body').fill('{ "code": "{{trigger.code}}", "v": 2 }');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved version 2.' }).waitFor();
    assert.equal(Number((await t.app.db('workflows_workflows').where('id', workflowId).first()).version), 2);
    assert.equal(await count('workflows_versions', { workflow_id: workflowId }), 2);
    await page
      .getByRole('table', { name: /^Every saved version/ })
      .getByRole('cell', { name: '2 (current)' })
      .waitFor();

    await nav().getByRole('link', { name: 'Workflows', exact: true }).click();
    await heading('Workflows');
    const row = page.getByRole('row').filter({ hasText: NAME });
    await row.getByRole('link', { name: `Run ${runId}: succeeded` }).waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.deepEqual([cells[1], cells[2], cells[3]], ['manual', 'on', '2']);
    await row.getByRole('checkbox', { name: `Enabled: ${NAME}` }).uncheck();
    await page
      .getByRole('status')
      .filter({ hasText: `Disabled “${NAME}”.` })
      .waitFor();
    assert.equal(Boolean((await t.app.db('workflows_workflows').where('id', workflowId).first()).enabled), false);
    assert.equal(await row.getByRole('button', { name: `Run “${NAME}” now` }).isDisabled(), true);
    await screenshot(page, 'workflows-list');
    assert.deepEqual(browser.problems, []);
  });

  it('the trigger picker: an event shows its plugin and payload schema; a signed webhook shows its URL and secret once', async () => {
    await nav().getByRole('link', { name: 'Workflows', exact: true }).click();
    await page.getByRole('button', { name: 'New workflow' }).click();
    await heading('New workflow');
    await page.getByLabel('Name', { exact: true }).fill(HOOKED);
    await page.getByLabel('When does it run?').selectOption('event');
    const events = page.getByLabel('Event', { exact: true });
    // The events come from the catalogue the page fetches: wait for the option rather than read the list at once.
    await events.locator('option', { hasText: 'auth.login (auth)' }).waitFor({ state: 'attached' });
    await events.selectOption('auth.login');
    const payload = page.getByRole('group', { name: 'The payload of auth.login' });
    await payload.getByText('From the auth plugin, version 1', { exact: false }).waitFor();
    const rows = await payload.getByRole('table', { name: 'Payload fields of auth.login' }).getByRole('row').allInnerTexts();
    assert.deepEqual(
      rows.slice(1).map((r) => r.split('\t').map((c) => c.trim())),
      [
        ['user_id', 'string', 'yes'],
        ['method', 'string', 'yes'],
      ],
    );

    await page.getByLabel('When does it run?').selectOption('webhook');
    await page.getByLabel(/Require a signature/).check();
    await page.getByRole('button', { name: 'Add step' }).click();
    await step(1).getByLabel('Action', { exact: true }).selectOption('stop_if');
    await field(1, 'condition').fill('{ "const": "stop" }');
    await field(1, 'value').fill('{{trigger.mode}}');
    await page.getByRole('button', { name: 'Create workflow' }).click();
    const reveal = page.getByRole('region', { name: 'Copy the webhook URL and secret now' });
    await reveal.waitFor();
    const url = (await reveal.locator('p', { hasText: /^URL:/ }).locator('code').textContent()) ?? '';
    const secret =
      (await reveal
        .locator('p', { hasText: /^Signing secret:/ })
        .locator('code')
        .textContent()) ?? '';
    assert.match(url, /^http:\/\/plinth\.test\/api\/v2\/workflows\/hooks\/[A-Za-z0-9_-]{20,}$/);
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    await screenshot(page, 'workflows-webhook-reveal');

    // The URL and secret work: a signed call starts a run.
    const body = JSON.stringify({ mode: 'go' });
    const hooked = await t.request('POST', new URL(url).pathname, {
      raw: body,
      headers: { 'content-type': 'application/json', ...webhookHeaders(secret, 'msg_ui_1', Math.floor(Date.now() / 1000), body) },
    });
    assert.equal(hooked.status, 202, hooked.text);
    // Shown once: after a reload the page only offers a new URL.
    await page.reload();
    await heading(HOOKED);
    await page.getByText('The URL and signing secret were shown when made.').waitFor();
    assert.equal(await page.getByRole('region', { name: 'Copy the webhook URL and secret now' }).count(), 0);
  });

  it('exports a workflow as JSON and imports the document as a new, disabled workflow', async () => {
    await nav().getByRole('link', { name: 'Workflows', exact: true }).click();
    await page.getByRole('button', { name: `Export “${HOOKED}”` }).click();
    const exported = page.getByRole('dialog', { name: `Export “${HOOKED}”` });
    const doc = JSON.parse((await exported.getByLabel('Exported workflow').textContent()) ?? '');
    assert.deepEqual([doc.plinth_workflow, doc.name, doc.trigger], [1, HOOKED, { type: 'webhook', signed: true }]);
    await page.keyboard.press('Escape');
    await exported.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Import JSON' }).click();
    const importing = page.getByRole('dialog', { name: 'Import a workflow' });
    await importing.getByLabel('Or paste it').fill(JSON.stringify({ ...doc, name: `${HOOKED} (copy)` }));
    await importing.getByRole('button', { name: 'Import', exact: true }).click();
    await importing
      .getByRole('status')
      .filter({ hasText: `Imported “${HOOKED} (copy)” (disabled).` })
      .waitFor();
    await importing.getByRole('button', { name: 'Done' }).click();
    const copy = await t.app.db('workflows_workflows').where('name', `${HOOKED} (copy)`).first();
    assert.deepEqual([copy.tenant_id, Boolean(copy.enabled), copy.trigger_type], [tenantId, false, 'webhook']);
    await page
      .getByRole('row')
      .filter({ hasText: `${HOOKED} (copy)` })
      .getByRole('checkbox', { name: `Enabled: ${HOOKED} (copy)` })
      .waitFor();
    assert.deepEqual(browser.problems, []);
  });

  it('a member sees the workflows and runs read-only, and no editor', async () => {
    const member = await launchBrowser(t.url);
    try {
      const p = member.page;
      await signIn(p, MEMBER);
      const memberNav = p.getByRole('navigation', { name: 'Admin sections' });
      assert.equal(await memberNav.getByRole('link', { name: 'Workflow editor' }).count(), 0);
      await memberNav.getByRole('link', { name: 'Workflows', exact: true }).click();
      const row = p.getByRole('row').filter({ hasText: NAME });
      await row.getByText('disabled', { exact: true }).waitFor();
      assert.equal(await row.getByRole('button', { name: `Delete “${NAME}”` }).count(), 0);
      assert.equal(await p.getByRole('button', { name: 'New workflow' }).count(), 0);
      await p.goto(`/admin/workflows/runs?run=${runId}`);
      await p.getByRole('region', { name: 'Step 1: http_request' }).getByText('succeeded', { exact: true }).waitFor();
      assert.equal(await p.getByRole('button', { name: 'Re-run' }).count(), 0);
      assert.deepEqual(member.problems, []);
    } finally {
      await member.close();
    }
  });
});
