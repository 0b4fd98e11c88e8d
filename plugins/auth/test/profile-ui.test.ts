// My profile in a Chinese browser (needs the UI bundle: `npm run build`): the notices after asking
// for a verification link and after a new password are the UI's own words, not the server's English
// detail; and once the address is verified the page says so instead of "sent".
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { type Actor, PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, type TestBrowser } from '../../../test/helpers/browser.js';
import { describeUntranslated, untranslatedText } from '../../../test/helpers/i18n-walk.js';

const NEW_PASSWORD = 'A-new-password-for-profile-42';

describe('auth admin UI: My profile in Chinese (browser)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Actor;

  before(async () => {
    t = await createTestApp({ plugins: ['auth'] });
    owner = await registerOwner(t, 'profile-zh');
    browser = await launchBrowser(t.url, { locale: 'zh-CN' });
    page = browser.page;
    await page.goto('/admin/auth/profile');
    await page.getByLabel('邮箱').fill(owner.email);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '我的资料', level: 1 }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('asks for a verification link: the notice is in Chinese', async () => {
    await page.getByRole('button', { name: '发送验证链接' }).click();
    await page.getByRole('status').filter({ hasText: '我们已向您发送了验证链接。' }).waitFor();
    const found = await untranslatedText(page, { allow: [owner.email, 'profile-zh owner', 'node'] });
    assert.deepEqual(found, [], describeUntranslated(found));
  });

  it('saves a new password: the notice is in Chinese, and the password works', async () => {
    await page.getByLabel('当前密码').fill(PASSWORD);
    await page.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('再次输入新密码').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.getByRole('status').filter({ hasText: '您的密码已保存。' }).waitFor();
    const res = await t.request('POST', '/api/v2/auth/login', { body: { email: owner.email, password: NEW_PASSWORD } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(browser.problems, []);
  });
});
