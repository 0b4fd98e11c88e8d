// Passkeys in a real browser (needs the UI bundle: `npm run build`), with Chromium's virtual
// authenticator (DevTools protocol, WebAuthn domain) in place of a fingerprint: sign in with a
// password, add a passkey "Laptop" on My profile, sign out, sign in with the passkey alone, rename
// and remove it, sign out, and the passkey no longer signs in. WebAuthn needs a secure context and
// a domain for the relying party, so the browser opens http://localhost:<port>, the app's publicUrl.
import assert from 'node:assert/strict';
import type { CDPSession, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { launchBrowser, screenshot, signIn, type TestBrowser } from '../../../test/helpers/browser.js';
import { freePort } from '../../../test/helpers/processes.js';
import { auditRows } from './helpers.js';

describe('auth admin UI: passkeys (browser, virtual authenticator)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId = '';
  let owner: Actor;
  let url = '';

  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const passkeys = () => page.getByRole('region', { name: 'Passkeys' });
  const row = (name: string) =>
    passkeys()
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name, exact: true }) });
  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  const stored = () => t.app.db('auth_passkeys').where('user_id', owner.id);

  async function signOut() {
    // The profile's reads finish first: one in flight when the session ends would answer 401.
    await page.waitForLoadState('networkidle');
    // The top bar's (My profile has sign-out buttons for other sessions too).
    await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click();
    await heading('Sign in');
  }

  async function openProfile() {
    await nav().getByRole('link', { name: 'My profile' }).click();
    await heading('My profile');
    await passkeys().waitFor();
  }

  before(async () => {
    const port = await freePort();
    url = `http://localhost:${port}`;
    t = await createTestApp({
      plugins: ['auth'],
      settings: { auth: { limits: { loginPerIpPerMinute: 1000 } } },
      overrides: { server: { port, publicUrl: url } },
    });
    owner = await registerOwner(t, 'passkey', { fullName: 'Petra Passkey' });
    browser = await launchBrowser(url);
    page = browser.page;
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    }));
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('signs in with a password and adds a passkey named "Laptop" on My profile', async () => {
    await signIn(page, owner);
    await openProfile();
    await passkeys().getByText('No passkeys yet.').waitFor();
    await passkeys().getByLabel('Name of the new passkey').fill('Laptop');
    await passkeys().getByRole('button', { name: 'Add a passkey' }).click();
    await passkeys().getByRole('status').filter({ hasText: 'Passkey "Laptop" added.' }).waitFor();
    await row('Laptop').waitFor();
    assert.equal(await row('Laptop').getByRole('cell').nth(3).textContent(), 'this device only');
    await screenshot(page, 'auth-passkeys');

    const [kept] = await stored();
    assert.equal(kept.name, 'Laptop');
    const [credential] = await credentials();
    assert.equal(credential.isResidentCredential, true);
    assert.equal(credential.rpId, 'localhost');
    assert.equal(Buffer.from(credential.userHandle!, 'base64').toString('utf8'), owner.id, 'the user handle is the user id');
    assert.equal(Buffer.from(credential.credentialId, 'base64').toString('base64url'), kept.credential_id);
    assert.equal((await auditRows(t, 'passkey.added', { target_id: kept.id })).length, 1);
  });

  it('signs out, then signs in with the passkey alone (no email, no password) and sees the profile', async () => {
    await signOut();
    await page.getByRole('link', { name: 'Sign in with a passkey' }).click();
    await heading('Sign in with a passkey');
    await screenshot(page, 'auth-passkey-sign-in');
    await page.getByRole('button', { name: 'Use my passkey' }).click();
    await nav().waitFor();
    await openProfile();
    await page.getByText(owner.email).first().waitFor();
    await row('Laptop').waitFor();
    assert.notEqual(await row('Laptop').getByRole('cell').nth(2).textContent(), '—', 'last used is shown');

    const [kept] = await stored();
    assert.ok(kept.last_used_at);
    assert.ok(Number(kept.counter) > 0, 'the authenticator counts');
    const logins = (await auditRows(t, 'auth.login', { actor_id: owner.id })).map((r) => JSON.parse(r.details));
    assert.deepEqual(logins.at(-1), { method: 'passkey', session: 'ui', passkey_id: kept.id });
  });

  it('renames the passkey, then removes it after confirming', async () => {
    await row('Laptop').getByRole('button', { name: 'Rename Laptop' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename "Laptop"' });
    await rename.getByLabel('Name').fill('Work laptop');
    await rename.getByRole('button', { name: 'Save' }).click();
    await row('Work laptop').waitFor();

    await row('Work laptop').getByRole('button', { name: 'Remove Work laptop' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove "Work laptop"?' });
    await confirm.getByText('It will no longer sign you in.').waitFor();
    await confirm.getByRole('button', { name: 'Remove passkey' }).click();
    await passkeys().getByRole('status').filter({ hasText: 'Passkey "Work laptop" removed.' }).waitFor();
    await passkeys().getByText('No passkeys yet.').waitFor();
    assert.deepEqual(await stored(), []);
    assert.equal((await auditRows(t, 'passkey.removed', { actor_id: owner.id })).length, 1);
  });

  it('signs out; the passkey (still on the device) no longer signs in', async () => {
    await signOut();
    assert.equal((await credentials()).length, 1, 'the device still holds it');
    await page.getByRole('link', { name: 'Sign in with a passkey' }).click();
    await heading('Sign in with a passkey');
    browser.expectRefusal({ status: 401, method: 'POST', path: '/admin/api/login' });
    await page.getByRole('button', { name: 'Use my passkey' }).click();
    await page.getByRole('alert').filter({ hasText: 'this passkey was not accepted' }).waitFor();
    assert.equal(await nav().count(), 0, 'not signed in');
    const failed = await auditRows(t, 'auth.login_failed');
    assert.deepEqual(JSON.parse(failed.at(-1)!.details), { method: 'passkey', reason: 'unknown passkey' });
  });
});
