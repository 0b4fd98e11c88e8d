import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshot, signIn, type TestBrowser } from '../../../test/helpers/browser.js';
import { activate, newCodes, type RobotsApp } from '../../../test/helpers/robots.js';
import { API, waitForRun, workflowsApp, type WorkflowsApp } from './helpers.js';
import { authServices } from '../../auth/services/own.js';

// The workflows pages where a person would otherwise type JSON Schema or raw ids, in a real
// browser (with mail and robots enabled, so there are mailboxes and robots to pick): the condition
// builder writes the schema from field / operator / value and reads it back in words; a template's
// robot and mailbox are chosen from lists with their names; Run now starts from a sample that
// passes the condition; the list's long names stay on one line. No failed request on any of it.
// Needs the UI bundle in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.

const OWNER = { email: 'bea@workflows-builder.test', password: 'Owner-pass-for-builder-ui-42' };
const LONG = 'Forward every verification code from the shop’s sign-up mailbox to the operations chat, with the subject';

describe('workflows admin UI: condition builder, pickers, Run now sample (browser)', () => {
  let t: WorkflowsApp & RobotsApp;
  let browser: TestBrowser;
  let page: Page;
  let headers: Record<string, string> = {};
  let owner = { id: '', tenantId: '' };
  let robotId = '';
  let mailbox = '';

  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const condition = () => page.getByRole('textbox', { name: /^Condition/ });
  const builder = () => page.getByRole('group', { name: 'Condition builder' });
  const definitionOf = async (name: string) => {
    const row = await t.app.db('workflows_workflows').where('name', name).first();
    return JSON.parse((await t.app.db('workflows_versions').where('id', row.version_id).first()).definition);
  };

  before(async () => {
    t = (await workflowsApp({
      plugins: ['licensing', 'mail', 'robots'],
      settings: { mail: { domains: [{ name: 'inbox.test' }] }, robots: { requestsPerMinute: 100_000 } },
    })) as WorkflowsApp & RobotsApp;
    t.wb = (method, path, opts) => t.request(method, `/workbot${path}`, opts);
    const reg = await t.request('POST', `${API}/auth/register`, { body: { email: OWNER.email, password: OWNER.password, full_name: 'Bea Owner' } });
    assert.equal(reg.status, 201, reg.text);
    const login = await t.request('POST', `${API}/auth/login`, { body: OWNER });
    headers = { authorization: `Bearer ${login.body.access_token}` };
    owner = { id: login.body.user.id, tenantId: login.body.user.tenant_id };
    const box = await t.request('POST', '/mail/api/create', { headers, body: { local: 'signups', domainIndex: 0 } });
    assert.equal(box.status, 200, box.text);
    mailbox = box.body.email;
    const [code] = await newCodes(t, { ...owner, token: '', headers });
    robotId = (await activate(t, code)).robotId;
    await t.wb('PUT', `/api/robots/${robotId}`, { headers, body: { name: 'Front desk phone' } });
    browser = await launchBrowser(t.url);
    page = browser.page;
    await signIn(page, OWNER);
    await page.getByRole('navigation', { name: 'Admin sections' }).waitFor();
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && page)
      return screenshot(page, `workflows-builder-failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  it('the condition builder offers the event’s payload fields and writes the JSON Schema; the rules read back in words', async () => {
    await page.goto('/admin/workflows/edit');
    await heading('New workflow');
    await page.getByLabel('Name', { exact: true }).fill('Codes about orders');
    await page.getByLabel('When does it run?').selectOption('event');
    await page.getByLabel('Event', { exact: true }).selectOption('mail.received');
    const field = builder().getByLabel('Field');
    await field.locator('option', { hasText: 'subject (string)' }).waitFor({ state: 'attached' });
    await builder().getByText('No rules: every trigger runs.').waitFor();

    await field.selectOption('subject');
    await builder().getByLabel('Operator').selectOption('contains');
    await builder().getByLabel('Value').fill('Order #');
    await builder().getByRole('button', { name: 'Add rule' }).click();
    await field.selectOption('verification_code');
    await builder().getByLabel('Operator').selectOption('exists');
    assert.equal(await builder().getByLabel('Value').isDisabled(), true);
    await builder().getByRole('button', { name: 'Add rule' }).click();
    await field.selectOption('email_id');
    await builder().getByLabel('Operator').selectOption('greater');
    await builder().getByLabel('Value').fill('many');
    await builder().getByRole('button', { name: 'Add rule' }).click();
    await builder().getByText('The value must be a number.').waitFor();
    await builder().getByLabel('Value').fill('10');
    await builder().getByRole('button', { name: 'Add rule' }).click();

    const rules = builder().getByRole('list', { name: 'Condition rules' });
    await rules.getByText('email_id is greater than 10').waitFor();
    assert.deepEqual(await rules.locator('li > span').allTextContents(), [
      'subject contains "Order #"',
      'email_id is greater than 10',
      'verification_code exists',
    ]);
    const written = {
      type: 'object',
      properties: { subject: { type: 'string', pattern: 'Order #' }, email_id: { type: 'number', exclusiveMinimum: 10 } },
      required: ['subject', 'verification_code', 'email_id'],
    };
    assert.deepEqual(JSON.parse(await condition().inputValue()), written);
    await screenshot(page, 'workflows-condition-builder');

    // The raw JSON stays editable: a hand edit shows in the rules.
    await condition().fill(JSON.stringify({ ...written, properties: { ...written.properties, mailbox: { const: mailbox } } }));
    await rules.getByText(`mailbox equals "${mailbox}"`).waitFor();

    // Before saving, the dry run's sample can be made from the condition being edited.
    await page.getByRole('button', { name: 'Sample from the condition' }).click();
    const draftSample = JSON.parse(await page.getByLabel('Sample payload (JSON)').inputValue());
    assert.deepEqual(
      [draftSample.mailbox, draftSample.subject, draftSample.email_id > 10, 'verification_code' in draftSample],
      [mailbox, 'Order #', true, true],
    );

    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByRole('group', { name: 'Step 1' }).getByLabel('Action', { exact: true }).selectOption('delay');
    await page
      .getByRole('group', { name: 'Input of step 1' })
      .getByLabel(/^seconds\b/)
      .fill('1');
    await page.getByRole('button', { name: 'Create workflow' }).click();
    await heading('Codes about orders');
    assert.deepEqual((await definitionOf('Codes about orders')).condition, { ...written, properties: { ...written.properties, mailbox: { const: mailbox } } });
  });

  it('the dry run and Run now start from a sample that passes the condition', async () => {
    // The saved condition shapes the dry run's sample: it would run as it is.
    const sample = JSON.parse(await page.getByLabel('Sample payload (JSON)').inputValue());
    assert.equal(sample.mailbox, mailbox);
    assert.match(sample.subject, /Order #/);
    assert.ok(sample.email_id > 10);
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('region', { name: 'Dry run result' }).getByText('It would run: the condition matches and every step’s input is valid.').waitFor();

    // A manual workflow whose condition wants a code: Run now's payload already has one.
    const made = await t.api('POST', '/workflows', {
      headers,
      body: {
        name: 'Manual with a code',
        trigger: { type: 'manual' },
        condition: { type: 'object', required: ['code', 'count'], properties: { code: { const: 'XY-1' } } },
        steps: [{ id: 'wait', action: 'delay', input: { seconds: 1 } }],
      },
    });
    assert.equal(made.status, 201, made.text);
    await page.goto('/admin/workflows');
    await page.getByRole('button', { name: 'Run “Manual with a code” now' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run “Manual with a code” now' });
    const payload = dialog.getByLabel('Payload (JSON)');
    await page.waitForFunction(() => Boolean((document.getElementById('run-now-payload') as HTMLTextAreaElement | null)?.value), null, { timeout: 5000 });
    assert.deepEqual(JSON.parse(await payload.inputValue()), { code: 'XY-1', count: 'sample count' });
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/admin/workflows/runs' && url.searchParams.has('run'));
    const run = await t.app.db('workflows_runs').where('workflow_id', made.body.id).first();
    assert.equal(JSON.parse(run.trigger_payload).code, 'XY-1');
  });

  it('a template’s robot and mailbox are picked from lists by name; the ids land in the workflow', async () => {
    await page.goto('/admin/workflows');
    await page.getByRole('button', { name: /template/i }).click();
    const dialog = page.getByRole('dialog', { name: 'New workflow from a template' });
    await dialog.getByLabel('Template').selectOption('forward-verification-codes');
    const robot = dialog.getByLabel(/^robot_id\b/);
    assert.equal(await robot.evaluate((el) => el.tagName), 'SELECT');
    await robot.locator('option', { hasText: 'Front desk phone' }).waitFor({ state: 'attached' });
    assert.ok((await robot.locator('option').allTextContents()).some((o) => o.startsWith('Front desk phone') && o.includes(robotId)));
    await robot.selectOption(robotId);
    const box = dialog.getByLabel(/^mailbox\b/);
    assert.equal(await box.evaluate((el) => el.tagName), 'SELECT');
    await box.selectOption(mailbox);
    await dialog.getByLabel(/^chat\b/).fill('Ops group');
    await dialog.getByLabel('Name').fill('Codes to the desk');
    await screenshot(page, 'workflows-template-pickers');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await heading('Codes to the desk');
    const definition = await definitionOf('Codes to the desk');
    assert.equal(definition.steps[0].input.robotId, robotId);
    assert.deepEqual(definition.steps[0].input.titleList, ['Ops group']);
    assert.equal(definition.condition.properties.mailbox.const, mailbox);
  });

  it('an action’s user (auth.notify_user) is picked from the tenant’s users by name, or typed as a template; the run mails them', async () => {
    const auth = authServices.of(t.app);
    const mia = await auth.users.create(t.app.db, {
      tenantId: owner.tenantId,
      email: 'mia@workflows-builder.test',
      passwordHash: await auth.passwords.hash('Member-pass-for-builder-42'),
      role: 'member',
      fullName: 'Mia Member',
    });
    await page.goto('/admin/workflows/edit');
    await heading('New workflow');
    await page.getByLabel('Name', { exact: true }).fill('Tell Mia');
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByRole('group', { name: 'Step 1' }).getByLabel('Action', { exact: true }).selectOption('auth.notify_user');
    const input = page.getByRole('group', { name: 'Input of step 1' });
    const user = input.getByLabel(/^user_id\b/);
    await user.locator('option', { hasText: 'Mia Member' }).waitFor({ state: 'attached' });
    assert.equal(await user.evaluate((el) => el.tagName), 'SELECT');
    const options = await user.locator('option').allTextContents();
    assert.ok(options.includes('Mia Member · mia@workflows-builder.test (member)'), options.join(' | '));
    assert.ok(options.includes(`Bea Owner · ${OWNER.email} (owner)`), options.join(' | '));
    assert.match((await page.locator(`#${await user.getAttribute('id')}-hint`).textContent()) ?? '', /one of your users · or a \{\{template\}\}/);

    // A template instead (the user the trigger names), then back to the list.
    await user.selectOption({ label: 'Type an id or a {{template}}…' });
    const typed = input.getByLabel(/^user_id\b/);
    assert.equal(await typed.evaluate((el) => el.tagName), 'INPUT');
    await typed.fill('{{trigger.user_id}}');
    await input.getByRole('button', { name: 'Choose from your users' }).click();
    await input.getByLabel(/^user_id\b/).selectOption(mia.id);
    await input.getByLabel(/^subject\b/).fill('Hello Mia');
    await input.getByLabel(/^text\b/).fill('A note from the workflow.');
    await screenshot(page, 'workflows-user-picker');
    await page.getByRole('button', { name: 'Create workflow' }).click();
    await heading('Tell Mia');
    const definition = await definitionOf('Tell Mia');
    assert.deepEqual(definition.steps[0].input, { user_id: mia.id, subject: 'Hello Mia', text: 'A note from the workflow.' });

    const id = (await t.app.db('workflows_workflows').where('name', 'Tell Mia').first('id')).id;
    const run = await t.api('POST', `/workflows/${id}/run`, { headers, body: { payload: {} } });
    assert.equal(run.status, 202, run.text);
    await waitForRun(t, { ...owner, email: OWNER.email, token: '', headers }, Number(run.body.run_id ?? run.body.id));
    const mail = await t.app.db('core_mail_outbox').where('subject', 'Hello Mia').first();
    assert.deepEqual(JSON.parse(mail.to), ['mia@workflows-builder.test']);
  });

  it('the list keeps a long name on one line, cut with an ellipsis, its full text on hover', async () => {
    const made = await t.api('POST', '/workflows', {
      headers,
      body: { name: LONG, trigger: { type: 'manual' }, steps: [{ id: 'wait', action: 'delay', input: { seconds: 1 } }] },
    });
    assert.equal(made.status, 201, made.text);
    await page.goto('/admin/workflows');
    const link = page.getByRole('link', { name: LONG });
    await link.waitFor();
    assert.equal(await link.getAttribute('title'), LONG);
    const style = await link.evaluate((el) => {
      const s = getComputedStyle(el);
      return {
        whiteSpace: s.whiteSpace,
        textOverflow: s.textOverflow,
        overflow: s.overflow,
        lineHeight: parseFloat(s.lineHeight) || 20,
        height: el.getBoundingClientRect().height,
      };
    });
    assert.deepEqual([style.whiteSpace, style.textOverflow, style.overflow], ['nowrap', 'ellipsis', 'hidden']);
    assert.ok(style.height < style.lineHeight * 1.6, `one line: ${style.height}px`);
    const cell = await link.evaluate((el) => el.closest('td')!.getBoundingClientRect().width);
    assert.ok(cell >= 200, `the name column has room: ${cell}px`);
    await screenshot(page, 'workflows-list-long-name');
  });

  it('ran without script errors or failed requests', () => {
    assert.deepEqual(browser.problems, []); // answers >= 400 and failed requests included
  });
});
