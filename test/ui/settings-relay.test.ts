import assert from 'node:assert/strict';
import net from 'node:net';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, type TestBrowser, signIn } from '../helpers/browser.js';
import { startRelay } from '../helpers/smtp-relay.js';

// Platform → Settings (core admin UI): a superadmin sets the outgoing-mail relay and sends a test
// mail to a real SMTP server; a part given by the environment is shown locked. Needs dist/ui.

const ADMIN = { email: 'operator@settings.test', password: 'Operator-pass-for-ui-42' };

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('admin UI: Settings → outgoing mail relay (browser)', () => {
  let t: TestApp;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let browser: TestBrowser;
  let page: Page;
  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const stored = async () => JSON.parse((await t.app.db('core_kv').where('key', 'mailer.relay').first()).value);

  before(async () => {
    relay = await startRelay();
    t = await createTestApp({ plugins: ['auth'], settings: { auth: { admin: ADMIN } } });
    browser = await launchBrowser(t.url);
    page = browser.page;
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.close();
      await relay?.close();
    }
  });

  it('a superadmin sets host, port, TLS, user, password and sender; the password is never shown; the mailer uses it at once', async () => {
    await signIn(page, ADMIN);
    await nav().getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/settings');
    await page.getByText('No relay: outgoing mail is kept in the outbox').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Send a test mail' }).isDisabled(), true);

    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Encryption').selectOption('none');
    await page.getByLabel('Port').fill(new URL(relay.url).port);
    await page.getByLabel('User name').fill('relay-user');
    await page.getByLabel('Password').fill('Relay-secret-9');
    await page.getByLabel('From').fill('Ops <ops@settings.test>');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved. Every instance uses it from its next mail.').waitFor();
    assert.deepEqual(await stored(), {
      host: '127.0.0.1',
      port: Number(new URL(relay.url).port),
      tls: 'none',
      user: 'relay-user',
      password: 'Relay-secret-9',
      from: 'Ops <ops@settings.test>',
    });
    const audit = await t.app.db('auth_audit_logs').where('action', 'mailer.relay.updated').first();
    assert.deepEqual(JSON.parse(audit.details).changed, ['host', 'port', 'tls', 'user', 'from', 'password']);

    // After a reload the password field is empty, and says one is kept.
    await page.reload();
    await page.getByLabel('Host').waitFor();
    assert.equal(await page.getByLabel('Host').inputValue(), '127.0.0.1');
    assert.equal(await page.getByLabel('Password').inputValue(), '');
    assert.equal(await page.getByLabel('Password').getAttribute('placeholder'), 'kept (leave blank to keep it)');
    assert.ok(!(await page.content()).includes('Relay-secret-9'));
  });

  it('"Send a test mail": the relay refusing AUTH without TLS is shown in its words; without the user it arrives', async () => {
    browser.expectRefusal({ status: 422, method: 'POST', path: '/api/admin/mailer/test' });
    await page.getByLabel('To').fill('check@settings.test');
    await page.getByRole('button', { name: 'Send a test mail' }).click();
    await page.getByText(/the relay did not take the test mail: /).waitFor();

    // Saving with the password left blank keeps it; clearing the user sends without AUTH.
    await page.getByLabel('User name').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved. Every instance uses it from its next mail.').waitFor();
    assert.equal((await stored()).password, 'Relay-secret-9', 'a blank password keeps the kept one');
    assert.equal((await stored()).user, null);
    await page.getByRole('button', { name: 'Send a test mail' }).click();
    await page.getByText('The relay accepted the test mail to check@settings.test.').waitFor();
    assert.deepEqual(relay.received.at(-1)?.to, ['check@settings.test']);
    assert.equal(relay.received.at(-1)?.from, 'ops@settings.test');
  });

  it('a wrong port: the test mail says the connection was refused', async () => {
    browser.expectRefusal({ status: 422, method: 'POST', path: '/api/admin/mailer/test' });
    const port = await closedPort();
    await page.getByLabel('Port').fill(String(port));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved. Every instance uses it from its next mail.').waitFor();
    await page.getByRole('button', { name: 'Send a test mail' }).click();
    await page.getByText(new RegExp(`the relay did not take the test mail: .*${port}`)).waitFor();
  });
});

describe('admin UI: a relay set by the environment is locked (browser)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;

  before(async () => {
    t = await createTestApp({ plugins: ['auth'], settings: { auth: { admin: ADMIN } }, env: { PLINTH_MAILER_SMTP_URL: 'smtp://smtp.env.test:2525' } });
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

  it('shows the connection as set by the environment, its fields disabled; the sender can still be changed', async () => {
    await signIn(page, ADMIN);
    await page.getByRole('navigation', { name: 'Admin sections' }).waitFor();
    await page.goto('/admin/settings');
    await page.getByText('Set by the environment (PLINTH_MAILER_SMTP_URL): change it there.').waitFor();
    assert.equal(await page.getByLabel('Host').inputValue(), 'smtp.env.test');
    assert.equal(await page.getByLabel('Port').inputValue(), '2525');
    for (const label of ['Host', 'Port', 'Encryption', 'User name', 'Password']) assert.equal(await page.getByLabel(label).isDisabled(), true, label);
    assert.equal(await page.getByLabel('From').isDisabled(), false);
    await page.getByLabel('From').fill('Env Ops <ops@env.test>');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved. Every instance uses it from its next mail.').waitFor();
    const kept = JSON.parse((await t.app.db('core_kv').where('key', 'mailer.relay').first()).value);
    assert.equal(kept.from, 'Env Ops <ops@env.test>');
    assert.equal(kept.host, null, 'the locked connection is not sent, nor stored');
  });
});
