// A safe first start and sessions in the admin UI (issue 38), in a real browser: the setup link's
// page (once), the generated password's owner sent to choose their own before anything else, and
// the Sessions card and the Users page's sessions dialog. Needs the UI bundle (`npm run build`).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';

const CHOSEN = 'Chosen-in-the-browser-2026';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** An app whose first superadmin (admin@localhost) is handed over by `setup`, and a browser on it. */
async function start(setup: 'link' | 'password'): Promise<{ t: TestApp; browser: TestBrowser; page: Page }> {
  const t = await createTestApp({ plugins: ['auth'], settings: { auth: { admin: { setup }, limits: { loginPerIpPerMinute: 1000 } } } });
  const browser = await launchBrowser(t.url);
  return { t, browser, page: browser.page };
}

async function stop(s: { t: TestApp; browser: TestBrowser } | undefined) {
  try {
    await s?.browser.close();
  } finally {
    await s?.t.close();
  }
}

const heading = (page: Page, name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('auth admin UI: the setup link (browser)', function () {
  this.timeout(60_000);
  let s: Awaited<ReturnType<typeof start>>;
  let linkPath = '';
  before(async () => {
    s = await start('link');
    const link = new URL(/^ {2}Setup link: +(\S+)/m.exec(s.t.app.banner())![1]);
    linkPath = `${link.pathname}${link.search}`;
  });
  after(() => stop(s));

  it('opens the page with the superadmin’s address, sets the password, then signs in with it', async () => {
    const { page } = s;
    await page.goto(linkPath);
    await heading(page, 'Set up Plinth');
    assert.equal(await page.getByLabel('Superadmin email').inputValue(), 'admin@localhost');
    await page.getByLabel('Password', { exact: true }).fill(CHOSEN);
    await page.locator('#setup-password-strength').getByText('Strength: strong.').waitFor();
    await page.getByLabel('Repeat the password').fill(CHOSEN);
    await screenshot(page, 'auth-setup-link');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await heading(page, 'Plinth is set up');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await heading(page, 'Sign in');
    await signIn(page, 'admin@localhost', CHOSEN);
    await page.getByRole('navigation', { name: 'Admin sections' }).waitFor();
    await page.waitForLoadState('networkidle');
  });

  it('opened again, the link says it no longer works and what to do', async () => {
    s.browser.expectRefusal({ status: 400, method: 'POST', path: '/api/v2/auth/setup/check' });
    await s.page.goto(linkPath);
    await heading(s.page, 'This setup link does not work');
    await s.page.getByText('this setup link was used or has expired').waitFor();
    await s.page.getByText(/Start Plinth again for a new one/).waitFor();
  });
});

describe('auth admin UI: signed in with a generated password (browser)', function () {
  this.timeout(60_000);
  let s: Awaited<ReturnType<typeof start>>;
  let generated = '';
  before(async () => {
    s = await start('password');
    generated = /^ {2}Password: +(\S+)/m.exec(s.t.app.banner())![1];
  });
  after(() => stop(s));

  it('is sent to choose a password of their own before any page, and then goes on', async () => {
    const { page } = s;
    await page.goto('/admin');
    await heading(page, 'Sign in');
    await signIn(page, 'admin@localhost', generated);
    await heading(page, 'Choose your own password');
    assert.equal(new URL(page.url()).pathname, '/admin/auth/change-password');
    await page.goto('/admin/auth/users');
    await heading(page, 'Choose your own password');
    assert.equal(new URL(page.url()).pathname, '/admin/auth/change-password', 'every page leads back here');
    await page.getByLabel('Generated password').fill(generated);
    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('Repeat the new password').fill(CHOSEN);
    await screenshot(page, 'auth-change-generated-password');
    await page.getByRole('button', { name: 'Save my password' }).click();
    await page.getByRole('navigation', { name: 'Admin sections' }).waitFor();
    await page.waitForURL((url) => url.pathname !== '/admin/auth/change-password' && url.pathname !== '/admin');
    const me = await s.t.app.db('auth_users').where('email', 'admin@localhost').first('must_change_password');
    assert.equal(Boolean(me.must_change_password), false);
    assert.equal((await s.t.request('POST', '/api/v2/auth/login', { body: { email: 'admin@localhost', password: CHOSEN } })).status, 200);
    await page.waitForLoadState('networkidle');
  });
});

describe('auth admin UI: sessions (browser)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-sessions-1' };

  before(async () => {
    t = await createTestApp({ plugins: ['auth'], settings: { auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000 } } } });
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

  it('My profile lists where I am signed in; ending the other device signs it out at once', async () => {
    const phone = await t.request('POST', '/api/v2/auth/login', { body: ADMIN, headers: { 'user-agent': FIREFOX } });
    const phoneHeaders = { authorization: `Bearer ${phone.body.access_token}` };
    await page.goto('/admin/auth/profile');
    await heading(page, 'Sign in');
    await signIn(page, ADMIN.email, ADMIN.password);
    await heading(page, 'My profile');
    const card = page.getByRole('region', { name: 'Sessions' });
    const firefox = card.getByRole('row').filter({ hasText: 'Firefox on Linux' });
    await firefox.waitFor();
    assert.match((await firefox.textContent()) ?? '', /API sign-in/);
    await card.getByRole('row').filter({ hasText: 'this session' }).filter({ hasText: 'Admin UI' }).waitFor();
    await screenshot(page, 'auth-sessions');
    await firefox.getByRole('button', { name: 'End the session on Firefox on Linux' }).click();
    await firefox.waitFor({ state: 'detached' });
    assert.equal((await t.request('GET', '/api/v2/users/me', { headers: phoneHeaders })).status, 401);
    await page.waitForLoadState('networkidle');
  });

  it('the superadmin sees a user’s sessions from the Users page and ends them all', async () => {
    const owner = await registerOwner(t, 'sessions-ui');
    await page.goto('/admin/auth/users');
    await heading(page, 'Users');
    await page.getByRole('button', { name: `Sessions of ${owner.email}` }).click();
    const dialog = page.getByRole('dialog', { name: `Sessions of ${owner.email}` });
    await dialog.getByRole('row').filter({ hasText: 'API sign-in' }).first().waitFor();
    assert.match(new URL(page.url()).search, new RegExp(`sessions=${owner.id}`));
    await dialog.getByRole('button', { name: 'End all their sessions' }).click();
    await dialog.getByText('No signed-in sessions.').waitFor();
    assert.equal((await t.request('GET', '/api/v2/users/me', { headers: owner.headers })).status, 401);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.waitForURL((url) => !url.search.includes('sessions='));
    await page.waitForLoadState('networkidle');
  });
});
