// Longer than most: one feature end-to-end, the auth admin UI in a real browser, with the two endpoints only it uses.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { SESSION_COOKIE } from 'plinth/plugin';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, screenshot, type TestBrowser } from '../../../test/helpers/browser.js';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { lastMailId, linkOf, strongPassword, waitForMail } from './helpers.js';

// The auth plugin's admin pages and public account pages in a real browser. Needs the UI bundle
// in dist/ui: `npm test` builds it first (pretest); alone, run `npm run build`.

const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-ui-42' };
const SENT_IF_EXISTS = 'If an account exists for this address, we have sent it an email.';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('auth admin UI (browser)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Actor;
  let rawKey = '';

  /** A link from a mail points at server.publicUrl; the test opens it on the app it runs. */
  const inApp = (url: URL) => `${t.url}${url.pathname}${url.search}`;
  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const apiAs = (headers: Record<string, string>) => t.request('GET', '/api/v2/auth/me', { headers });
  const loginStatus = async (email: string, password: string) => (await t.request('POST', '/api/v2/auth/login', { body: { email, password } })).status;
  const keyRow = (name: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
  const who = () => page.locator('header .who');

  async function signIn(email: string, password: string) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await nav().waitFor();
  }

  async function signOut() {
    // The page's own reads (GET /users/me on the profile) finish first: one still in flight when
    // the session ends would answer 401, which the browser helper counts as a problem.
    await page.waitForLoadState('networkidle');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in');
  }

  before(async () => {
    t = await createTestApp({
      plugins: ['auth'],
      settings: { auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000, mailRequestsPerIpPerHour: 1000 } } },
    });
    browser = await launchBrowser(t.url);
    page = browser.page;
    owner = await registerOwner(t, 'owner', { fullName: 'Olivia Owner', tenantName: `Olivia's shop ${randomBytes(3).toString('hex')}` });
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('signs in as the superadmin; the nav lists the auth pages but not the public ones', async () => {
    await page.goto('/admin');
    await heading('Sign in');
    assert.deepEqual(await page.getByRole('listitem').getByRole('link').allTextContents(), [
      'Forgot password?',
      'Email me a sign-in link',
      'Sign in with a passkey',
      'Create an account',
    ]);
    await screenshot(page, 'auth-login');
    await signIn(ADMIN.email, ADMIN.password);
    assert.deepEqual(await nav().getByRole('link').allTextContents(), [
      'Overview',
      'System',
      'Outgoing mail',
      'Settings',
      'My profile',
      'API keys',
      'Users',
      'Tenants',
      'Audit log',
      'Backups',
    ]);
  });

  it('creates an API key and shows the raw key once, with a Copy button', async () => {
    await nav().getByRole('link', { name: 'API keys' }).click();
    await heading('API keys');
    await page.getByText('No API keys yet.').waitFor();
    await page.getByLabel('Name').fill('ci');
    await page.getByRole('checkbox', { name: /^account:read\b/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();

    const box = page.getByRole('region', { name: 'Your new key "ci"' });
    await box.waitFor();
    rawKey = await box.getByLabel('New API key').inputValue();
    assert.match(rawKey, /^mf_[A-Za-z0-9_-]{20,}$/);
    assert.match((await box.textContent()) ?? '', /It will not be shown again/);
    await keyRow('ci').waitFor();
    await screenshot(page, 'auth-api-keys-new');

    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    await box.getByRole('button', { name: 'Copy' }).click();
    await box.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), rawKey);
  });

  it('the key works, and the database keeps only its hash and prefix', async () => {
    const me = await apiAs({ 'x-api-key': rawKey });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.email, ADMIN.email);
    assert.deepEqual(me.body.auth.scopes, ['account:read']);

    const rows = await t.app.db('auth_api_keys').where('name', 'ci');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].key_hash, sha256(rawKey));
    assert.equal(rows[0].key_prefix, rawKey.slice(0, 7));
    assert.ok(!JSON.stringify(rows[0]).includes(rawKey.slice(7)), 'no column holds the secret part');
  });

  it('after a reload only the prefix shows', async () => {
    await page.reload();
    await heading('API keys');
    const row = keyRow('ci');
    await row.waitFor();
    assert.equal(await page.getByLabel('New API key').count(), 0);
    assert.ok(!(await page.content()).includes(rawKey));
    const cells = await row.getByRole('cell').allTextContents();
    assert.equal(cells[1], `${rawKey.slice(0, 7)}…`);
    assert.equal(cells[2], 'account:read');
    assert.equal(cells[6], 'active');
  });

  it('rotates the key: the new secret is shown once, the old one is refused', async () => {
    page.once('dialog', (dialog) => void dialog.accept());
    await keyRow('ci').getByRole('button', { name: 'Rotate' }).click();
    const box = page.getByRole('region', { name: 'New secret for "ci"' });
    await box.waitFor();
    const rotated = await box.getByLabel('New API key').inputValue();
    assert.match(rotated, /^mf_/);
    assert.notEqual(rotated, rawKey);
    assert.equal((await apiAs({ 'x-api-key': rawKey })).status, 401);
    assert.equal((await apiAs({ 'x-api-key': rotated })).status, 200);
    await box.getByRole('button', { name: /^Done/ }).click();
    assert.equal(await page.getByLabel('New API key').count(), 0);
    rawKey = rotated;
  });

  it('revokes the key only after a confirm; then it is refused', async () => {
    page.once('dialog', (dialog) => void dialog.dismiss());
    await keyRow('ci').getByRole('button', { name: 'Revoke' }).click();
    assert.equal((await apiAs({ 'x-api-key': rawKey })).status, 200, 'a dismissed confirm changes nothing');

    page.once('dialog', (dialog) => {
      assert.match(dialog.message(), /Revoke "ci"\?/);
      void dialog.accept();
    });
    await keyRow('ci').getByRole('button', { name: 'Revoke' }).click();
    await keyRow('ci').getByText('revoked', { exact: true }).waitFor();
    assert.equal(await keyRow('ci').getByRole('button').count(), 0);
    assert.equal((await apiAs({ 'x-api-key': rawKey })).status, 401);
  });

  it('lists a registered owner on the Users page; Suspend refuses their login, Activate restores it', async () => {
    await nav().getByRole('link', { name: 'Users' }).click();
    await heading('Users');
    await page.getByRole('row').filter({ hasText: ADMIN.email }).waitFor();
    await page.getByLabel(/^Search/).fill(owner.email);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 user · page 1 of 1').waitFor();
    const row = page.getByRole('row').filter({ hasText: owner.email });
    const cells = await row.getByRole('cell').allTextContents();
    const tenantName = (await t.app.db('auth_tenants').where('id', owner.tenantId).first('name')).name;
    assert.deepEqual(cells.slice(0, 5), [owner.email, 'Olivia Owner', tenantName, 'owner', 'active']);
    assert.notEqual(cells[5], '—', 'shows the last login');

    await row.getByRole('button', { name: 'Suspend' }).click();
    await row.getByText('suspended', { exact: true }).waitFor();
    assert.equal((await t.app.db('auth_users').where('id', owner.id).first('status')).status, 'suspended');
    assert.equal(await loginStatus(owner.email, owner.password), 403);
    await screenshot(page, 'auth-users');

    await row.getByRole('button', { name: 'Activate' }).click();
    await row.getByText('active', { exact: true }).waitFor();
    assert.equal(await loginStatus(owner.email, owner.password), 200);
  });

  it('lists the owner’s tenant with its user count on the Tenants page, and suspends it', async () => {
    const tenant = await t.app.db('auth_tenants').where('id', owner.tenantId).first('name');
    await nav().getByRole('link', { name: 'Tenants' }).click();
    await heading('Tenants');
    await page.getByLabel(/^Search/).fill(tenant.name);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 tenant · page 1 of 1').waitFor();
    const row = page.getByRole('row').filter({ hasText: tenant.name });
    assert.deepEqual((await row.getByRole('cell').allTextContents()).slice(0, 3), [tenant.name, '1', 'active']);

    await row.getByRole('button', { name: 'Suspend' }).click();
    await row.getByText('suspended', { exact: true }).waitFor();
    assert.equal(await loginStatus(owner.email, owner.password), 403);
    await row.getByRole('button', { name: 'Unsuspend' }).click();
    await row.getByText('active', { exact: true }).waitFor();
    assert.equal(await loginStatus(owner.email, owner.password), 200);
  });

  it('marks the operator tenant; creates a customer tenant with its owner and invites a user from the Tenants page', async () => {
    await page.getByLabel(/^Search/).fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    const operatorTenant = await t.app.db('auth_tenants').where('is_platform', true).first('id', 'name');
    const operatorRow = page.getByRole('row').filter({ has: page.getByText('operator', { exact: true }) });
    await operatorRow.waitFor();
    // Named, never by id: the name links to the tenant's page.
    await operatorRow.getByRole('link', { name: operatorTenant.name }).waitFor();
    assert.equal(await operatorRow.getByText(operatorTenant.id.slice(0, 8)).count(), 0);
    assert.equal(await operatorRow.getByRole('button').count(), 0, 'the operator tenant cannot be suspended');

    const mark = await lastMailId(t);
    const create = page.getByRole('form', { name: 'Create a customer tenant' });
    await create.getByLabel('Tenant name').fill('Browser Co');
    await create.getByLabel('Owner email').fill('boss@browser.test');
    await create.getByRole('button', { name: 'Create tenant' }).click();
    await create.getByRole('status').filter({ hasText: 'Created “Browser Co”. boss@browser.test was emailed a link to choose a password.' }).waitFor();
    const boss = await t.app.db('auth_users').where('email', 'boss@browser.test').first();
    assert.equal(boss.role, 'owner');
    assert.equal((await t.app.db('auth_tenants').where('id', boss.tenant_id).first()).name, 'Browser Co');
    await waitForMail(t, 'boss@browser.test', { afterId: mark, subject: /invited to Browser Co/ });
    await page.getByRole('row').filter({ hasText: 'Browser Co' }).first().waitFor();

    // The server's refusal, in its words.
    browser.expectRefusal({ status: 409, method: 'POST', path: '/api/v2/admin/tenants' });
    await create.getByLabel('Tenant name').fill('Again');
    await create.getByLabel('Owner email').fill('boss@browser.test');
    await create.getByRole('button', { name: 'Create tenant' }).click();
    await create.getByRole('alert').filter({ hasText: 'owner_email is already in use' }).waitFor();

    const invite = page.getByRole('form', { name: 'Invite a user into a tenant' });
    await invite.getByLabel('Tenant', { exact: true }).selectOption({ label: 'Browser Co' });
    await invite.getByLabel('Email', { exact: true }).fill('mate@browser.test');
    await invite.getByLabel('Role').selectOption('admin');
    await invite.getByLabel('Password (optional)').fill('Mate-password-2026!');
    await invite.getByRole('button', { name: 'Invite user' }).click();
    await invite
      .getByRole('status')
      .filter({ hasText: 'Added mate@browser.test as admin. mate@browser.test can sign in with the password you set.' })
      .waitFor();
    const mate = await t.app.db('auth_users').where('email', 'mate@browser.test').first();
    assert.equal(mate.tenant_id, boss.tenant_id);
    assert.equal(mate.role, 'admin');
    assert.equal(await loginStatus('mate@browser.test', 'Mate-password-2026!'), 200);
    await screenshot(page, 'auth-tenants');
  });

  it('shows api_key.created on the Audit log page, filtered by action', async () => {
    await nav().getByRole('link', { name: 'Audit log' }).click();
    await heading('Audit log');
    await page.getByLabel('Action').fill('api_key.created');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('1 entry · page 1 of 1').waitFor();
    const key = await t.app.db('auth_api_keys').where('name', 'ci').first('id');
    const cells = await page.getByRole('row').filter({ hasText: 'api_key.created' }).getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(1), [ADMIN.email, 'api_key.created', `api_key ${key.id.slice(0, 8)}`, '127.0.0.1']);
    await screenshot(page, 'auth-audit');

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('row').filter({ hasText: 'admin.user.suspended' }).waitFor();
  });

  it('edits my profile and shows the server’s 409 and 422 messages', async () => {
    const taken = `olivia_${randomBytes(3).toString('hex')}`;
    assert.equal((await t.request('PATCH', '/api/v2/users/me', { body: { username: taken }, headers: owner.headers })).status, 200);

    await nav().getByRole('link', { name: 'My profile' }).click();
    await heading('My profile');
    await page.getByRole('region', { name: 'Account' }).getByText(ADMIN.email).waitFor();
    await page.getByLabel('Full name').fill('Ada Admin');
    await page.getByLabel('Username').fill(taken);
    browser.expectRefusal({ status: 409, method: 'PATCH', path: '/api/v2/users/me' });
    browser.expectRefusal({ status: 422, method: 'PATCH', path: '/api/v2/users/me' });
    browser.expectRefusal({ status: 403, method: 'POST', path: '/api/v2/auth/set-password' });
    await page.getByRole('button', { name: 'Save profile' }).click();
    assert.equal(await page.getByRole('alert').textContent(), 'username is already in use');

    await page.getByLabel('Username').fill('ada.admin');
    await page.getByLabel('Phone').fill('12');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('alert').filter({ hasText: /phone/ }).waitFor();

    await page.getByLabel('Phone').fill('+4915112345678');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Your profile is saved.').waitFor();
    const row = await t.app.db('auth_users').where('email', ADMIN.email).first('full_name', 'username', 'phone');
    assert.deepEqual({ ...row }, { full_name: 'Ada Admin', username: 'ada.admin', phone: '+4915112345678' });
    await screenshot(page, 'auth-profile');

    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill('Another-pass-for-ui-43');
    await page.getByLabel('Repeat the new password').fill('Another-pass-for-ui-43');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'the current password is wrong' }).waitFor();
  });

  it('resets a forgotten password in the browser with the link from the mail', async () => {
    await signOut();
    const before = await lastMailId(t);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await heading('Forgot your password?');
    assert.equal(new URL(page.url()).pathname, '/admin/auth/forgot-password');
    assert.equal(await nav().count(), 0);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByRole('button', { name: 'Send me a reset link' }).click();
    await page.getByRole('status').filter({ hasText: SENT_IF_EXISTS }).waitFor();

    const { url } = linkOf(await waitForMail(t, owner.email, { afterId: before, subject: /Reset your password/ }));
    assert.equal(`${url.origin}${url.pathname}`, 'http://plinth.test/admin/auth/reset-password');
    await page.goto(inApp(url));
    await heading('Choose a new password');
    const fresh = strongPassword();
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('Repeat the new password').fill(`${fresh}x`);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    assert.equal(await page.getByRole('alert').textContent(), 'The passwords do not match.');
    await page.getByLabel('Repeat the new password').fill(fresh);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password has been changed.' }).waitFor();
    await screenshot(page, 'auth-reset-password');

    await page.getByRole('link', { name: 'Sign in' }).click();
    await heading('Sign in');
    await signIn(owner.email, fresh);
    assert.equal(await who().textContent(), owner.email);
    assert.deepEqual(await nav().getByRole('link').allTextContents(), ['Overview', 'My profile', 'API keys']);
    assert.equal(await loginStatus(owner.email, owner.password), 401);
    owner.password = fresh;

    await page.goto(inApp(url)); // the link works once
    browser.expectRefusal({ status: 400, method: 'POST', path: '/api/v2/auth/reset-password' });
    await page.getByLabel('New password', { exact: true }).fill(strongPassword());
    await page.getByLabel('Repeat the new password').fill(await page.getByLabel('New password', { exact: true }).inputValue());
    await page.getByRole('button', { name: 'Set the new password' }).click();
    assert.equal(await page.getByRole('alert').textContent(), 'invalid or expired token');
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
  });

  it('verifies the email address with the link from the registration mail', async () => {
    const { url } = linkOf(await waitForMail(t, owner.email, { subject: /Verify your email/ }));
    assert.equal(url.pathname, '/admin/auth/verify-email');
    await page.goto(inApp(url));
    await page.getByRole('status').filter({ hasText: 'Your email address is verified.' }).waitFor();
    assert.ok((await t.app.db('auth_users').where('id', owner.id).first('email_verified_at')).email_verified_at);

    await page.goto('/admin/auth/verify-email');
    await page.getByRole('alert').filter({ hasText: 'This link is incomplete' }).waitFor();
  });

  it('signs the browser in with a magic link from the mail', async () => {
    await page.goto('/admin');
    await signOut();
    const before = await lastMailId(t);
    await page.getByRole('link', { name: 'Email me a sign-in link' }).click();
    await heading('Sign in with an email link');
    await page.getByLabel('Email').fill(owner.email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByRole('status').filter({ hasText: SENT_IF_EXISTS }).waitFor();

    const { url } = linkOf(await waitForMail(t, owner.email, { afterId: before, subject: /sign-in link/ }));
    assert.equal(url.pathname, '/admin/auth/magic-link');
    await page.goto(inApp(url));
    await page.waitForURL('**/admin/overview'); // everyone lands on their Overview
    await nav().waitFor();
    assert.equal(await who().textContent(), owner.email);
    const session = await t.app.db('auth_sessions').where('user_id', owner.id).orderBy('created_at', 'desc').first('kind');
    assert.equal(session.kind, 'ui');

    await page.goto(inApp(url)); // used: refused, with a form for a new one
    browser.expectRefusal({ status: 400, method: 'POST', path: '/admin/api/login' });
    await heading('This sign-in link does not work');
    assert.equal(await page.getByRole('alert').textContent(), 'invalid or expired link');
    await page.getByRole('button', { name: 'Email me a new link' }).waitFor();
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(browser.problems, []);
  });
});

describe('GET /api/v2/api-keys/scopes (the create form’s checkboxes)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ plugins: ['auth'], settings: { auth: { admin: ADMIN } } });
  });
  after(async () => t?.close());

  const scopesAs = async (headers: Record<string, string>) => {
    const res = await t.request('GET', '/api/v2/api-keys/scopes', { headers });
    assert.equal(res.status, 200, res.text);
    return (res.body as Array<{ scope: string; description: string }>).map((s) => s.scope);
  };

  it('lists the registered scopes the caller holds, with descriptions; the platform:* ones only for a superadmin', async () => {
    const admin = (await t.request('POST', '/api/v2/auth/login', { body: ADMIN })).body.access_token;
    const all = await scopesAs({ authorization: `Bearer ${admin}` });
    assert.ok(all.includes('platform:admin') && all.includes('platform:metrics') && all.includes('account:read'));

    const owner = await registerOwner(t);
    const owned = await scopesAs(owner.headers);
    assert.deepEqual(
      owned,
      all.filter((s) => !s.startsWith('platform:')),
    );
    const res = await t.request('GET', '/api/v2/api-keys/scopes', { headers: owner.headers });
    assert.equal(res.body.find((s: { scope: string }) => s.scope === 'account:read').description, 'Read your own profile');

    const key = await t.request('POST', '/api/v2/api-keys', { body: { name: 'narrow', scopes: ['api-keys:manage', 'account:read'] }, headers: owner.headers });
    assert.deepEqual((await scopesAs({ 'x-api-key': key.body.raw_key })).sort(), ['account:read', 'api-keys:manage']);
    assert.equal((await t.request('GET', '/api/v2/api-keys/scopes')).status, 401);
  });
});

describe('POST /admin/api/login with a magic token', () => {
  let t: TestApp;
  let owner: Actor;
  before(async () => {
    t = await createTestApp({ plugins: ['auth'], settings: { auth: { admin: ADMIN, limits: { mailRequestsPerIpPerHour: 1000 } } } });
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  const adminLogin = (body: unknown) => t.request('POST', '/admin/api/login', { body });

  it('takes exactly one of the two forms: 422 otherwise', async () => {
    const both = await adminLogin({ magic_token: 'abc', email: owner.email, password: owner.password });
    assert.equal(both.status, 422);
    assert.deepEqual(both.body.error.details, [
      { path: 'body.email', message: 'is not allowed' },
      { path: 'body.password', message: 'is not allowed' },
    ]);
    const neither = await adminLogin({});
    assert.equal(neither.status, 422);
    assert.deepEqual(neither.body.error.details.map((d: { path: string }) => d.path).sort(), ['body.email', 'body.password']);
    assert.equal((await adminLogin({ magic_token: '' })).status, 422);
  });

  it('a wrong token: 400 and no cookie', async () => {
    const res = await adminLogin({ magic_token: 'not-a-real-token' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_token');
    assert.equal(res.headers.get('set-cookie'), null);
  });

  it('a valid token sets the HttpOnly session cookie for a ui session, once', async () => {
    const before = await lastMailId(t);
    assert.equal((await t.request('POST', '/api/v2/auth/magic-link/request', { body: { email: owner.email } })).status, 200);
    const { token } = linkOf(await waitForMail(t, owner.email, { afterId: before, subject: /sign-in link/ }));

    const res = await adminLogin({ magic_token: token });
    assert.equal(res.status, 200, res.text);
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, new RegExp(`^${SESSION_COOKIE}=[^;]+;`));
    assert.match(setCookie, /;\s*httponly/i);
    const cookie = setCookie.split(';')[0];

    const me = await t.request('GET', '/admin/api/me', { headers: { cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.body.id, owner.id);
    assert.equal((await t.request('GET', '/api/v2/users/me', { headers: { cookie } })).body.email, owner.email);
    const sessions = await t.app.db('auth_sessions').where('user_id', owner.id).pluck('kind');
    assert.deepEqual(sessions.sort(), ['api', 'ui']);

    assert.equal((await adminLogin({ magic_token: token })).status, 400, 'single use');
  });
});
