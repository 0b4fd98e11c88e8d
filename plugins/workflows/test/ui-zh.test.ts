// The workflows list's dialogs and a run's page in Simplified Chinese (issue 40): the i18n walk
// opens pages, not dialogs, so this opens each dialog of the list (from a template with each
// template Plinth ships, import, export, Run now, delete) and a failed run's page, in a Chinese
// browser, and finds no English there beyond the test's own data.
// Needs the UI bundle in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../../../test/helpers/browser.js';
import { describeUntranslated, untranslatedText } from '../../../test/helpers/i18n-walk.js';
import { PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import { createWorkflow, waitForRun, workflowsApp, type WorkflowsApp } from './helpers.js';

const OWNER = { name: '李华' };
const TENANT = '李华的公司';
const NAME = '每日检查';

describe('workflows admin UI in Simplified Chinese: the list’s dialogs and a run (browser)', () => {
  let t: WorkflowsApp;
  let browser: TestBrowser;
  let page: Page;
  let runId: number;
  let email: string;
  /** The test's data as the pages show it. */
  const allow = [NAME, OWNER.name, TENANT];
  /** The English the page shows now (the list behind a dialog has none: the first test says so). */
  const english = async () => describeUntranslated(await untranslatedText(page, { allow }));

  before(async () => {
    t = await workflowsApp({ plugins: ['mail', 'robots', 'licensing'] });
    const owner = await registerOwner(t, 'zh', { fullName: OWNER.name, tenantName: TENANT });
    allow.push(owner.email);
    email = owner.email;
    // A step that fails at once, so the run's page shows a failed step and the run's reason.
    const wf = await createWorkflow(t, owner, {
      name: NAME,
      trigger: { type: 'manual' },
      steps: [{ id: 'call_home', action: 'http.request', input: { method: 'GET', url: `${t.url}/no-such-page` }, retry: { attempts: 1 } }],
    });
    const run = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: {} } });
    runId = run.body.run_id;
    await waitForRun(t, owner, runId);
    browser = await launchBrowser(t.url, { locale: 'zh-CN' });
    page = browser.page;
    await page.goto('/admin');
    await page.getByLabel('邮箱').fill(email);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('navigation', { name: '管理分区' }).getByRole('link', { name: '工作流', exact: true }).click();
    await page.getByRole('row').filter({ hasText: NAME }).waitFor();
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('the list shows no English', async () => {
    assert.equal(await english(), '');
  });

  it('from a template: each template Plinth ships, with its settings, shows no English', async () => {
    await page.getByRole('button', { name: '从模板创建' }).click();
    const dialog = page.getByRole('dialog', { name: '从模板新建工作流' });
    // The templates come from the server after the dialog opens: wait for the list before reading it.
    await dialog.getByLabel('模板', { exact: true }).locator('option[value="usage-alert-owner"]').waitFor({ state: 'attached' });
    const ids = await dialog
      .getByLabel('模板', { exact: true })
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    assert.deepEqual(ids.sort(), ['forward-verification-codes', 'license-activated-webhook', 'usage-alert-owner']);
    for (const id of ids) {
      await dialog.getByLabel('模板', { exact: true }).selectOption(id);
      // Its pickers list the tenant's robots and mailboxes once loaded.
      await page.waitForFunction(() => !document.querySelector('dialog select[disabled]'));
      assert.equal(await english(), '', id);
    }
    await dialog.getByRole('button', { name: '取消' }).click();
  });

  it('import, export, Run now and delete show no English', async () => {
    const row = page.getByRole('row').filter({ hasText: NAME });
    const dialogs: Array<[string, () => Promise<unknown>]> = [
      ['导入工作流', () => page.getByRole('button', { name: '导入 JSON' }).click()],
      [`导出“${NAME}”`, () => row.getByRole('button', { name: `导出“${NAME}”` }).click()],
      [`立即运行“${NAME}”`, () => row.getByRole('button', { name: `立即运行“${NAME}”` }).click()],
      [`删除“${NAME}”？`, () => row.getByRole('button', { name: `删除“${NAME}”` }).click()],
    ];
    for (const [title, open] of dialogs) {
      await open();
      const dialog = page.getByRole('dialog', { name: title });
      await dialog.waitFor();
      await page.waitForLoadState('networkidle');
      assert.equal(await english(), '', title);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    }
  });

  it('a failed run, in the history and on its page, shows no English but the error the action gave (its own words)', async () => {
    await page.goto('/admin/workflows/runs');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: `运行 ${runId}` }) });
    await row.getByText('步骤 call_home（http.request）尝试 1 次后失败：GET', { exact: false }).waitFor();
    await page.goto(`/admin/workflows/runs?run=${runId}`);
    await page.getByRole('heading', { name: `运行 #${runId}`, level: 1 }).waitFor();
    await page.getByRole('region', { name: '第 1 步：call_home' }).waitFor();
    const found = await untranslatedText(page, { allow });
    assert.ok(found.length, 'the error is shown');
    for (const f of found) assert.match(f.text, / answered 404$/, describeUntranslated([f]));
  });
});
