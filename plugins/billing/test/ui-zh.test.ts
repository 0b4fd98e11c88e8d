// Issue 40: the billing pages in Simplified Chinese, past what the whole-UI walk opens (it walks
// each page as it first shows): one tenant's billing page with a payment, an open plan-change
// request, usage by day and by month; the plan editor; the customer's Billing page with the same
// usage and their open request; and the server's refusals, told by their codes. Each state is
// checked with the walk's own finder (test/helpers/i18n-walk.ts). Needs the UI bundle: `npm run build`.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { type Actor, login, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';
import { describeUntranslated, untranslatedText } from '../../../test/helpers/i18n-walk.js';

const ADMIN = { email: 'operator@billing-zh.test', password: 'Operator-pass-for-billing-zh-42' };
const TENANT = '小明的网店';

describe('billing pages in Simplified Chinese (browser)', function () {
  this.timeout(120_000);
  let t: TestApp;
  let owner: Actor;
  const browsers: TestBrowser[] = [];

  /** Signs in through the login form in a Chinese browser, as a user whose own setting is zh-CN. */
  async function signIn(who: { email: string; password: string }): Promise<Page> {
    const browser = await launchBrowser(t.url, { locale: 'zh-CN' });
    browsers.push(browser);
    const { page } = browser;
    await page.goto('/admin');
    await page.getByLabel('邮箱').fill(who.email);
    await page.getByLabel('密码', { exact: true }).fill(who.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('navigation', { name: '管理分区' }).waitFor();
    return page;
  }

  /**
   * What the page shows in English now, the test's own data aside: the operator's account and tenant
   * (named at the first start), and the plans' ids beside their names in the plan picker (an option
   * holds text only, so they cannot be marked as code there).
   */
  async function assertChinese(page: Page) {
    await page.waitForLoadState('networkidle');
    const ids = ['（free）', '（pro）', '（business）', '（operator）'];
    const found = await untranslatedText(page, { allow: [ADMIN.email, owner.email, 'Administrator', 'Platform', ...ids] });
    assert.deepEqual(found, [], `${page.url()} still shows English:\n${describeUntranslated(found)}`);
  }

  before(async () => {
    t = await createTestApp({
      plugins: ['auth', 'billing', 'mail', 'licensing'],
      settings: {
        auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000, refreshPerIpPerMinute: 1000 } },
        mail: { domains: [{ name: 'mail.test' }] },
      },
    });
    const admin = await login(t, ADMIN.email, ADMIN.password);
    owner = await registerOwner(t, 'zh', { tenantName: TENANT });
    for (const who of [admin, owner]) {
      const res = await t.request('PATCH', '/api/v2/users/me', { headers: who.headers, body: { language: 'zh-CN' } });
      assert.equal(res.status, 200, res.text);
    }
    // A gauge (a mailbox, a license), a counter used today (mail to two recipients), a payment and an open request.
    const box = await t.request('POST', '/mail/api/create', { headers: owner.headers, body: { local: 'shop', domainIndex: 0 } });
    assert.equal(box.status, 200, box.text);
    const license = await t.request('POST', '/license/api/admin/generate', { headers: owner.headers, body: { plan: 'lifetime', email: 'buyer@example.org' } });
    assert.equal(license.status, 200, license.text);
    const sent = await t.request('POST', '/mail/api/send', {
      headers: owner.headers,
      body: { from: box.body.email, to: 'a@example.org, b@example.org', subject: '营业时间', text: '每天九点开门。' },
    });
    assert.equal(sent.status, 200, sent.text);
    const payment = await t.request('POST', `/api/v2/admin/tenants/${owner.tenantId}/payments`, {
      headers: admin.headers,
      body: { amount: 4990, currency: 'USD', method: 'bank_transfer', period_start: '2026-12-01', period_end: '2026-12-31', reference: 'TRX-7' },
    });
    assert.equal(payment.status, 201, payment.text);
    const request = await t.request('POST', '/api/v2/billing/plan-change-requests', {
      headers: owner.headers,
      body: { plan_id: 'pro', billing_cycle: 'yearly', message: '旺季需要更多邮箱。' },
    });
    assert.equal(request.status, 201, request.text);
  });
  after(async () => {
    try {
      for (const b of browsers) await b.close();
    } finally {
      await t?.close();
    }
  });

  it('shows one tenant’s billing to the operator: plan, the open request, payments, limits and usage by day and by month', async () => {
    const page = await signIn(ADMIN);
    await page.goto(`/admin/billing/tenant?tenant=${owner.tenantId}`);
    await page.getByRole('heading', { name: '租户账单', level: 1 }).waitFor();
    await page.getByRole('region', { name: '待处理的更换套餐申请' }).getByText('旺季需要更多邮箱。').waitFor();
    const limits = page.getByRole('form', { name: '限额与用量' });
    await limits.getByRole('row').filter({ hasText: 'max_mailboxes' }).getByText('当前已用 1 / 5').waitFor();
    await page.getByRole('list', { name: '当前使用' }).getByText('邮箱：当前已用 1 / 5').waitFor();
    await page.getByRole('region', { name: '按月用量' }).getByRole('list', { name: '最近 12 个月每月发出的邮件' }).waitFor();
    await page.getByRole('region', { name: '付款记录' }).getByRole('cell', { name: 'US$49.90' }).waitFor();
    await assertChinese(page);
    await screenshot(page, 'billing-zh-tenant');
  });

  it('shows the plan editor and the create form in Chinese, seeded plan names included', async () => {
    const page = await signIn(ADMIN);
    await page.goto('/admin/billing/plans');
    const free = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'free', exact: true }) });
    await free.getByRole('cell', { name: '免费版' }).waitFor();
    await free.getByRole('button', { name: '编辑' }).click();
    const editor = page.getByRole('form', { name: '编辑套餐 free' });
    await editor.getByLabel('月付价格（USD）').waitFor();
    await editor.getByText('临时邮箱：邮箱、收信与发信').waitFor();
    await assertChinese(page);
    await screenshot(page, 'billing-zh-plans');
  });

  it('tells the server’s refusals by their codes: deleting the default plan, creating a plan whose id is taken', async () => {
    const page = await signIn(ADMIN);
    const browser = browsers[browsers.length - 1];
    browser.expectRefusal({ status: 409, method: 'DELETE', path: '/api/v2/admin/plans/free' });
    browser.expectRefusal({ status: 409, method: 'POST', path: '/api/v2/admin/plans' });
    await page.goto('/admin/billing/plans');
    const free = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'free', exact: true }) });
    page.once('dialog', (dialog) => {
      assert.equal(dialog.message(), '删除套餐“免费版”？此操作无法撤销。');
      void dialog.accept();
    });
    await free.getByRole('button', { name: '删除' }).click();
    await page.getByRole('alert').filter({ hasText: '无法删除该套餐：它是默认套餐或运营方套餐，或者仍有租户在使用。' }).waitFor();
    await assertChinese(page);

    const create = page.getByRole('form', { name: '创建套餐' });
    await create.getByLabel('ID').fill('pro');
    await create.getByLabel('显示名称').fill('专业版');
    await create.getByRole('button', { name: '创建套餐' }).click();
    await create.getByRole('alert').filter({ hasText: '已存在相同 ID 的套餐。' }).waitFor();
    await assertChinese(page);
  });

  it('shows the owner their plan, usage, open request and the plans on offer', async () => {
    const page = await signIn(owner);
    await page.goto('/admin/billing/billing');
    await page.getByRole('heading', { name: '账单', level: 1 }).waitFor();
    await page.getByRole('region', { name: '订阅' }).getByText('免费版', { exact: true }).waitFor();
    await page.getByRole('status', { name: '您待处理的申请' }).waitFor();
    await page.getByRole('region', { name: '专业版' }).getByText('US$29.90/月').waitFor();
    await assertChinese(page);
    await screenshot(page, 'billing-zh-billing');
  });
});
