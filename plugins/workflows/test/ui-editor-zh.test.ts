import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../../../test/helpers/browser.js';
import { API, workflowsApp, type WorkflowsApp } from './helpers.js';

// The workflow editor in Simplified Chinese (issue 40), in the states the page walk does not reach:
// what a refused save says, the condition builder's operators, errors and rules read back in words,
// the notice after a save, and a dry run's verdict and a delay step's note. Needs the UI bundle in
// dist/ui: `npm run build`.

const OWNER = { email: 'li@workflows-zh.test', password: 'Owner-pass-for-zh-editor-42' };

describe('workflows editor in Simplified Chinese (browser)', () => {
  let t: WorkflowsApp;
  let browser: TestBrowser;
  let page: Page;

  before(async () => {
    t = await workflowsApp({ plugins: ['mail'], settings: { mail: { domains: [{ name: 'inbox.test' }] } } });
    const reg = await t.request('POST', `${API}/auth/register`, { body: { email: OWNER.email, password: OWNER.password, full_name: '李雷' } });
    assert.equal(reg.status, 201, reg.text);
    const login = await t.request('POST', `${API}/auth/login`, { body: OWNER });
    const me = await t.request('PATCH', `${API}/users/me`, { headers: { authorization: `Bearer ${login.body.access_token}` }, body: { language: 'zh-CN' } });
    assert.equal(me.status, 200, me.text);
    browser = await launchBrowser(t.url, { locale: 'zh-CN' });
    page = browser.page;
    await page.goto('/admin');
    await page.getByRole('heading', { name: '登录', level: 1 }).waitFor();
    await page.getByLabel('邮箱').fill(OWNER.email);
    await page.getByLabel('密码', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('navigation', { name: '管理分区' }).waitFor();
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('says in Chinese why a save is refused, what the rules ask, what was saved and what a dry run would do', async () => {
    await page.goto('/admin/workflows/edit');
    await page.getByRole('heading', { name: '新建工作流', level: 1 }).waitFor();
    await page.getByRole('button', { name: '创建工作流' }).click();
    await page.getByText('未保存：请修正下面标出的 2 个字段。').waitFor();
    await page.getByText('请为工作流命名。').waitFor();
    await page.getByText('请至少添加一个步骤。').waitFor();

    await page.getByLabel('名称', { exact: true }).fill('验证码转发');
    await page.getByLabel('何时运行？').selectOption('event');
    await page.getByLabel('事件', { exact: true }).selectOption('mail.received');
    await page.getByRole('group', { name: 'mail.received 的触发数据' }).getByText('来自邮件插件，版本 1', { exact: false }).waitFor();
    const builder = page.getByRole('group', { name: '条件构建器' });
    await builder.getByLabel('字段').selectOption('email_id');
    await builder.getByLabel('运算符').selectOption({ label: '大于' });
    await builder.getByLabel('值', { exact: true }).fill('许多');
    await builder.getByRole('button', { name: '添加规则' }).click();
    await builder.getByText('值必须是数字。').waitFor();
    await builder.getByLabel('值', { exact: true }).fill('10');
    await builder.getByRole('button', { name: '添加规则' }).click();
    await builder.getByRole('list', { name: '条件规则' }).getByText('email_id 大于 10').waitFor();

    await page.getByRole('button', { name: '添加步骤' }).click();
    const step = page.getByRole('group', { name: '第 1 步' });
    await step.getByLabel('动作', { exact: true }).selectOption('delay');
    await step.getByText('等待一段时间再执行下一步', { exact: false }).waitFor();
    await step
      .getByRole('group', { name: '第 1 步的输入' })
      .getByLabel(/^seconds\b/)
      .fill('5');
    await page.getByRole('button', { name: '创建工作流' }).click();
    await page.getByRole('status').filter({ hasText: '已保存“验证码转发”为版本 1，已启用。' }).waitFor();
    await page.getByRole('heading', { name: '验证码转发', level: 1 }).waitFor();

    await page.getByRole('button', { name: '试运行', exact: true }).click();
    const result = page.getByRole('region', { name: '试运行结果' });
    await result.getByText('会运行：条件匹配，且每一步的输入都有效。').waitFor();
    await result.getByText('运行会在此挂起等待，到时间后继续').waitFor();
    browser.check();
  });
});
