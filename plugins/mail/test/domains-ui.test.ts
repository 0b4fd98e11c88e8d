import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, signIn, type TestBrowser } from '../../../test/helpers/browser.js';

// The Mail domains page in a real browser, as the superadmin: the config domain is read-only, a
// domain is added for one tenant (and shows in the Mailboxes page's domain list), a bad name shows
// the server's message, and removal goes through a confirm. Needs `npm run build` first.

const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-domains-42' };
const PASSWORD = 'Correct-horse-battery-9';

describe('mail admin UI: Mail domains (browser)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let tenant: { id: string; name: string };

  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const domainRow = (domain: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name: domain, exact: true }) });

  before(async () => {
    t = await createTestApp({
      plugins: ['auth', 'mail'],
      settings: { auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000 } }, mail: { domains: [{ name: 'mail.test' }] } },
    });
    const reg = await t.request('POST', '/api/v2/auth/register', { body: { email: 'customer@people.test', password: PASSWORD, tenant_name: 'Customer One' } });
    assert.equal(reg.status, 201, reg.text);
    const row = await t.app.db('auth_tenants').where('name', 'Customer One').first('id', 'name');
    tenant = { id: row.id, name: row.name };
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

  it('signs in and opens Mail domains: the config domain is listed read-only', async () => {
    await signIn(page, ADMIN);
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Mail domains' }).click();
    await heading('Mail domains');
    assert.equal(new URL(page.url()).pathname, '/admin/mail/domains');
    await domainRow('mail.test').waitFor();
    const cells = await domainRow('mail.test').getByRole('cell').allTextContents();
    assert.equal(cells[1], 'Every tenant');
    assert.equal(cells[5], 'from config');
  });

  it('a bad name shows the server’s message naming the field, and nothing is stored', async () => {
    await page.getByRole('textbox', { name: 'Domain' }).fill('mail.example.com.');
    browser.expectRefusal({ status: 400, method: 'POST', path: '/mail/api/admin/domains' });
    await page.getByRole('button', { name: 'Add domain' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /domain .*must not end with a dot/);
    assert.equal(Number((await t.app.db('mail_domains').count({ n: '*' }))[0].n), 0);
  });

  it('adds a domain for one tenant: listed with its tenant, stored, offered on the Mailboxes page', async () => {
    await page.getByRole('textbox', { name: 'Domain' }).fill('Customer.Example');
    await page.getByLabel('Offered to').selectOption({ label: tenant.name });
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('status').filter({ hasText: 'Added customer.example' }).waitFor();
    await domainRow('customer.example').waitFor();
    const cells = await domainRow('customer.example').getByRole('cell').allTextContents();
    assert.equal(cells[1], tenant.name);
    assert.equal(cells[2], '0 mailboxes');
    const row = await t.app.db('mail_domains').where('name', 'customer.example').first();
    assert.equal(row.tenant_id, tenant.id);

    await page.goto('/admin/mail');
    await heading('Mailboxes');
    await page.getByLabel('Domain').locator('option', { hasText: '@customer.example' }).waitFor({ state: 'attached' });
    assert.deepEqual(await page.getByLabel('Domain').locator('option').allTextContents(), ['@mail.test', '@customer.example']);
  });

  it('removes it after a confirm', async () => {
    await page.goto('/admin/mail/domains');
    await heading('Mail domains');
    await page.getByRole('button', { name: 'Remove customer.example' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove domain' }).click();
    await domainRow('customer.example').waitFor({ state: 'detached' });
    assert.equal(await t.app.db('mail_domains').where('name', 'customer.example').first(), undefined);
  });
});
