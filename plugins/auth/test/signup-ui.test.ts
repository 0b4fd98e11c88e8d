// Sign-up in the admin UI (issue 38), in a real browser: the sign-in page's link while registration
// is `verify`, the form with its strength meter and organisation name, the verify-your-email step,
// the verification link read on the Outgoing mail page (no relay), and the first sign-in; with
// registration closed, no link and a page that says so. No console errors, no unexpected refusals.
// Needs the UI bundle in dist/ui (`npm run build`).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';

const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-signup-42' };
const NEWCOMER = { email: `newcomer-${process.pid}@customer.test`, password: 'Quite-a-long-pass-phrase-2026', organisation: 'Acme Robotics GmbH' };

describe('auth admin UI: sign-up (browser)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let verifyLink = '';

  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const strength = () => page.locator('#register-password-strength');

  before(async () => {
    t = await createTestApp({
      plugins: ['auth'],
      settings: { auth: { admin: ADMIN, registration: 'verify', limits: { loginPerIpPerMinute: 1000, mailRequestsPerIpPerHour: 1000 } } },
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

  it('the sign-in page links to sign-up; the form judges the password as it is typed, by the server’s rules', async () => {
    await page.goto('/admin');
    await heading('Sign in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading('Create an account');
    assert.equal(new URL(page.url()).pathname, '/admin/auth/register');
    await page.getByLabel('Email').fill(NEWCOMER.email);
    const password = page.getByLabel('Password', { exact: true });
    await password.fill('short');
    await strength().getByText('Not accepted: it must be at least 8 characters.').waitFor();
    await password.fill('password123');
    await strength().getByText('Not accepted: it is too common; choose a less guessable password.').waitFor();
    await password.fill('Password123!');
    await strength().getByText('Strength: weak.').waitFor();
    await password.fill(NEWCOMER.password);
    await strength().getByText('Strength: strong.').waitFor();
    assert.equal(await strength().locator('meter').getAttribute('value'), '4');
    await page.getByLabel('Organisation name (optional)').fill(NEWCOMER.organisation);
    await screenshot(page, 'auth-sign-up');
  });

  it('creates the account and its tenant, named after the organisation; then asks to verify the address', async () => {
    await page.getByRole('button', { name: 'Create my account' }).click();
    await heading('Check your email');
    await page.getByText(`We have sent a link to ${NEWCOMER.email}.`).waitFor();
    const user = await t.app.db('auth_users').where('email', NEWCOMER.email).first();
    assert.equal(user.role, 'owner');
    assert.equal(Boolean(user.must_verify_email), true);
    assert.equal(user.email_verified_at, null);
    const tenant = await t.app.db('auth_tenants').where('id', user.tenant_id).first();
    assert.equal(tenant.name, NEWCOMER.organisation);
    await screenshot(page, 'auth-sign-up-check-email');
  });

  it('before the link, sign-in is refused with what to do', async () => {
    browser.expectRefusal({ status: 403, method: 'POST', path: '/admin/api/login' });
    await page.getByRole('link', { name: 'Sign in' }).click();
    await heading('Sign in');
    await page.getByLabel('Email').fill(NEWCOMER.email);
    await page.getByLabel('Password', { exact: true }).fill(NEWCOMER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /verify your email address first/);
  });

  it('the superadmin reads the verification link on the Outgoing mail page', async () => {
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav().waitFor();
    await nav().getByRole('link', { name: 'Outgoing mail' }).click();
    await heading('Outgoing mail');
    await page.getByRole('row').filter({ hasText: NEWCOMER.email }).getByRole('link', { name: 'Verify your email address' }).click();
    await heading('Verify your email address');
    const link = page.getByRole('region', { name: 'Message' }).getByRole('link', { name: /\/admin\/auth\/verify-email\?token=/ });
    verifyLink = (await link.getAttribute('href')) ?? '';
    assert.match(verifyLink, /^http:\/\/plinth\.test\/admin\/auth\/verify-email\?token=[\w-]+$/);
    await page.waitForLoadState('networkidle');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in');
  });

  it('the link verifies the address, and the first sign-in opens the admin as the new tenant’s owner', async () => {
    const url = new URL(verifyLink);
    await page.goto(`${url.pathname}${url.search}`);
    await heading('Verify your email');
    await page.getByText('Your email address is verified.').waitFor();
    await page.getByRole('link', { name: 'Go to the admin' }).click();
    await heading('Sign in');
    await page.getByLabel('Email').fill(NEWCOMER.email);
    await page.getByLabel('Password', { exact: true }).fill(NEWCOMER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav().waitFor();
    assert.match((await page.locator('header .who').textContent()) ?? '', new RegExp(NEWCOMER.email.replace(/[.]/g, '\\.')));
    await nav().getByRole('link', { name: 'My profile' }).click();
    await heading('My profile');
    await page.getByText('verified', { exact: true }).waitFor();
    const sessions = page.getByRole('region', { name: 'Sessions' });
    await sessions.getByText('this session').waitFor();
    await page.waitForLoadState('networkidle');
  });
});

describe('auth admin UI: closed registration (browser)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let browser: TestBrowser;

  before(async () => {
    t = await createTestApp({ plugins: ['auth'], settings: { auth: { admin: ADMIN, registration: 'closed' } } });
    browser = await launchBrowser(t.url);
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('the sign-in page has no sign-up link; the page itself says registration is closed', async () => {
    const page = browser.page;
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    const links = await page.getByRole('listitem').getByRole('link').allTextContents();
    assert.ok(links.includes('Forgot password?'), links.join(', '));
    assert.ok(!links.includes('Create an account'), links.join(', '));
    await page.goto('/admin/auth/register');
    await page.getByRole('heading', { name: 'Registration is closed', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create my account' }).count(), 0);
    const meta = await t.request('GET', '/admin/api/meta');
    const register = meta.body.plugins.find((p: { name: string }) => p.name === 'auth').pages.find((p: { path: string }) => p.path === 'register');
    assert.deepEqual(register, { path: 'register', title: 'Create an account', public: true, loginLink: false });
  });
});
