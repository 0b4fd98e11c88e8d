import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { describeUntranslated, untranslatedText } from '../helpers/i18n-walk.js';
import { capturingLogger, type LogLine } from '../helpers/logs.js';

// Issue 40: every converted page opened in Simplified Chinese shows no English (test/helpers/i18n-walk.ts
// says what counts), with no console error, no failed request and no error-level log line during the
// walk. A visitor's pages come first (the browser asks for zh-CN), then a superadmin's, who chose
// zh-CN in their profile. Needs the UI bundle: `npm run build`.

const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-i18n-42' };

/** The signed-in pages converted so far: the shell's and My profile. */
const SIGNED_IN_PAGES: Array<{ path: string; heading: string }> = [
  { path: '/admin/system', heading: '系统' },
  { path: '/admin/outgoing-mail', heading: '外发邮件' },
  { path: '/admin/auth/profile', heading: '我的资料' },
  { path: '/admin/auth/audit', heading: '审计日志' },
  { path: '/admin/auth/users', heading: '用户' },
];

/**
 * Not converted yet (listed as pending so the walk shows what is left): the Overview's cards are
 * written by each plugin on the server, in English; the other pages' words are not in catalogues yet.
 */
const PENDING_PAGES: Array<{ path: string; heading: string }> = [
  { path: '/admin/overview', heading: '概览' },
  { path: '/admin/auth/api-keys', heading: 'API 密钥' },
  { path: '/admin/auth/tenants', heading: '租户' },
  { path: '/admin/auth/backups', heading: '备份' },
  { path: '/admin/billing/plans', heading: '套餐' },
  { path: '/admin/billing/tenant', heading: '租户账单' },
  { path: '/admin/agents', heading: '智能体' },
];

/** What a visitor can open. */
const PUBLIC_PAGES: Array<{ path: string; heading: string }> = [
  { path: '/admin', heading: '登录' },
  { path: '/admin/auth/forgot-password', heading: '忘记密码？' },
  { path: '/admin/auth/magic-link', heading: '通过邮件链接登录' },
  { path: '/admin/auth/passkey', heading: '使用通行密钥登录' },
  { path: '/admin/auth/register', heading: '注册账号' },
];

describe('i18n walk: the converted pages in Simplified Chinese', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let lines: LogLine[];

  const expectChinese = async (path: string, heading: string) => {
    await page.goto(path);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    // The page's own reads have answered and drawn (Loading… would otherwise be all there is).
    await page.waitForLoadState('networkidle');
    await page.locator('[role="status"]', { hasText: '加载中…' }).waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    // Data, not words of the UI: the first superadmin's address, and the name and tenant the first start gave them.
    const found = await untranslatedText(page, { allow: [ADMIN.email, 'Administrator', 'Platform'] });
    assert.deepEqual(found, [], `${path} still shows English:\n${describeUntranslated(found)}`);
  };

  before(async () => {
    const captured = capturingLogger('info');
    lines = captured.lines;
    t = await createTestApp({ plugins: ['auth', 'billing', 'agents'], settings: { auth: { admin: ADMIN } }, logger: captured.logger });
    browser = await launchBrowser(t.url, { locale: 'zh-CN' });
    page = browser.page;
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  for (const { path, heading } of PUBLIC_PAGES) {
    it(`a visitor whose browser asks for Chinese: ${path}`, async () => {
      await expectChinese(path, heading);
    });
  }

  it('the superadmin chooses 简体中文 in their profile: saved on the user, and meta says it to the shell', async () => {
    await page.goto('/admin');
    await page.getByRole('heading', { name: '登录', level: 1 }).waitFor();
    await page.getByLabel('邮箱').fill(ADMIN.email);
    await page.getByLabel('密码', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('navigation', { name: '管理分区' }).waitFor();
    await page.goto('/admin/auth/profile');
    await page.getByLabel('语言').selectOption('zh-CN');
    await page.getByRole('button', { name: /save profile|保存资料/i }).click();
    await page.getByRole('status').filter({ hasText: '您的资料已保存。' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    const me = await t.app.db('auth_users').where({ email: ADMIN.email }).first('language');
    assert.equal(me.language, 'zh-CN');
    const meta = await page.evaluate(async () => (await fetch('/admin/api/meta')).json());
    assert.equal(meta.me.language, 'zh-CN');
  });

  for (const { path, heading } of SIGNED_IN_PAGES) {
    it(`a superadmin who chose Chinese: ${path}`, async () => {
      await expectChinese(path, heading);
    });
  }
  for (const { path } of PENDING_PAGES) it.skip(`a superadmin who chose Chinese: ${path} (not converted yet)`);

  it('logged no error during the walk, and the browser saw no console error or failed request', () => {
    const errors = lines.filter((l) => Number(l.level) >= 50);
    assert.deepEqual(errors, []);
    browser.check();
  });
});
