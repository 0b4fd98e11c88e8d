// Two-factor sign-in in a real browser (needs the UI bundle: `npm run build`): the superadmin, under
// the default policy, is sent to My profile before anything else, sets up an authenticator from the
// page (the code computed by otplib from the secret the page shows), keeps the recovery codes, then
// signs in with password + code, with a recovery code, and resets another user's factor on Users.
// The server runs on a ManualClock so each sign-in can use the next time step's code.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ManualClock } from 'plinth/plugin';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { auditRows } from './helpers.js';
import { codeNow, nextStep } from './mfa-helpers.js';

const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-mfa-42' };

describe('auth admin UI: two-factor sign-in (browser)', function () {
  this.timeout(90_000);
  const clock = new ManualClock(new Date());
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let secret = '';
  let recovery: string[] = [];

  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const card = () => page.getByRole('region', { name: 'Two-factor authentication' });

  async function password() {
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function signOut() {
    await page.waitForLoadState('networkidle');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in');
  }

  before(async () => {
    t = await createTestApp({
      plugins: ['auth'],
      clock,
      settings: { auth: { admin: ADMIN, mfa: { require: 'superadmins' }, limits: { loginPerIpPerMinute: 1000 } } },
    });
    browser = await launchBrowser(t.url);
    page = browser.page;
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('under the policy the superadmin is sent to My profile first, and other pages do not open', async () => {
    await page.goto('/admin');
    await heading('Sign in');
    await password();
    await heading('My profile');
    assert.equal(new URL(page.url()).pathname, '/admin/auth/profile');
    await card().getByText('This server requires two-factor sign-in for your account').waitFor();
    await nav().getByRole('link', { name: 'Users' }).click();
    await page.waitForURL('**/admin/auth/profile');
    await heading('My profile');
  });

  it('sets up an authenticator from the QR code page: a code from the secret shown turns it on; ten recovery codes, shown once', async () => {
    await card().getByRole('button', { name: 'Set up an authenticator app' }).click();
    await card().getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    secret = (await card().locator('code').first().textContent())!.trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    nextStep(clock);
    await card()
      .getByLabel('The 6-digit code the app shows')
      .fill(await codeNow(secret, clock));
    await card().getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    const list = card().getByRole('list', { name: 'Recovery codes' });
    await list.waitFor();
    recovery = (await list.getByRole('listitem').allTextContents()).map((c) => c.trim());
    assert.equal(recovery.length, 10);
    await screenshot(page, 'mfa-recovery-codes');
    await card().getByRole('button', { name: 'I have saved my recovery codes' }).click();
    // The whole admin opens now.
    await nav().getByRole('link', { name: 'Users' }).click();
    await heading('Users');
    const me = await t.app.db('auth_users').where('email', ADMIN.email).first('id', 'mfa_enabled');
    assert.equal(Boolean(me.mfa_enabled), true);
    assert.equal((await auditRows(t, 'auth.mfa.enabled', { target_id: me.id })).length, 1);
  });

  it('signs in with password and a code (a wrong code is refused first), and with a recovery code', async () => {
    await signOut();
    await password();
    await heading('Two-factor sign-in');
    browser.expectRefusal({ status: 401, method: 'POST', path: '/admin/api/login' });
    nextStep(clock);
    const right = await codeNow(secret, clock);
    await page.getByLabel('Code').fill(right === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('the code is not valid').waitFor();
    await page.getByLabel('Code').fill(right);
    await page.getByRole('button', { name: 'Verify' }).click();
    await nav().waitFor();

    await signOut();
    await password();
    await heading('Two-factor sign-in');
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recovery[0]);
    await page.getByRole('button', { name: 'Verify' }).click();
    await nav().waitFor();
    assert.equal((await auditRows(t, 'auth.mfa.recovery_code_used')).length, 1);
  });

  it("Users shows who has a factor, and resets another user's after confirming", async () => {
    const owner = await registerOwner(t, 'mfa-ui');
    const enrolled = await t.request('POST', '/api/v2/auth/mfa/totp/enroll', { headers: owner.headers });
    nextStep(clock);
    const confirmed = await t.request('POST', '/api/v2/auth/mfa/totp/confirm', {
      headers: owner.headers,
      body: { code: await codeNow(enrolled.body.secret, clock) },
    });
    assert.equal(confirmed.status, 200, confirmed.text);
    await page.goto('/admin/auth/users');
    await heading('Users');
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: owner.email, exact: true }) });
    await row.getByRole('button', { name: `Reset the second factor of ${owner.email}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset two-factor sign-in?' });
    await dialog.getByRole('button', { name: 'Reset' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('off', { exact: true }).waitFor();
    assert.equal((await auditRows(t, 'auth.mfa.reset', { target_id: owner.id })).length, 1);
  });
});
