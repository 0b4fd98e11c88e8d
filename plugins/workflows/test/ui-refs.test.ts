import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { launchBrowser, screenshot, signIn, type TestBrowser } from '../../../test/helpers/browser.js';
import { activate, newCodes, type RobotsApp } from '../../../test/helpers/robots.js';
import { API, waitForRun, workflowsApp, type WorkflowsApp } from './helpers.js';

// The step forms in a real browser (issue 40): every action input that names a thing the tenant
// owns (robots.send_message's and ai.reply's robot, mail.send's sender) is a list of that tenant's
// own things by name — never another tenant's — and saves the id; one rule of a condition is
// removed and the others stay; stop_if's condition is written with the same rule builder, saved as
// the JSON Schema the engine runs, and a run stops when the rule matches.
// Needs the UI bundle in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.

const OWNER = { email: 'ada@workflows-refs.test', password: 'Owner-pass-for-refs-ui-42' };

describe('workflows admin UI: pickers in step forms, removing a rule, stop_if’s rule builder (browser)', () => {
  let t: WorkflowsApp & RobotsApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Actor;
  let other: Actor;
  const made = { robot: '', theirRobot: '', box: '', theirBox: '' };

  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const step = (n: number) => page.getByRole('group', { name: `Step ${n}`, exact: true });
  const input = (n: number) => page.getByRole('group', { name: `Input of step ${n}` });
  const definitionOf = async (name: string) => {
    const row = await t.app.db('workflows_workflows').where('name', name).first();
    return { id: row.id as string, ...JSON.parse((await t.app.db('workflows_versions').where('id', row.version_id).first()).definition) };
  };
  const addStep = async (n: number, action: string) => {
    await page.getByRole('button', { name: 'Add step' }).click();
    await step(n).getByLabel('Action', { exact: true }).selectOption(action);
  };
  /** The options of a picker once its list has loaded (the tenant's own robot or mailbox is in it). */
  const optionsOf = async (n: number, field: string, expected: string) => {
    const select = input(n).getByLabel(new RegExp(`^${field}\\b`));
    await select.locator('option', { hasText: expected }).waitFor({ state: 'attached' });
    assert.equal(await select.evaluate((el) => el.tagName), 'SELECT');
    return {
      select,
      texts: await select.locator('option').allTextContents(),
      values: await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
    };
  };

  before(async () => {
    t = (await workflowsApp({
      plugins: ['licensing', 'mail', 'robots', 'ai'],
      settings: { mail: { domains: [{ name: 'refs-ui.test' }] }, robots: { requestsPerMinute: 100_000 } },
    })) as WorkflowsApp & RobotsApp;
    t.wb = (method, path, opts) => t.request(method, `/workbot${path}`, opts);
    owner = await registerOwner(t, 'ada', { email: OWNER.email, password: OWNER.password, fullName: 'Ada Owner' });
    other = await registerOwner(t, 'zed');
    for (const [who, key, name] of [
      [owner, 'robot', 'Front desk phone'],
      [other, 'theirRobot', 'Zed’s phone'],
    ] as const) {
      const [code] = await newCodes(t, who);
      made[key] = (await activate(t, code)).robotId;
      assert.equal((await t.wb('PUT', `/api/robots/${made[key]}`, { headers: who.headers, body: { name } })).status, 200);
    }
    for (const [who, key, local] of [
      [owner, 'box', 'orders'],
      [other, 'theirBox', 'zeds'],
    ] as const) {
      const box = await t.request('POST', '/mail/api/create', { headers: who.headers, body: { local, domainIndex: 0 } });
      assert.equal(box.status, 200, box.text);
      made[key] = box.body.email;
    }
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
      return screenshot(page, `workflows-refs-failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  it('robots.send_message’s and ai.reply’s robot and mail.send’s sender list the tenant’s own by name, not another tenant’s; the ids are saved', async () => {
    await page.goto('/admin/workflows/edit');
    await heading('New workflow');
    await page.getByLabel('Name', { exact: true }).fill('Pick, do not type');

    await addStep(1, 'robots.send_message');
    const robot = await optionsOf(1, 'robotId', 'Front desk phone');
    assert.ok(robot.texts.includes(`Front desk phone · ${made.robot}`), robot.texts.join(' | '));
    assert.ok(!robot.texts.some((o) => o.includes('Zed')) && !robot.values.includes(made.theirRobot), 'another tenant’s robot is not offered');
    await robot.select.selectOption(made.robot);
    await input(1)
      .getByLabel(/^titleList\b/)
      .fill('Ops group');
    await input(1)
      .getByLabel(/^content\b/)
      .fill('A code came in');

    await addStep(2, 'ai.reply');
    const aiRobot = await optionsOf(2, 'robotId', 'Front desk phone');
    assert.ok(!aiRobot.values.includes(made.theirRobot));
    await aiRobot.select.selectOption(made.robot);
    await input(2)
      .getByLabel(/^text\b/)
      .fill('What are your opening hours?');

    await addStep(3, 'mail.send');
    const from = await optionsOf(3, 'from', made.box);
    assert.ok(from.values.includes(made.box) && !from.values.includes(made.theirBox), from.values.join(' | '));
    assert.match((await page.locator(`#${await from.select.getAttribute('id')}-hint`).textContent()) ?? '', /one of your mailboxes/);
    await from.select.selectOption(made.box);
    await input(3).getByLabel(/^to\b/).fill('buyer@example.com');
    await input(3)
      .getByLabel(/^subject\b/)
      .fill('Your order');
    await input(3)
      .getByLabel(/^text\b/)
      .fill('It ships today.');
    await screenshot(page, 'workflows-step-pickers');

    await page.getByRole('button', { name: 'Create workflow' }).click();
    await heading('Pick, do not type');
    const definition = await definitionOf('Pick, do not type');
    assert.deepEqual(
      definition.steps.map((s: { action: string; input: Record<string, unknown> }) => [s.action, s.input.robotId ?? s.input.from]),
      [
        ['robots.send_message', made.robot],
        ['ai.reply', made.robot],
        ['mail.send', made.box],
      ],
    );
    // The same through the API the editor saved with.
    const saved = await t.api('GET', `/workflows/${definition.id}`, { headers: owner.headers });
    assert.equal(saved.status, 200, saved.text);
    assert.equal(saved.body.steps[2].input.from, made.box);

    // The other tenant's editor lists theirs (and not these) through the same lookup.
    const theirs = await t.request('GET', `${API}/workflows/refs/robot`, { headers: other.headers });
    assert.deepEqual(
      theirs.body.items.map((i: { id: string }) => i.id),
      [made.theirRobot],
    );
  });

  it('removing one rule of a condition leaves the others, in the editor and in the saved workflow', async () => {
    await page.goto('/admin/workflows/edit');
    await heading('New workflow');
    await page.getByLabel('Name', { exact: true }).fill('Three rules, then two');
    await page.getByLabel('When does it run?').selectOption('event');
    await page.getByLabel('Event', { exact: true }).selectOption('mail.received');
    const builder = page.getByRole('group', { name: 'Condition builder' });
    const add = async (field: string, op: string, value = '') => {
      await builder.getByLabel('Field').selectOption(field);
      await builder.getByLabel('Operator').selectOption(op);
      if (op !== 'exists') await builder.getByLabel('Value').fill(value);
      await builder.getByRole('button', { name: 'Add rule' }).click();
    };
    await add('subject', 'contains', 'Order');
    await add('email_id', 'greater', '10');
    await add('email_id', 'less', '99');
    await add('verification_code', 'exists');
    const rules = builder.getByRole('list', { name: 'Condition rules' });
    const sentences = () => rules.locator('li > span').allTextContents();
    await rules.getByText('verification_code exists').waitFor();
    assert.deepEqual(await sentences(), ['subject contains "Order"', 'email_id is greater than 10', 'email_id is less than 99', 'verification_code exists']);

    await rules.getByRole('button', { name: 'Remove the rule: email_id is greater than 10' }).click();
    await rules.getByText('email_id is greater than 10').waitFor({ state: 'detached' });
    assert.deepEqual(await sentences(), ['subject contains "Order"', 'email_id is less than 99', 'verification_code exists']);
    await rules.getByRole('button', { name: 'Remove the rule: verification_code exists' }).click();
    await rules.getByText('verification_code exists').waitFor({ state: 'detached' });
    const expected = {
      type: 'object',
      properties: { subject: { type: 'string', pattern: 'Order' }, email_id: { type: 'number', exclusiveMaximum: 99 } },
      required: ['subject', 'email_id'],
    };
    assert.deepEqual(JSON.parse(await page.getByRole('textbox', { name: /^Condition/ }).inputValue()), expected);
    await screenshot(page, 'workflows-condition-rule-removed');

    await addStep(1, 'delay');
    await input(1)
      .getByLabel(/^seconds\b/)
      .fill('1');
    await page.getByRole('button', { name: 'Create workflow' }).click();
    await heading('Three rules, then two');
    const definition = await definitionOf('Three rules, then two');
    assert.deepEqual(definition.condition, expected);
    const saved = await t.api('GET', `/workflows/${definition.id}`, { headers: owner.headers });
    assert.deepEqual(saved.body.condition, expected);
  });

  it('stop_if’s condition is written with the rule builder (a rule removed too), saved as the schema the run obeys: it stops when it matches', async () => {
    await page.goto('/admin/workflows/edit');
    await heading('New workflow');
    await page.getByLabel('Name', { exact: true }).fill('Stop on request');
    await addStep(1, 'stop_if');
    const builder = input(1).getByRole('group', { name: 'Rule builder for condition' });
    await builder.getByText('No rules: any value matches.').waitFor();
    const add = async (field: string, op: string, value: string) => {
      await builder.getByLabel('Field').fill(field);
      await builder.getByLabel('Operator').selectOption(op);
      await builder.getByLabel('Value').fill(value);
      await builder.getByRole('button', { name: 'Add rule' }).click();
    };
    await add('code', 'equals', 'stop');
    await add('attempt', 'greater', '3');
    const rules = builder.getByRole('list');
    await rules.getByText('attempt is greater than 3').waitFor();
    await rules.getByRole('button', { name: 'Remove the rule: attempt is greater than 3' }).click();
    await rules.getByText('attempt is greater than 3').waitFor({ state: 'detached' });
    assert.deepEqual(await rules.locator('li > span').allTextContents(), ['code equals "stop"']);
    const schema = { type: 'object', properties: { code: { const: 'stop' } }, required: ['code'] };
    assert.deepEqual(
      JSON.parse(
        await input(1)
          .getByLabel(/^condition\b/)
          .inputValue(),
      ),
      schema,
    );
    await input(1)
      .getByLabel(/^value\b/)
      .fill('{{trigger}}');
    await input(1)
      .getByLabel(/^reason\b/)
      .fill('asked to stop');
    await addStep(2, 'delay');
    await input(2)
      .getByLabel(/^seconds\b/)
      .fill('1');
    await screenshot(page, 'workflows-stop-if-builder');
    await page.getByRole('button', { name: 'Create workflow' }).click();
    await heading('Stop on request');

    const definition = await definitionOf('Stop on request');
    assert.deepEqual(definition.steps[0], {
      id: definition.steps[0].id,
      action: 'stop_if',
      input: { condition: schema, value: '{{trigger}}', reason: 'asked to stop' },
    });

    const runWith = async (payload: unknown) => {
      const res = await t.api('POST', `/workflows/${definition.id}/run`, { headers: owner.headers, body: { payload } });
      assert.equal(res.status, 202, res.text);
      return waitForRun(t, { ...owner, token: '' }, Number(res.body.run_id ?? res.body.id));
    };
    const stopped = await runWith({ code: 'stop' });
    assert.equal(stopped.status, 'stopped', JSON.stringify(stopped));
    const ran = await t.app.db('workflows_run_steps').where('run_id', stopped.id).orderBy('idx');
    assert.deepEqual(
      ran.map((s: { action: string }) => s.action),
      ['stop_if'],
      'the step after it never ran',
    );
    const goes = await runWith({ code: 'go' });
    assert.equal(goes.status, 'succeeded', JSON.stringify(goes));
  });

  it('ran without script errors or failed requests', () => {
    assert.deepEqual(browser.problems, []);
  });
});
