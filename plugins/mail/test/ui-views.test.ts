// The Inbox page's message tabs (HTML, Text, Headers, Source) and its search box, in a real
// browser, signed in as the superadmin. Needs the UI bundle in dist/ui (`npm run build`).
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { Page } from 'playwright-core';
import { login } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { launchBrowser, signIn, type TestBrowser } from '../../../test/helpers/browser.js';

const ADMIN = { email: 'operator@plinth.test', password: 'Operator-pass-for-mail-views-42' };
const BOX = 'views@mail.test';
const OTHER = 'elsewhere@mail.test';

describe('mail admin UI: message headers and source, inbox search (browser)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let adminHeaders: Record<string, string>;

  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const messageLinks = () => page.getByRole('region', { name: /Messages|Search results/ }).getByRole('link');
  const smtpSend = async (message: Mail.Options) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: t.app.container.resolve('smtpPort'), secure: false, ignoreTLS: true });
    try {
      return await transport.sendMail({ from: 'Acme Billing <billing@acme.test>', ...message });
    } finally {
      transport.close();
    }
  };
  /** Waits until the list's message links are exactly `subjects` (newest first). */
  const listShows = async (subjects: string[]) => {
    await page.waitForFunction((want) => {
      const region = document.querySelector('[aria-labelledby="inbox-title"]');
      const links = Array.from(region ? region.querySelectorAll('tbody a') : []).map((a) => (a.textContent ?? '').replace(/^▸ /, ''));
      return JSON.stringify(links) === JSON.stringify(want);
    }, subjects);
  };

  before(async () => {
    t = await createTestApp({
      plugins: ['auth', 'mail'],
      settings: { auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000 } }, mail: { domains: [{ name: 'mail.test' }] } },
    });
    const admin = await login(t, ADMIN.email, ADMIN.password);
    adminHeaders = admin.headers;
    for (const local of ['views', 'elsewhere']) {
      const made = await t.request('POST', '/mail/api/create', { headers: admin.headers, body: { local } });
      assert.equal(made.status, 200, made.text);
    }
    await smtpSend({
      to: BOX,
      subject: 'Invoice 1001',
      text: 'Your invoice is 100% paid.',
      html: '<p>Your invoice is <b>100%</b> paid.</p>',
      headers: { 'X-Campaign': 'spring-2026' },
    });
    await smtpSend({ to: BOX, subject: 'Lunch on Friday', text: 'See you at noon.' });
    await smtpSend({ to: OTHER, subject: 'Invoice 2002', text: 'Another mailbox.' });
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

  it('signs in and opens a message: HTML first, then the Text, Headers and Source tabs', async () => {
    await signIn(page, ADMIN);
    await page.getByRole('navigation', { name: 'Admin sections' }).waitFor();
    await page.goto(`/admin/mail/inbox?mailbox=${encodeURIComponent(BOX)}`);
    await heading('Inbox');
    await listShows(['Lunch on Friday', 'Invoice 1001']);
    await messageLinks().filter({ hasText: 'Invoice 1001' }).click();
    await page.getByRole('heading', { name: 'Invoice 1001', level: 2 }).waitFor();

    const tabs = page.getByRole('tablist', { name: 'Message views' });
    assert.deepEqual(await tabs.getByRole('tab').allTextContents(), ['HTML', 'Text', 'Headers', 'Source']);
    assert.equal(await tabs.getByRole('tab', { name: 'HTML' }).getAttribute('aria-selected'), 'true');
    await page.getByRole('tabpanel').locator('iframe[sandbox=""]').waitFor();

    await tabs.getByRole('tab', { name: 'Text' }).click();
    await page.getByRole('tabpanel').getByText('Your invoice is 100% paid.').waitFor();

    await tabs.getByRole('tab', { name: 'Headers' }).click();
    const headers = page.getByRole('table', { name: 'Message headers' });
    await headers.waitFor();
    const row = (name: string) => headers.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
    assert.equal(await row('X-Campaign').getByRole('cell').textContent(), 'spring-2026');
    assert.equal(await row('Subject').getByRole('cell').textContent(), 'Invoice 1001');
    // Every header line, in the order the API gives (received order).
    const id = Number(new URL(page.url()).searchParams.get('message'));
    const api = await t.request('GET', `/mail/api/email/${id}/headers`, { headers: adminHeaders });
    assert.deepEqual(
      await headers.getByRole('rowheader').allTextContents(),
      api.body.headers.map((h: { name: string }) => h.name),
    );

    await tabs.getByRole('tab', { name: 'Source' }).click();
    const source = page.getByLabel('Message source');
    await source.waitFor();
    const text = (await source.textContent()) ?? '';
    assert.match(text, /^X-Campaign: spring-2026$/m);
    assert.match(text, /^Subject: Invoice 1001$/m);
    assert.match(text, /Content-Type: multipart\/alternative/);
    // Arrow keys move between the tabs.
    await tabs.getByRole('tab', { name: 'Source' }).press('ArrowLeft');
    await headers.waitFor();
    assert.equal(await tabs.getByRole('tab', { name: 'Headers' }).getAttribute('aria-selected'), 'true');
  });

  it('a text-only message has no HTML tab', async () => {
    await messageLinks().filter({ hasText: 'Lunch on Friday' }).click();
    await page.getByRole('heading', { name: 'Lunch on Friday', level: 2 }).waitFor();
    const tabs = page.getByRole('tablist', { name: 'Message views' });
    assert.deepEqual(await tabs.getByRole('tab').allTextContents(), ['Text', 'Headers', 'Source']);
    await page.getByRole('tabpanel').getByText('See you at noon.').waitFor();
  });

  it('searches the inbox: the query goes into the URL, a reload keeps it, % is literal, all mailboxes on request', async () => {
    const box = page.getByRole('searchbox', { name: 'Search mail' });
    await box.fill('invoice');
    await page.waitForURL((url) => url.searchParams.get('q') === 'invoice');
    await page.getByRole('heading', { name: 'Search results', level: 2 }).waitFor();
    await listShows(['Invoice 1001']);
    await page.getByText('1 match · page 1 of 1').waitFor();

    await page.reload();
    await heading('Inbox');
    assert.equal(await page.getByRole('searchbox', { name: 'Search mail' }).inputValue(), 'invoice');
    await listShows(['Invoice 1001']);

    // Opening a hit keeps the search.
    await messageLinks().filter({ hasText: 'Invoice 1001' }).click();
    await page.getByRole('heading', { name: 'Invoice 1001', level: 2 }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('q'), 'invoice');

    await page.getByRole('checkbox', { name: 'All my mailboxes' }).check();
    await page.waitForURL((url) => url.searchParams.get('all') === '1');
    await listShows(['Invoice 2002', 'Invoice 1001']);

    await page.getByRole('searchbox', { name: 'Search mail' }).fill('100%');
    await page.waitForURL((url) => url.searchParams.get('q') === '100%');
    await listShows(['Invoice 1001']);
    await page.getByRole('searchbox', { name: 'Search mail' }).fill('1%0');
    await page.waitForURL((url) => url.searchParams.get('q') === '1%0');
    await page.getByText('No mail in any of your mailboxes matches “1%0”.').waitFor();

    // Clearing the box brings the live list back.
    await page.getByRole('searchbox', { name: 'Search mail' }).fill('');
    await page.waitForURL((url) => !url.searchParams.has('q'));
    await page.getByRole('heading', { name: 'Messages', level: 2 }).waitFor();
    await listShows(['Lunch on Friday', 'Invoice 1001']);
  });

  it('a message deleted from the search results leaves them', async () => {
    await page.getByRole('searchbox', { name: 'Search mail' }).fill('lunch');
    await page.waitForURL((url) => url.searchParams.get('q') === 'lunch');
    await listShows(['Lunch on Friday']);
    await messageLinks().filter({ hasText: 'Lunch on Friday' }).click();
    await page.getByRole('heading', { name: 'Lunch on Friday', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete message' }).click();
    await page.getByText('No mail in any of your mailboxes matches “lunch”.').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('q'), 'lunch');
  });
});
