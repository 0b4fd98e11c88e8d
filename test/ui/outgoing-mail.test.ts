import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser, signIn } from '../helpers/browser.js';

// The Outgoing mail page (core admin UI) with the auth plugin: without an SMTP relay, a reset link a
// customer asked for is read there. Needs the UI bundle in dist/ui (`npm test` builds it first).

const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-ui-42' };
const CUSTOMER = { email: 'carla@customer.test', password: 'Customer-pass-for-ui-42', full_name: 'Carla Customer' };

describe('admin UI: outgoing mail (browser)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let resetLink = '';

  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });

  before(async () => {
    t = await createTestApp({
      plugins: ['auth'],
      settings: { auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000, mailRequestsPerIpPerHour: 1000 } } },
    });
    const registered = await t.request('POST', '/api/v2/auth/register', { body: CUSTOMER });
    assert.equal(registered.status, 201, registered.text);
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

  it('a customer asks for a password reset from the login page', async () => {
    await page.goto('/admin');
    await heading('Sign in');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await heading('Forgot your password?');
    await page.getByLabel('Email').fill(CUSTOMER.email);
    await page.getByRole('button', { name: 'Send me a reset link' }).click();
    await page.getByRole('status').filter({ hasText: 'If an account exists for this address, we have sent it an email.' }).waitFor();
  });

  it('the superadmin finds the reset mail on the Outgoing mail page, with a note that no relay is configured', async () => {
    await signIn(page, ADMIN);
    await nav().waitFor();
    assert.deepEqual((await nav().getByRole('link').allTextContents()).slice(0, 3), ['Overview', 'System', 'Outgoing mail']);
    await nav().getByRole('link', { name: 'Outgoing mail' }).click();
    await heading('Outgoing mail');
    assert.equal(new URL(page.url()).pathname, '/admin/outgoing-mail');
    await page.getByText('No SMTP relay is configured').waitFor();

    const row = page.getByRole('row').filter({ hasText: CUSTOMER.email }).filter({ hasText: 'Reset your password' });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.equal(cells[0], CUSTOMER.email);
    assert.equal(cells[1], 'Reset your password');
    assert.notEqual(cells[2], '—', 'a date');
    assert.equal(cells[3], 'stored');
    await screenshot(page, 'outgoing-mail-list');
  });

  it('opens the mail: the body with its reset link as a link', async () => {
    await page.getByRole('row').filter({ hasText: CUSTOMER.email }).getByRole('link', { name: 'Reset your password' }).click();
    // Newest first: the reset came after the verification mail of the registration.
    await heading('Reset your password');
    assert.match(new URL(page.url()).search, /^\?id=\d+$/);
    await page.getByRole('definition').filter({ hasText: CUSTOMER.email }).waitFor();
    const message = page.getByRole('region', { name: 'Message' });
    assert.match((await message.textContent()) ?? '', /Choose a new password with this link/);
    const link = message.getByRole('link', { name: /\/admin\/auth\/reset-password\?token=/ });
    resetLink = (await link.getAttribute('href')) ?? '';
    assert.match(resetLink, /^http:\/\/plinth\.test\/admin\/auth\/reset-password\?token=[\w-]+$/, 'built from server.publicUrl, the token whole');
    await screenshot(page, 'outgoing-mail-detail');
  });

  it('the link is the one the customer needs: it sets a new password', async () => {
    const url = new URL(resetLink);
    const fresh = 'Fresh-customer-pass-77';
    const res = await t.request('POST', '/api/v2/auth/reset-password', { body: { token: url.searchParams.get('token'), new_password: fresh } });
    assert.equal(res.status, 200, res.text);
    assert.equal((await t.request('POST', '/api/v2/auth/login', { body: { email: CUSTOMER.email, password: fresh } })).status, 200);
  });

  it('"Send again" without a relay shows why nothing was sent', async () => {
    browser.expectRefusal({ status: 409, method: 'POST', path: /^\/api\/admin\/outbox\/\d+\/resend$/ });
    await page.getByRole('button', { name: 'Send again' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /no SMTP relay is configured \(mailer\.smtpUrl or PLINTH_MAILER_SMTP_URL\)/);
  });

  it('back to the list', async () => {
    await page.getByRole('link', { name: '← All outgoing mail' }).click();
    await heading('Outgoing mail');
    assert.equal(new URL(page.url()).search, '');
  });
});
